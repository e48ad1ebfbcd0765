//! Object storage: what every server of a deployment must see, kept in one bucket of an
//! S3-compatible store (Garage, in the tests) or in a local folder.
//!
//! A province runs one server and never configures this. A deployment that outgrows one machine
//! adds a `[storage]` table: the one writer (the primary) then publishes each generation of what
//! it serves there ([`crate::snapshot`]), and read replicas fetch it. Everything written is
//! named by its content (or, for photo derivatives and tiles, by the content of the photo they
//! come from), so an object is written once and never rewritten, a retried upload is harmless,
//! and two generations share every unchanged byte. The one exception is deletion, by the
//! garbage collection of generations nobody serves any more.
//!
//! The store is [`object_store`]'s (an existing, well-kept client), driven from a small runtime
//! of its own so the rest of Disan calls it as blocking functions from its own threads.

pub mod keys;

use std::path::{Path as FsPath, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use serde::Deserialize;

/// Which store, from the `[storage]` table of `disan.toml`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct StorageSettings {
    /// `s3` for any S3-compatible endpoint, `local` for a folder (tests, or a shared mount).
    pub backend: Backend,
    /// The folder of the `local` backend.
    pub path: Option<PathBuf>,
    /// The S3 endpoint, such as `http://10.0.0.5:3900` (Garage) — plain HTTP only on a private
    /// network.
    pub endpoint: Option<String>,
    pub bucket: Option<String>,
    /// Garage's default is `garage`.
    pub region: Option<String>,
    /// Keys below this prefix, so one bucket can hold several deployments (or test runs).
    pub prefix: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    #[default]
    Local,
    S3,
}

/// The environment variables holding the S3 key: never in `disan.toml`, which is often
/// committed or copied around.
pub const KEY_ID_VAR: &str = "DISAN_S3_ACCESS_KEY_ID";
pub const SECRET_VAR: &str = "DISAN_S3_SECRET_ACCESS_KEY";

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("[storage]: {0} — see \"Running more than one server\" in README.md")]
    Config(String),
    #[error("storage {store}: `{key}`: {source}")]
    Store {
        store: String,
        key: String,
        source: object_store::Error,
    },
    #[error("reading {path}: {source}")]
    Local {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the storage runtime cannot start: {0}")]
    Runtime(std::io::Error),
}

/// One listed object.
#[derive(Debug, Clone)]
pub struct Listed {
    pub key: String,
    pub size: u64,
    pub modified: chrono::DateTime<chrono::Utc>,
}

/// A bucket (or folder) with blocking calls.
pub struct Storage {
    store: Arc<dyn ObjectStore>,
    /// Where requests run; the runtime itself is held only to be shut down (see `Drop`).
    handle: tokio::runtime::Handle,
    runtime: Option<tokio::runtime::Runtime>,
    /// Where it is, for messages.
    name: String,
}

impl std::fmt::Debug for Storage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Storage").field("name", &self.name).finish()
    }
}

impl Storage {
    /// Opens the configured store. Credentials of the S3 backend come from
    /// [`KEY_ID_VAR`] and [`SECRET_VAR`].
    pub fn open(settings: &StorageSettings) -> Result<Storage, StorageError> {
        let (store, name): (Arc<dyn ObjectStore>, String) =
            match settings.backend {
                Backend::Local => {
                    let path = settings.path.clone().ok_or_else(|| {
                        StorageError::Config("the local backend needs `path`".into())
                    })?;
                    std::fs::create_dir_all(&path).map_err(|source| StorageError::Local {
                        path: path.clone(),
                        source,
                    })?;
                    let store = object_store::local::LocalFileSystem::new_with_prefix(&path)
                        .map_err(|source| StorageError::Store {
                            store: path.display().to_string(),
                            key: String::new(),
                            source,
                        })?;
                    (Arc::new(store), path.display().to_string())
                }
                Backend::S3 => {
                    let need = |value: &Option<String>, what: &str| {
                        value.clone().ok_or_else(|| {
                            StorageError::Config(format!("the s3 backend needs `{what}`"))
                        })
                    };
                    let endpoint = need(&settings.endpoint, "endpoint")?;
                    let bucket = need(&settings.bucket, "bucket")?;
                    let var = |name: &str| {
                        std::env::var(name).map_err(|_| {
                            StorageError::Config(format!(
                                "the s3 backend reads its key from {name}, which is not set"
                            ))
                        })
                    };
                    let options = object_store::ClientOptions::new()
                        .with_allow_http(endpoint.starts_with("http://"))
                        .with_connect_timeout(Duration::from_secs(2))
                        .with_timeout(Duration::from_secs(60));
                    // A node cut off mid-request is retried (on another node, behind a balancer).
                    let retry = object_store::RetryConfig {
                        max_retries: 8,
                        retry_timeout: Duration::from_secs(60),
                        ..Default::default()
                    };
                    let store = object_store::aws::AmazonS3Builder::new()
                        .with_endpoint(&endpoint)
                        .with_bucket_name(&bucket)
                        .with_region(settings.region.clone().unwrap_or_else(|| "garage".into()))
                        .with_access_key_id(var(KEY_ID_VAR)?)
                        .with_secret_access_key(var(SECRET_VAR)?)
                        .with_client_options(options)
                        .with_retry(retry)
                        .build()
                        .map_err(|source| StorageError::Store {
                            store: endpoint.clone(),
                            key: String::new(),
                            source,
                        })?;
                    (Arc::new(store), format!("{endpoint}/{bucket}"))
                }
            };
        let (store, name) = match settings.prefix.as_deref().map(|p| p.trim_matches('/')) {
            Some(prefix) if !prefix.is_empty() => (
                Arc::new(object_store::prefix::PrefixStore::new(store, prefix))
                    as Arc<dyn ObjectStore>,
                format!("{name}/{prefix}"),
            ),
            _ => (store, name),
        };
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("storage")
            .enable_all()
            .build()
            .map_err(StorageError::Runtime)?;
        Ok(Storage {
            store,
            handle: runtime.handle().clone(),
            runtime: Some(runtime),
            name,
        })
    }

