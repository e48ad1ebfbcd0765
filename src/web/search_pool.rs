//! Where searches run: a few threads of their own, one per core, fed from one queue in the
//! order requests arrive.
//!
//! A search is pure CPU work of a fraction of a millisecond to a few milliseconds. Run on the
//! server's connection threads, it holds up every other connection of that thread, and each
//! thread has its own backlog: when the operating system takes one of them off its core for a
//! moment, all its requests wait while the other threads may sit idle — the slowest requests
//! (p99) came from that. Handed to this pool, every search waits in one first-come queue for
//! the next free core, and the connection threads stay free to read and write.

use std::sync::Arc;

use tokio::sync::oneshot;

use super::error::WebError;

/// The pool; cloning shares it.
#[derive(Clone)]
pub struct SearchPool {
    pool: Arc<rayon::ThreadPool>,
}

impl SearchPool {
    /// A pool of `threads` threads (at least one).
    pub fn new(threads: usize) -> SearchPool {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads.max(1))
            .thread_name(|i| format!("search-{i}"))
            // A panicking search fails its request (below) instead of aborting the server.
            .panic_handler(|_| {})
            .build()
            .or_else(|_| rayon::ThreadPoolBuilder::new().num_threads(1).build())
            .expect("a thread pool of one thread can always be built");
        SearchPool {
            pool: Arc::new(pool),
        }
    }

    /// Runs `work` on the pool and waits for it without holding the calling thread.
    pub async fn run<T, F>(&self, work: F) -> Result<T, WebError>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let (done, answer) = oneshot::channel();
        self.pool.spawn_fifo(move || {
            // The receiver is gone when the client hung up: nothing to do.
            let _ = done.send(work());
        });
        // A panic in `work` drops the sender: report it as a failed request, not a crash.
        answer.await.map_err(|_| WebError::Unavailable)
    }
}

impl Default for SearchPool {
    /// One thread per core.
    fn default() -> Self {
        SearchPool::new(std::thread::available_parallelism().map_or(2, |n| n.get()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[actix_web::test]
    async fn runs_work_and_survives_a_panic() {
        let pool = SearchPool::new(2);
        assert_eq!(pool.run(|| 6 * 7).await.unwrap(), 42);
        let failed = pool.run(|| -> u32 { panic!("bad search") }).await;
        assert!(matches!(failed, Err(WebError::Unavailable)));
        assert_eq!(pool.run(|| "still here").await.unwrap(), "still here");
    }
}
