//! The open data's own work at the scale of the country, without the web server around it, for
//! `benches/open_data.sh`: making the `/data` downloads, and a full OAI-PMH harvest through the
//! provider exactly as `/oai` answers it (XML written, records read from the archive), page
//! after page with its resumption tokens.
//!
//! Usage:
//!   `cargo run --release --example open_data -- downloads ARCHIVE INDEX`
//!   `cargo run --release --example open_data -- harvest ARCHIVE INDEX ListRecords|ListIdentifiers`

use std::time::Instant;

use disan::layout::{ArchiveLayout, IndexLayout};
use disan::open_data::downloads;
use disan::open_data::export::Context;
use disan::open_data::licence::Licence;
use disan::open_data::oai::Repository;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(mode), Some(archive), Some(index)) = (args.first(), args.get(1), args.get(2)) else {
        eprintln!("usage: open_data downloads|harvest ARCHIVE INDEX [VERB]");
        std::process::exit(2);
    };
    let archive = ArchiveLayout::new(archive);
    let index = IndexLayout::new(index);
    let started = Instant::now();
    match mode.as_str() {
        "downloads" => {
            let context = Context {
                origin: "https://disan.example.org".into(),
                title: "Disan".into(),
                licence: Licence::DEFAULT,
                made: chrono::Utc::now(),
            };
            let made = downloads::make(&archive, &index, &context, "bench").expect("downloads");
            let bytes: u64 = made.files.iter().map(|f| f.bytes).sum();
            println!(
                "downloads: {} sites in five formats ({:.1} MB) in {:.2} s",
                made.sites(),
                bytes as f64 / 1e6,
                started.elapsed().as_secs_f64()
            );
        }
        "harvest" => {
            let verb = args.get(3).map_or("ListRecords", String::as_str);
            let search = disan::search::open(index.tantivy()).expect("the index");
            let repository = Repository {
                index: &search,
                archive: &archive,
                origin: "https://disan.example.org",
                contact_email: "admin@disan.example.org",
                licence: Licence::DEFAULT,
            };
            let mut args = vec![
                ("verb".to_owned(), verb.to_owned()),
                ("metadataPrefix".to_owned(), "oai_dc".to_owned()),
            ];
            let (mut pages, mut items, mut bytes) = (0, 0, 0);
            loop {
                let xml = repository
                    .respond(&args, chrono::Utc::now())
                    .expect("an answer");
                let text = String::from_utf8(xml).expect("UTF-8");
                pages += 1;
                bytes += text.len();
                items += text.matches("<header").count();
                let token = text
                    .split("<resumptionToken")
                    .nth(1)
                    .and_then(|t| t.split('>').nth(1))
                    .and_then(|t| t.split('<').next())
                    .filter(|t| !t.is_empty());
                match token {
                    Some(token) => {
                        args = vec![
                            ("verb".to_owned(), verb.to_owned()),
                            ("resumptionToken".to_owned(), token.to_owned()),
                        ];
                    }
                    None => break,
                }
            }
            let seconds = started.elapsed().as_secs_f64();
            println!(
                "{verb}: {items} items in {pages} pages ({:.1} MB of XML) in {seconds:.2} s, {:.0} items/s",
                bytes as f64 / 1e6,
                items as f64 / seconds
            );
        }
        other => {
            eprintln!("unknown mode `{other}`: downloads or harvest");
            std::process::exit(2);
        }
    }
}