    /// Where the store is, for messages.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Runs `work` on the storage runtime and waits for it. The calling thread only waits on a
    /// channel, so this works from any thread — even one that drives another runtime, such as
    /// a test's — where a nested `block_on` would panic.
    fn wait<T: Send + 'static>(
        &self,
        work: impl std::future::Future<Output = Result<T, object_store::Error>> + Send + 'static,
    ) -> Result<T, object_store::Error> {
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        self.handle.spawn(async move {
            let _ = tx.send(work.await);
        });
        rx.recv().unwrap_or_else(|_| {
            Err(object_store::Error::Generic {
                store: "disan",
                source: "the storage task ended without an answer".into(),
            })
        })
    }

    fn error(&self, key: &str, source: object_store::Error) -> StorageError {
        StorageError::Store {
            store: self.name.clone(),
            key: key.to_owned(),
            source,
        }
    }

    /// Writes `bytes` under `key`, replacing nothing that is there already: every key Disan
    /// writes names its content, so an existing object already holds these bytes. Returns
    /// whether it was written.
    pub fn put_new(&self, key: &str, bytes: Vec<u8>) -> Result<bool, StorageError> {
        if self.exists(key)? {
            return Ok(false);
        }
        self.put(key, bytes)?;
        Ok(true)
    }

    /// Writes `bytes` under `key` (a PUT is atomic: readers see all of it or nothing).
    pub fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), StorageError> {
        let (path, store) = (Path::from(key), self.store.clone());
        self.wait(async move { store.put(&path, PutPayload::from(bytes)).await })
            .map_err(|e| self.error(key, e))?;
        Ok(())
    }

    /// [`Self::put_new`] of a file's bytes.
    pub fn put_file_new(&self, key: &str, file: &FsPath) -> Result<bool, StorageError> {
        if self.exists(key)? {
            return Ok(false);
        }
        let bytes = std::fs::read(file).map_err(|source| StorageError::Local {
            path: file.to_owned(),
            source,
        })?;
        self.put(key, bytes)?;
        Ok(true)
    }

    /// The object's bytes; `None` when there is no such object.
    pub fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StorageError> {
        let (path, store) = (Path::from(key), self.store.clone());
        let read = self.wait(async move { store.get(&path).await?.bytes().await });
        match read {
            Ok(bytes) => Ok(Some(bytes.to_vec())),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(self.error(key, e)),
        }
    }

    pub fn exists(&self, key: &str) -> Result<bool, StorageError> {
        let (path, store) = (Path::from(key), self.store.clone());
        match self.wait(async move { store.head(&path).await }) {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(self.error(key, e)),
        }
    }

    /// Every object under `prefix` (a folder-like key prefix such as `generations`) whose key
    /// sorts after `after`, in key order.
    pub fn list(&self, prefix: &str, after: Option<&str>) -> Result<Vec<Listed>, StorageError> {
        let (path, store) = (Path::from(prefix), self.store.clone());
        let after = after.map(Path::from);
        let listed: Vec<object_store::ObjectMeta> = self
            .wait(async move {
                let stream = match &after {
                    Some(after) => store.list_with_offset(Some(&path), after),
                    None => store.list(Some(&path)),
                };
                stream
                    .collect::<Vec<_>>()
                    .await
                    .into_iter()
                    .collect::<Result<Vec<_>, _>>()
            })
            .map_err(|e| self.error(prefix, e))?;
        let mut out = Vec::with_capacity(listed.len());
        for meta in listed {
            out.push(Listed {
                key: meta.location.to_string(),
                size: meta.size,
                modified: meta.last_modified,
            });
        }
        out.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(out)
    }

    pub fn delete(&self, key: &str) -> Result<(), StorageError> {
        let (path, store) = (Path::from(key), self.store.clone());
        match self.wait(async move { store.delete(&path).await }) {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(self.error(key, e)),
        }
    }

    /// Runs `work` on each item with up to `parallel` at once (uploads and downloads of many
    /// small objects are latency-bound, not bandwidth-bound).
    pub fn each_parallel<T, F>(
        &self,
        items: Vec<T>,
        parallel: usize,
        work: F,
    ) -> Vec<Result<(), StorageError>>
    where
        T: Send,
        F: Fn(&Storage, T) -> Result<(), StorageError> + Sync,
    {
        let queue = std::sync::Mutex::new(items.into_iter());
        let results = std::sync::Mutex::new(Vec::new());
        std::thread::scope(|scope| {
            for _ in 0..parallel.max(1) {
                scope.spawn(|| {
                    loop {
                        let next = queue.lock().map(|mut q| q.next()).unwrap_or(None);
                        let Some(item) = next else { break };
                        let result = work(self, item);
                        if let Ok(mut r) = results.lock() {
                            r.push(result);
                        }
                    }
                });
            }
        });
        results.into_inner().unwrap_or_default()
    }
}

impl Drop for Storage {
    /// Without waiting for its threads: a store may be dropped on a thread that drives another
    /// runtime (a request handler, a test), where waiting is not allowed.
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

#[cfg(test)]
pub(crate) mod tests;
