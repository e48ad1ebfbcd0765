//! Cross-process locks for read-modify-write of shared files (accounts, sessions, submissions).
//!
//! Atomic replacement ([`super::write_atomic`]) guarantees a reader never sees half a file, but
//! two writers that both read, change and write back would silently lose one change. Each such
//! file has a sibling lock file; holding an exclusive OS lock on it (`flock` on Unix,
//! `LockFileEx` on Windows, through `std::fs::File::lock`) for the whole read-modify-write makes
//! the writers take turns, whether they are threads of the server or a `disan user` command run
//! beside it. The OS drops the lock when the process dies, so a crash never leaves it stuck.

use std::fs::{File, OpenOptions};
use std::path::Path;

/// An exclusive lock, released when dropped.
#[derive(Debug)]
pub struct FileLock {
    _file: File,
}

/// Blocks until the exclusive lock on `path` is held, creating the file (and its folder).
pub fn lock_exclusive(path: &Path) -> std::io::Result<FileLock> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)?;
    file.lock()?;
    Ok(FileLock { _file: file })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn writers_take_turns() {
        let dir = tempfile::tempdir().unwrap();
        let lock = dir.path().join("x.lock");
        let inside = Arc::new(AtomicUsize::new(0));
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let (lock, inside) = (lock.clone(), inside.clone());
                std::thread::spawn(move || {
                    for _ in 0..20 {
                        let _held = lock_exclusive(&lock).unwrap();
                        assert_eq!(inside.fetch_add(1, Ordering::SeqCst), 0);
                        std::thread::yield_now();
                        inside.fetch_sub(1, Ordering::SeqCst);
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
    }
}
