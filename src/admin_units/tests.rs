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
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: {e} (DISAN_TESTDATA is set, so it must exist)", path.display()));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    };
    // Each record's addresses: one `location`, or the `diaChi` values (63 records have two).
    let mut records: Vec<Vec<String>> = Vec::new();
    for record in read("ditich_relics_4275.json").as_array().expect("an array of records") {
        records.push(vec![record["location"].as_str().unwrap_or("").to_owned()]);
    }
    for record in read("ditich_wiki_sites_4453.json").as_array().expect("an array of records") {
        let values = record["diaChi"].as_object().map(|m| m.keys().cloned().collect());
        records.push(values.unwrap_or_default());
    }
    let units = units();
    let (mut province, mut commune, mut centroid, mut given) = (0usize, 0usize, 0usize, 0usize);
    let mut misses = String::new();
    let mut addresses = Vec::new();
    for values in &records {
        // The value that resolves furthest stands for the record.
        let best = values
            .iter()
            .map(|a| (a, units.resolve(&AddressQuery::text(a))))
            .max_by_key(|(_, r)| (r.commune.is_some(), r.province.is_some()));
        let (a, res) = match best {
            Some((a, res)) => (a.as_str(), res),
            None => ("", units.resolve(&AddressQuery::text(""))),
        };
        addresses.push(a);
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
    let of_given = |k: usize| k as f64 / given as f64;
    println!(
        "{} records ({} with an address): province {:.3}, commune {:.3}, centroid {:.3} \
         (of those with an address: province {:.3}, commune {:.3})",
        addresses.len(),
        given,
        share(province),
        share(commune),
        share(centroid),
        of_given(province),
        of_given(commune),
    );
    // 563 records carry no address at all (empty `location`, no `diaChi`): nothing can place
    // them, so the goals are measured on the records that have one.
    assert!(of_given(province) >= 0.97, "province resolved for {:.3}", of_given(province));
    assert!(of_given(commune) >= 0.85, "commune resolved for {:.3}", of_given(commune));
}
