//! The storage layer against a local folder always, and against a real S3-compatible server
//! (the Garage cluster `tests/cluster/garage.sh` starts) when `DISAN_S3_ENDPOINT` is set.

use super::*;

/// Every store the tests can reach, each under a prefix of its own.
pub(crate) fn stores(test: &str) -> Vec<(Storage, Option<tempfile::TempDir>)> {
    let dir = tempfile::tempdir().unwrap();
    let local = StorageSettings {
        backend: Backend::Local,
        path: Some(dir.path().to_owned()),
        ..StorageSettings::default()
    };
    let mut out = vec![(Storage::open(&local).unwrap(), Some(dir))];
    if let Ok(endpoint) = std::env::var("DISAN_S3_ENDPOINT") {
        let s3 = StorageSettings {
            backend: Backend::S3,
            endpoint: Some(endpoint),
            bucket: Some(std::env::var("DISAN_S3_BUCKET").unwrap_or_else(|_| "disan".into())),
            region: Some("garage".into()),
            prefix: Some(format!(
                "test-{test}-{}-{}",
                std::process::id(),
                chrono::Utc::now().timestamp_micros()
            )),
            ..StorageSettings::default()
        };
        out.push((
            Storage::open(&s3).expect("the S3 store of DISAN_S3_ENDPOINT"),
            None,
        ));
    }
    out
}

#[test]
fn objects_are_written_once_read_listed_and_deleted() {
    for (store, _dir) in stores("objects") {
        assert_eq!(store.get("blobs/nothing").unwrap(), None, "{store:?}");
        assert!(!store.exists("blobs/aa").unwrap());
        assert!(store.put_new("blobs/aa", b"first".to_vec()).unwrap());
        // Content-addressed keys are never rewritten: the second write is skipped.
        assert!(!store.put_new("blobs/aa", b"second".to_vec()).unwrap());
        assert_eq!(
            store.get("blobs/aa").unwrap().as_deref(),
            Some(&b"first"[..])
        );
        for n in [3u64, 1, 2] {
            store
                .put(&keys::generation(n), format!("{n}").into_bytes())
                .unwrap();
        }
        let all: Vec<String> = store
            .list(keys::GENERATIONS, None)
            .unwrap()
            .into_iter()
            .map(|o| o.key)
            .collect();
        assert_eq!(
            all,
            [
                keys::generation(1),
                keys::generation(2),
                keys::generation(3)
            ]
        );
        let after: Vec<u64> = store
            .list(keys::GENERATIONS, Some(&keys::generation(1)))
            .unwrap()
            .iter()
            .filter_map(|o| keys::generation_number(&o.key))
            .collect();
        assert_eq!(after, [2, 3]);
        store.delete("blobs/aa").unwrap();
        store.delete("blobs/aa").unwrap(); // gone already: not an error
        assert!(!store.exists("blobs/aa").unwrap());
    }
}

#[test]
fn many_small_objects_go_up_in_parallel() {
    for (store, _dir) in stores("parallel") {
        let items: Vec<u32> = (0..64).collect();
        let results = store.each_parallel(items, 8, |s, i| {
            s.put_new(&keys::blob(&format!("{i:04}")), vec![i as u8; 100])
                .map(|_| ())
        });
        assert_eq!(results.len(), 64);
        assert!(results.iter().all(Result::is_ok));
        assert_eq!(store.list(keys::BLOBS, None).unwrap().len(), 64);
    }
}

#[test]
fn a_missing_setting_is_named() {
    let err = Storage::open(&StorageSettings {
        backend: Backend::S3,
        ..StorageSettings::default()
    })
    .unwrap_err();
    assert!(err.to_string().contains("`endpoint`"), "{err}");
    let err = Storage::open(&StorageSettings::default()).unwrap_err();
    assert!(err.to_string().contains("`path`"), "{err}");
}
