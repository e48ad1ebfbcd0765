//! Times every query of a query list against an index, one thread, as the JSON API runs them
//! (20 hits with snippets and all four facets), and writes what each answered so that two
//! builds can be compared hit for hit.
//!
//! ```text
//! disan eval-search --queries-out queries.json …      # the judged queries
//! cargo run --release --example qtime -- INDEX/tantivy queries.json [ROUNDS] [answers.jsonl]
//! ```
//!
//! Prints the CPU time per search (mean over all rounds), the percentiles of the per-query
//! time and the slowest queries. With `answers.jsonl`, writes one line per query: the text,
//! the total, the hits (id and score to three decimals), the snippets and the facet counts.
//! With `QTIME_TIMES=times.tsv` in the environment, also writes every query's time there.

use std::io::Write;
use std::time::Instant;

use disan::search::{SearchRequest, open};
use serde_json::{Value, json};

// The allocator of the `disan` binary, so that the times are the server's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [index, queries, rest @ ..] = args.as_slice() else {
        eprintln!("usage: qtime INDEX QUERIES.json [ROUNDS] [ANSWERS.jsonl]");
        std::process::exit(2);
    };
    let rounds: usize = rest.first().map_or(Ok(3), |r| r.parse())?;
    let index = open(index)?;
    let list: Vec<Value> = serde_json::from_str(&std::fs::read_to_string(queries)?)?;
    let mut texts: Vec<String> = list
        .iter()
        .filter_map(|q| q["text"].as_str().map(str::to_owned))
        .collect();
    let mut seen = std::collections::HashSet::new();
    texts.retain(|t| seen.insert(t.clone()));

    if let Some(out) = rest.get(1) {
        let mut out = std::io::BufWriter::new(std::fs::File::create(out)?);
        for text in &texts {
            let answer = index.search(&SearchRequest::text(text.as_str()))?;
            let hits: Vec<Value> = answer
                .hits
                .iter()
                .map(|h| json!([h.id, format!("{:.3}", h.score), h.snippet]))
                .collect();
            let facets = serde_json::to_value(&answer.facets)?;
            let line = json!({"q": text, "total": answer.total, "loose": answer.loose_match,
                "hits": hits, "facets": facets});
            writeln!(out, "{line}")?;
        }
    }

    let mut times = vec![0f64; texts.len()];
    let start = Instant::now();
    for _ in 0..rounds {
        for (i, text) in texts.iter().enumerate() {
            let t = Instant::now();
            let answer = index.search(&SearchRequest::text(text.as_str()))?;
            std::hint::black_box(answer);
            times[i] += t.elapsed().as_secs_f64() * 1e6 / rounds as f64;
        }
    }
    let total = start.elapsed().as_secs_f64() * 1e6;
    let mut sorted: Vec<(f64, &String)> = times.iter().copied().zip(&texts).collect();
    sorted.sort_by(|a, b| b.0.total_cmp(&a.0));
    let pct = |p: f64| sorted[((1.0 - p) * (sorted.len() - 1) as f64) as usize].0;
    println!(
        "{} queries × {rounds}: {:.0} µs per search; p50 {:.0} µs, p90 {:.0}, p99 {:.0}, max {:.0}",
        texts.len(),
        total / (texts.len() * rounds) as f64,
        pct(0.5),
        pct(0.9),
        pct(0.99),
        sorted[0].0
    );
    for (t, text) in sorted.iter().take(15) {
        println!("{t:>8.0} µs  {text}");
    }
    // Every query's time, for a closer look at where the time goes.
    if let Ok(path) = std::env::var("QTIME_TIMES") {
        let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
        for (t, text) in &sorted {
            writeln!(out, "{t:.0}\t{text}")?;
        }
    }
    Ok(())
}
