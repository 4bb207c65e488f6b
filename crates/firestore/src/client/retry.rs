//! When to try a request again, and how long to wait first.

use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::error::Error;
use crate::proto::Code;

/// What repeating a request risks, which decides what is retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Retry {
    /// A read outside a transaction (or `beginTransaction`, `rollback`): repeated on every
    /// transient failure.
    Read,
    /// A read inside a transaction: repeated like a read except on `ABORTED`, which ends the
    /// transaction (the whole transaction starts over instead).
    TxRead,
    /// A write: repeated on the statuses that say it was not applied (`UNAVAILABLE`,
    /// `ABORTED`, 429) and on `DEADLINE_EXCEEDED`, and when the connection could not be
    /// opened — not when it broke or timed out after the request went out.
    Write,
    /// Never repeated (a transaction's commit: the transaction starts over instead).
    Never,
}

impl Retry {
    /// Whether `err` after an attempt of this kind is worth another.
    pub(crate) fn allows(self, err: &Error) -> bool {
        let status_ok = |aborted: bool| match err.code() {
            Some(Code::Unavailable | Code::ResourceExhausted | Code::DeadlineExceeded) => true,
            Some(Code::Aborted) => aborted,
            _ => false,
        };
        match self {
            Retry::Never => false,
            Retry::Read => status_ok(true) || matches!(err, Error::Transport(_)),
            Retry::TxRead => status_ok(false) || matches!(err, Error::Transport(_)),
            Retry::Write => status_ok(true) || matches!(err, Error::Transport(e) if e.is_connect()),
        }
    }
}

/// Exponential back-off with jitter: attempt `n` (1 = the first retry) waits between half and
/// all of `initial · 2^(n-1)`, capped at `max`.
#[derive(Debug)]
pub(crate) struct Backoff {
    initial: Duration,
    max: Duration,
    state: AtomicU64,
}

impl Backoff {
    pub(crate) fn new(initial: Duration, max: Duration) -> Self {
        // randomly keyed by the standard library: two clients do not retry in step
        let seed = RandomState::new().hash_one(0x5eed_u64) | 1;
        Self {
            initial,
            max,
            state: AtomicU64::new(seed),
        }
    }

    pub(crate) fn initial(&self) -> Duration {
        self.initial
    }

    pub(crate) fn max(&self) -> Duration {
        self.max
    }

    /// The wait before retry number `n` (1-based).
    pub(crate) fn delay(&self, n: u32) -> Duration {
        // xorshift: good enough to spread retries apart
        let mut x = self.state.load(Ordering::Relaxed);
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.state.store(x, Ordering::Relaxed);
        delay(self.initial, self.max, n, x)
    }
}

/// The pure part of [`Backoff::delay`]: `random` picks the point between half and all.
pub(crate) fn delay(initial: Duration, max: Duration, n: u32, random: u64) -> Duration {
    let exp = initial
        .saturating_mul(1u32.checked_shl(n.saturating_sub(1)).unwrap_or(u32::MAX))
        .min(max);
    let half = exp / 2;
    let nanos = u64::try_from(half.as_nanos()).unwrap_or(u64::MAX);
    half + Duration::from_nanos(if nanos == 0 { 0 } else { random % (nanos + 1) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_and_stay_bounded() {
        let (i, m) = (Duration::from_millis(100), Duration::from_secs(5));
        // (retry number, random, expected)
        let table = [
            (1, 0, Duration::from_millis(50)),
            (
                1,
                u64::MAX,
                Duration::from_millis(50) + Duration::from_nanos(u64::MAX % 50_000_001),
            ),
            (2, 0, Duration::from_millis(100)),
            (3, 0, Duration::from_millis(200)),
            (10, 0, Duration::from_millis(2500)),
            (64, 0, Duration::from_millis(2500)),
        ];
        for (n, r, expected) in table {
            assert_eq!(delay(i, m, n, r), expected, "retry {n}");
        }
        let b = Backoff::new(i, m);
        for n in 1..40 {
            let d = b.delay(n);
            assert!(d <= m && d >= Duration::from_millis(50), "{n}: {d:?}");
        }
    }

    #[test]
    fn what_is_retried() {
        let status = |code| Error::from_status(code, 400, String::new(), false);
        // (error, read, tx read, write, never)
        let table = [
            (status(Code::Unavailable), [true, true, true, false]),
            (status(Code::ResourceExhausted), [true, true, true, false]),
            (status(Code::DeadlineExceeded), [true, true, true, false]),
            (status(Code::Aborted), [true, false, true, false]),
            (
                status(Code::FailedPrecondition),
                [false, false, false, false],
            ),
            (status(Code::AlreadyExists), [false, false, false, false]),
            (status(Code::NotFound), [false, false, false, false]),
            (status(Code::InvalidArgument), [false, false, false, false]),
            (status(Code::Internal), [false, false, false, false]),
        ];
        for (err, expected) in table {
            let got =
                [Retry::Read, Retry::TxRead, Retry::Write, Retry::Never].map(|r| r.allows(&err));
            assert_eq!(got, expected, "{err}");
        }
    }
}
