//! Disan's integration tests, one binary. Each module runs the real `disan` binary or the
//! library against small fixture archives (`tests/fixtures/`) or, when `DISAN_TESTDATA` is set,
//! against real data.

mod util; // temp archives, running `disan`, locating the real test data

mod check; // `disan check` on a clean archive, one of each mistake, and the bundled archive
mod ditich; // converts the crawled relic files of the test data into import rows
mod import; // `disan import`: CSV and JSON, dry run, rejections, idempotence, real relic data
mod web; // the site and JSON API in process: every route, both languages, errors, caching
mod web_fixture; // the served archive: the bundled sample plus photos and a rename, ingested
mod web_weight; // the page-weight budget for phones on 3G
