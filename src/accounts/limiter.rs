//! Login rate limiting: wrong passwords slow down whoever sends them, never the account's owner.
//!
//! Failures are counted per **(account, address)** pair: after a few free mistakes each further
//! one doubles the wait before that address may try that account again (progressive delays), so
//! a guesser at one address gets a handful of tries an hour. An address that has not failed at
//! an account is never held back there — the owner logging in from their own phone gets in even
//! while someone else hammers the account. Two wider counts stop the other shapes of attack:
//! an **address** failing at many accounts is locked out for a while (with a larger budget,
//! since a school or a commune office shares one address), and an **account** failing from many
//! addresses makes every address that has already failed there wait longer. A successful login
//! clears only its own pair. State is in memory, which is enough: a restart gives a guesser a few
//! more tries, while argon2 keeps each one slow. Time is passed in, so tests need no clock.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimiterConfig {
    /// Failures an address may make at one account before it has to wait.
    pub free_failures: u32,
    /// The first wait; each further failure doubles it, up to `max_delay`.
    pub first_delay: Duration,
    pub max_delay: Duration,
    /// Failures an account may take from all addresses before each failing address waits
    /// longer (addresses that have not failed there are not affected).
    pub account_alarm: u32,
    /// Failed logins per client address (at any accounts) within `window` before a lockout.
    pub max_per_address: u32,
    /// Counts older than this are forgotten.
    pub window: Duration,
    /// How long an address that failed too often is locked out.
    pub lockout: Duration,
}

impl Default for LimiterConfig {
    /// 5 free failures per (account, address), then 15 s doubling up to 15 minutes; an account
    /// failing 20 times raises the waits of the failing addresses; 20 failures per address in
    /// 15 minutes lock the address for 15 minutes.
    fn default() -> Self {
        LimiterConfig {
            free_failures: 5,
            first_delay: Duration::from_secs(15),
            max_delay: Duration::from_secs(15 * 60),
            account_alarm: 20,
            max_per_address: 20,
            window: Duration::from_secs(15 * 60),
            lockout: Duration::from_secs(15 * 60),
        }
    }
}

/// A login refused before the password was even checked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("too many failed logins — wait {} and try again", wait_text(*retry_after))]
pub struct Throttled {
    pub retry_after: Duration,
}

fn wait_text(wait: Duration) -> String {
    match wait.as_secs() {
        s if s < 60 => format!("{} seconds", s.max(1)),
        s => format!("{} minutes", s.div_ceil(60)),
    }
}

#[derive(Debug, Clone, Copy)]
struct Count {
    failures: u32,
    last: Instant,
    locked_until: Option<Instant>,
}

impl Count {
    fn new(now: Instant) -> Count {
        Count {
            failures: 0,
            last: now,
            locked_until: None,
        }
    }
}

#[derive(Debug, Default)]
struct Counts {
    pairs: HashMap<(String, IpAddr), Count>,
    accounts: HashMap<String, Count>,
    addresses: HashMap<IpAddr, Count>,
}

/// Counts failed logins; share one per server (`&LoginLimiter` is enough).
#[derive(Debug, Default)]
pub struct LoginLimiter {
    config: LimiterConfig,
    counts: Mutex<Counts>,
}

/// Above this many entries, stale ones are dropped on the next failure, bounding memory under a
/// flood of made-up names and addresses.
const PRUNE_ABOVE: usize = 10_000;

impl LoginLimiter {
    pub fn new(config: LimiterConfig) -> LoginLimiter {
        LoginLimiter {
            config,
            counts: Mutex::default(),
        }
    }

    /// Call before checking a password: refuses while this address must wait for this account,
    /// or is locked out.
    pub fn check(&self, user: &str, address: IpAddr, now: Instant) -> Result<(), Throttled> {
        let counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        let fresh = |c: &&Count| now.saturating_duration_since(c.last) < self.config.window;
        let mut until = counts
            .addresses
            .get(&address)
            .and_then(|c| c.locked_until)
            .filter(|&u| u > now);
        if let Some(pair) = counts
            .pairs
            .get(&(user_key(user), address))
            .filter(fresh)
            .filter(|c| c.failures > 0)
        {
            let account = counts
                .accounts
                .get(&user_key(user))
                .filter(fresh)
                .map_or(0, |c| c.failures);
            let wait = self.delay(pair.failures).max(self.account_delay(account));
            until = until.max(Some(pair.last + wait).filter(|&u| u > now));
        }
        match until {
            Some(until) => Err(Throttled {
                retry_after: until - now,
            }),
            None => Ok(()),
        }
    }

