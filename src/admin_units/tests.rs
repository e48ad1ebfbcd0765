//! Real addresses from the national relic database and Vietnamese Wikipedia, as written.

use super::*;

fn r(address: &str) -> Resolved {
    units().resolve(&AddressQuery::text(address))
}

#[test]
fn smoke() {
    let x = r("Tỉnh Nam Định, huyện Nam Trực, xã Nam Giang");
    println!("{x:#?}");
}

/// Every address of the two relic datasets: the share whose province, current commune and
/// centroid resolved. Set `DISAN_ADMIN_RESULTS` to a file name to list every resolution.
#[test]
fn resolves_real_relic_addresses() {
    let Some(dir) = std::env::var_os("DISAN_TESTDATA") else {
        eprintln!("skipped: set DISAN_TESTDATA to the test data folder");
        return;
    };
    let dir = std::path::PathBuf::from(dir).join("vn");
    let read = |name: &str| -> serde_json::Value {
        let path = dir.join(name);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "{}: {e} (DISAN_TESTDATA is set, so it must exist)",
                path.display()
            )
        });
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    };
    let mut addresses: Vec<String> = Vec::new();
    for record in read("ditich_relics_4275.json")
        .as_array()
        .expect("an array of records")
    {
        addresses.push(record["location"].as_str().unwrap_or("").to_owned());
    }
    for record in read("ditich_wiki_sites_4453.json")
        .as_array()
        .expect("an array of records")
    {
        // A record's address is the first of its `diaChi` values (sources rarely disagree).
        let first = record["diaChi"]
            .as_object()
            .and_then(|m| m.keys().next().cloned());
        addresses.push(first.unwrap_or_default());
    }
    let units = units();
    let (mut province, mut commune, mut centroid, mut given) = (0usize, 0usize, 0usize, 0usize);
    let mut misses = String::new();
    for a in &addresses {
        let res = units.resolve(&AddressQuery::text(a));
        given += usize::from(!a.trim().is_empty());
        province += usize::from(res.province.is_some());
        commune += usize::from(res.commune.is_some());
        centroid += usize::from(res.centroid.is_some());
        misses.push_str(&format!(
            "{}\t{a}\t{}\t{}\t{}\t{}\t{}\t{}\n",
            if res.commune.is_some() { "ok" } else { "miss" },
            res.province.as_deref().unwrap_or("-"),
            res.commune.as_deref().unwrap_or("-"),
            res.legacy.province.as_deref().unwrap_or("-"),
            res.legacy.district.as_deref().unwrap_or("-"),
            res.legacy.commune.as_deref().unwrap_or("-"),
            res.notes.join(" | ")
        ));
    }
    if let Some(file) = std::env::var_os("DISAN_ADMIN_RESULTS") {
        std::fs::write(file, &misses).expect("the miss list is writable");
    }
    let n = addresses.len() as f64;
    let share = |k: usize| k as f64 / n;
    println!(
        "{} records ({} with an address): province {:.3}, commune {:.3}, centroid {:.3} \
         (of those with an address: province {:.3}, commune {:.3})",
        addresses.len(),
        given,
        share(province),
        share(commune),
        share(centroid),
        province as f64 / given as f64,
        commune as f64 / given as f64,
    );
    assert!(
        share(province) >= 0.97,
        "province resolved for {:.3}",
        share(province)
    );
    assert!(
        share(commune) >= 0.85,
        "commune resolved for {:.3}",
        share(commune)
    );
}
