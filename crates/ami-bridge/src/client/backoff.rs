//! Exponential reconnect back-off, capped and jittered; randomness is a parameter.

use std::time::Duration;

use rand::Rng;

/// Delays `min`, `2·min`, `4·min`, … up to `max`, each jittered to a random value between
/// half and all of it ("equal jitter"), so many clients restarted together spread out.
#[derive(Debug, Clone)]
pub struct Backoff {
    min: Duration,
    max: Duration,
    attempt: u32,
}

impl Backoff {
    /// A back-off from `min` to `max` (`max` is raised to `min` if smaller).
    pub fn new(min: Duration, max: Duration) -> Self {
        Self {
            min,
            max: max.max(min),
            attempt: 0,
        }
    }

    /// Back to the first delay (after a successful login).
    pub fn reset(&mut self) {
        self.attempt = 0;
    }

    /// The un-jittered delay of the next attempt.
    pub fn base(&self) -> Duration {
        let factor = 1u32.checked_shl(self.attempt.min(31)).unwrap_or(u32::MAX);
        self.min
            .checked_mul(factor)
            .map_or(self.max, |d| d.min(self.max))
    }

    /// The next delay, jittered with `rng`.
    pub fn next_delay<R: Rng + ?Sized>(&mut self, rng: &mut R) -> Duration {
        let base = self.base();
        self.attempt = self.attempt.saturating_add(1).min(32);
        let half = base / 2;
        let spread = u64::try_from((base - half).as_nanos()).unwrap_or(u64::MAX);
        half + Duration::from_nanos(rng.gen_range(0..=spread))
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    use super::*;

    #[test]
    fn doubles_up_to_the_cap_with_jitter_inside_bounds() {
        let mut rng = StdRng::seed_from_u64(7);
        let mut b = Backoff::new(Duration::from_millis(100), Duration::from_secs(2));
        let expected_bases = [100, 200, 400, 800, 1600, 2000, 2000, 2000];
        for base in expected_bases {
            let base = Duration::from_millis(base);
            assert_eq!(b.base(), base);
            let d = b.next_delay(&mut rng);
            assert!(d >= base / 2 && d <= base, "{d:?} for {base:?}");
        }
        for _ in 0..100 {
            assert!(b.next_delay(&mut rng) <= Duration::from_secs(2));
        }
        b.reset();
        assert_eq!(b.base(), Duration::from_millis(100));
    }

    #[test]
    fn jitter_varies() {
        let mut rng = StdRng::seed_from_u64(1);
        let mut delays = std::collections::HashSet::new();
        for _ in 0..20 {
            let mut b = Backoff::new(Duration::from_secs(1), Duration::from_secs(1));
            delays.insert(b.next_delay(&mut rng));
        }
        assert!(delays.len() > 10);
    }
}
