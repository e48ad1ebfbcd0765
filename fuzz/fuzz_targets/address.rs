//! The address resolver on free text, and on text split into its four fields.
#![no_main]
use disan::admin_units::{AddressQuery, units};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let units = units();
    let _ = units.resolve(&AddressQuery::text(text));
    let mut parts = text.splitn(4, '|');
    let query = AddressQuery {
        address: parts.next(),
        commune: parts.next(),
        district: parts.next(),
        province: parts.next(),
    };
    let _ = units.resolve(&query);
});
