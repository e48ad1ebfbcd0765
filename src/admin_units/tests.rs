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