    /// Records a wrong password (or unknown name) from `address` for `user`.
    pub fn failure(&self, user: &str, address: IpAddr, now: Instant) {
        let mut guard = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        let counts = &mut *guard;
        let config = self.config;
        let keep = config.window.max(config.lockout).max(config.max_delay);
        let stale = |c: &Count| {
            c.locked_until.is_none_or(|u| u <= now) && now.saturating_duration_since(c.last) >= keep
        };
        if counts.pairs.len() + counts.accounts.len() + counts.addresses.len() > PRUNE_ABOVE {
            counts.pairs.retain(|_, c| !stale(c));
            counts.accounts.retain(|_, c| !stale(c));
            counts.addresses.retain(|_, c| !stale(c));
        }
        let bump = |count: &mut Count| {
            let lockout_over = count.locked_until.is_some_and(|u| u <= now);
            if lockout_over || now.saturating_duration_since(count.last) >= config.window {
                *count = Count::new(now);
            }
            count.failures += 1;
            count.last = now;
        };
        let key = user_key(user);
        bump(
            counts
                .pairs
                .entry((key.clone(), address))
                .or_insert(Count::new(now)),
        );
        bump(counts.accounts.entry(key).or_insert(Count::new(now)));
        let by_address = counts.addresses.entry(address).or_insert(Count::new(now));
        bump(by_address);
        if by_address.failures >= config.max_per_address {
            by_address.locked_until = Some(now + config.lockout);
        }
    }

    /// Records a successful login: this address starts again at this account. Other
    /// addresses' waits, and the address's count across accounts, stay, so one valid account
    /// cannot be used to reset guessing at others.
    pub fn success(&self, user: &str, address: IpAddr) {
        let mut counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        counts.pairs.remove(&(user_key(user), address));
    }

    /// The wait after `failures` failures of one pair: none before the free ones are used up.
    fn delay(&self, failures: u32) -> Duration {
        self.doubling((failures + 1).saturating_sub(self.config.free_failures))
    }

    /// The extra wait of every failing address while the account takes `failures` in all.
    fn account_delay(&self, failures: u32) -> Duration {
        match failures.checked_sub(self.config.account_alarm) {
            Some(over) => self.doubling(over + 1),
            None => Duration::ZERO,
        }
    }

    /// 0 for 0 steps, then `first_delay`, doubling each step, capped at `max_delay`.
    fn doubling(&self, steps: u32) -> Duration {
        if steps == 0 {
            return Duration::ZERO;
        }
        let factor = 1u32 << (steps - 1).min(20);
        self.config
            .first_delay
            .saturating_mul(factor)
            .min(self.config.max_delay)
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
    fn waits_grow_per_address_and_spare_the_owner() {
        let limiter = LoginLimiter::new(LimiterConfig::default());
        let t0 = Instant::now();
        for _ in 0..5 {
            limiter.check("lan", A, t0).unwrap();
            limiter.failure("lan", A, t0);
        }
        // A waits 15 s, then 30 s after the next failure, …
        assert_eq!(
            limiter.check("lan", A, t0).unwrap_err().retry_after,
            Duration::from_secs(15)
        );
        let t1 = t0 + Duration::from_secs(15);
        limiter.check("lan", A, t1).unwrap();
        limiter.failure("Lan", A, t1);
        let err = limiter.check("lan", A, t1).unwrap_err();
        assert_eq!(err.retry_after, Duration::from_secs(30));
        assert!(err.to_string().contains("30 seconds"), "{err}");
        // The owner, at another address, is not held back; nor is another account at A.
        limiter.check("lan", B, t1).unwrap();
        limiter.check("mai", A, t1).unwrap();
        // A success clears only its own pair.
        limiter.success("lan", B);
        assert!(limiter.check("lan", A, t1).is_err());
    }

    #[test]
    fn waits_are_capped_and_forgotten() {
        let limiter = LoginLimiter::new(LimiterConfig::default());
        let t0 = Instant::now();
        for _ in 0..40 {
            limiter.failure("lan", A, t0);
        }
        let wait = limiter.check("lan", A, t0).unwrap_err().retry_after;
        assert_eq!(wait, Duration::from_secs(15 * 60));
        limiter
            .check("lan", A, t0 + Duration::from_secs(15 * 60))
            .unwrap();
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
    fn an_account_under_attack_slows_only_the_failing_addresses() {
        let limiter = LoginLimiter::new(LimiterConfig::default());
        let t0 = Instant::now();
        // Twenty-one addresses, one failure each: none over its own free failures.
        for i in 0..21u8 {
            limiter.failure("mai", IpAddr::from([192, 0, 2, i]), t0);
        }
        let later = t0 + Duration::from_secs(5);
        assert!(
            limiter
                .check("mai", IpAddr::from([192, 0, 2, 3]), later)
                .is_err()
        );
        limiter.check("mai", B, later).unwrap();
    }
}
