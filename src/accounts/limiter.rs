//! Login rate limiting: after repeated wrong passwords, an account or a client address is
//! locked out for a while.
//!
//! Two keys are counted separately: the user name (one account guessed from many addresses)
//! and the client address (many accounts guessed from one address; a larger budget, since a
//! school or a commune office shares one address). Failures count within a window; reaching
//! the limit locks the key until the lockout ends. A successful login clears its user's count.
//! State is in memory, which is enough: a restart gives an attacker a few more guesses, while
//! argon2 keeps each guess slow. Time is passed in, so tests need no clock.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Limits for one kind of key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimiterConfig {
    /// Failed logins per user name within `window` before a lockout.
    pub max_per_user: u32,
    /// Failed logins per client address within `window` before a lockout.
    pub max_per_address: u32,
    pub window: Duration,
    pub lockout: Duration,
}

impl Default for LimiterConfig {
    /// 5 per account and 20 per address in 15 minutes, then 15 minutes locked.
    fn default() -> Self {
        LimiterConfig {
            max_per_user: 5,
            max_per_address: 20,
            window: Duration::from_secs(15 * 60),
            lockout: Duration::from_secs(15 * 60),
        }
    }
}

/// A login refused before the password was even checked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("too many failed logins — wait {} minutes and try again", retry_after.as_secs().div_ceil(60).max(1))]
pub struct Throttled {
    pub retry_after: Duration,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    User(String),
    Address(IpAddr),
}

#[derive(Debug, Clone, Copy)]
struct Count {
    failures: u32,
    since: Instant,
    locked_until: Option<Instant>,
}

/// Counts failed logins; share one per server (`&LoginLimiter` is enough).
#[derive(Debug, Default)]
pub struct LoginLimiter {
    config: LimiterConfig,
    counts: Mutex<HashMap<Key, Count>>,
}

/// Above this many keys, stale ones are dropped on the next failure, bounding memory under a
/// flood of made-up names.
const PRUNE_ABOVE: usize = 10_000;

impl LoginLimiter {
    pub fn new(config: LimiterConfig) -> LoginLimiter {
        LoginLimiter {
            config,
            counts: Mutex::default(),
        }
    }

    /// Call before checking a password: refuses when the user or the address is locked out.
    pub fn check(&self, user: &str, address: IpAddr, now: Instant) -> Result<(), Throttled> {
        let counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        let wait = [Key::User(user_key(user)), Key::Address(address)]
            .iter()
            .filter_map(|k| counts.get(k)?.locked_until)
            .filter(|&until| until > now)
            .map(|until| until - now)
            .max();
        match wait {
            Some(retry_after) => Err(Throttled { retry_after }),
            None => Ok(()),
        }
    }

    /// Records a wrong password (or unknown name) for both keys.
    pub fn failure(&self, user: &str, address: IpAddr, now: Instant) {
        let mut counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        if counts.len() > PRUNE_ABOVE {
            let keep = self.config.window.max(self.config.lockout);
            counts.retain(|_, c| {
                c.locked_until.is_some_and(|u| u > now) || now.duration_since(c.since) < keep
            });
        }
        let keys = [
            (Key::User(user_key(user)), self.config.max_per_user),
            (Key::Address(address), self.config.max_per_address),
        ];
        for (key, max) in keys {
            let count = counts.entry(key).or_insert(Count {
                failures: 0,
                since: now,
                locked_until: None,
            });
            let lockout_over = count.locked_until.is_some_and(|u| u <= now);
            if lockout_over || now.duration_since(count.since) >= self.config.window {
                *count = Count {
                    failures: 0,
                    since: now,
                    locked_until: None,
                };
            }
            count.failures += 1;
            if count.failures >= max {
                count.locked_until = Some(now + self.config.lockout);
            }
        }
    }

    /// Records a successful login: the account's count starts again. The address keeps its
    /// count, so one valid account cannot be used to reset guessing at others.
    pub fn success(&self, user: &str) {
        let mut counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        counts.remove(&Key::User(user_key(user)));
    }
}

fn user_key(user: &str) -> String {
    crate::fold::lower(&crate::fold::nfc(user.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 1));
    const B: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 2));

    #[test]
    fn locks_a_user_after_repeated_failures_then_lets_go() {
        let limiter = LoginLimiter::new(LimiterConfig::default());
        let t0 = Instant::now();
        for _ in 0..4 {
            limiter.check("lan", A, t0).unwrap();
            limiter.failure("lan", A, t0);
        }
        limiter.check("lan", B, t0).unwrap();
        limiter.failure("Lan", B, t0);
        // Locked from any address, and the message says how long.
        let err = limiter.check("lan", B, t0).unwrap_err();
        assert_eq!(err.retry_after, Duration::from_secs(900));
        assert!(err.to_string().contains("15 minutes"), "{err}");
        limiter.check("mai", B, t0).unwrap();
        let later = t0 + Duration::from_secs(901);
        limiter.check("lan", A, later).unwrap();
    }

    #[test]
    fn locks_an_address_guessing_many_accounts() {
        let limiter = LoginLimiter::new(LimiterConfig::default());
        let t0 = Instant::now();
        for i in 0..20 {
            limiter.failure(&format!("user{i}"), A, t0);
        }
        assert!(limiter.check("someone-else", A, t0).is_err());
        limiter.check("someone-else", B, t0).unwrap();
    }

    #[test]
    fn success_resets_the_account_and_the_window_forgets() {
        let limiter = LoginLimiter::new(LimiterConfig::default());
        let t0 = Instant::now();
        for _ in 0..4 {
            limiter.failure("lan", A, t0);
        }
        limiter.success("lan");
        limiter.failure("lan", A, t0);
        limiter.check("lan", A, t0).unwrap();
        // Failures spread over more than the window never lock.
        let limiter = LoginLimiter::new(LimiterConfig::default());
        for i in 0..10 {
            let t = t0 + Duration::from_secs(16 * 60 * i);
            limiter.failure("mai", B, t);
            limiter.check("mai", B, t).unwrap();
        }
    }
}
