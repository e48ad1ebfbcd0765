//! Bulk work the server does for itself — making the open-data downloads after a start or a
//! publication — runs on a thread that gives way to visitors. (Publishing to object storage
//! does not: replicas should see an approval within seconds, and it mostly waits on the
//! network anyway.)
//!
//! Making the downloads of 100,000 sites took 12 s beside the benchmark's searches. At the
//! same priority as the search threads it overlapped the first searches after every start:
//! 402 API searches a second in the first 15 s instead of 655 (`benches/README.md`). A visitor
//! cannot tell that a download is being made; they can tell that a search is slow. So that
//! thread lowers its own priority to the least (nice 19): it runs on what the requests leave
//! over and still finishes on a busy server (last in line, not starved).

/// Lowers the calling thread's CPU priority to the least. Only on Linux, where a thread has a
/// priority of its own: elsewhere the same call would lower the whole server's.
pub fn yield_to_visitors() {
    #[cfg(target_os = "linux")]
    if let Err(err) = rustix::process::setpriority_process(None, LEAST) {
        // Not a reason to skip the work: it only competes with visitors as an equal.
        tracing::debug!("background work keeps its priority: {err}");
    }
}

/// The least priority a thread can give itself (the largest nice value).
#[cfg(target_os = "linux")]
const LEAST: i32 = 19;

#[cfg(test)]
mod tests {
    #[cfg(target_os = "linux")]
    #[test]
    fn only_the_calling_thread_gives_way() {
        let before = rustix::process::getpriority_process(None).expect("own priority");
        let inside = std::thread::spawn(|| {
            super::yield_to_visitors();
            rustix::process::getpriority_process(None).expect("thread's priority")
        })
        .join()
        .expect("thread");
        assert_eq!(inside, super::LEAST);
        assert_eq!(
            rustix::process::getpriority_process(None).expect("own priority"),
            before,
            "the other threads keep theirs"
        );
    }
}
