//! Seeded randomness. Every choice the generator makes goes through here, in a
//! fixed order, so one seed always gives the same caseload. None of these
//! helpers can panic: empty lists are errors, empty ranges give their start.

use crate::DemoError;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use time::{Date, Duration};
use uuid::Uuid;

pub(crate) struct Dice(ChaCha8Rng);

impl Dice {
    pub fn new(seed: u64) -> Self {
        Self(ChaCha8Rng::seed_from_u64(seed))
    }

    /// A whole number in `lo..=hi`; `lo` when the range is empty.
    pub fn between(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            lo
        } else {
            self.0.random_range(lo..=hi)
        }
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        if p.is_nan() {
            return false;
        }
        self.0.random_bool(p.clamp(0.0, 1.0))
    }

    /// A day in `from..=to`; `from` when the window is empty.
    pub fn date_between(&mut self, from: Date, to: Date) -> Date {
        from + Duration::days(self.between(0, (to - from).whole_days()))
    }

    /// One item of a list, each equally likely.
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> Result<T, DemoError> {
        if items.is_empty() {
            return Err(DemoError::plan("a list to choose from is empty"));
        }
        let last = i64::try_from(items.len() - 1).unwrap_or(i64::MAX);
        let index = usize::try_from(self.between(0, last)).unwrap_or(0);
        items
            .get(index)
            .copied()
            .ok_or_else(|| DemoError::plan("a choice fell outside its list"))
    }

    /// One item of a list, each as likely as its weight.
    pub fn weighted<T: Copy>(&mut self, items: &[(T, u32)]) -> Result<T, DemoError> {
        let total: u64 = items.iter().map(|(_, w)| u64::from(*w)).sum();
        if total == 0 {
            return Err(DemoError::plan("a weighted list is empty"));
        }
        let mut roll = self.0.random_range(0..total);
        for (item, weight) in items {
            let weight = u64::from(*weight);
            if roll < weight {
                return Ok(*item);
            }
            roll -= weight;
        }
        Err(DemoError::plan("a weighted choice fell outside its list"))
    }

    /// A version 4 UUID drawn from the seeded stream (never from the system),
    /// so ids are stable for a seed.
    pub fn uuid(&mut self) -> Uuid {
        uuid::Builder::from_random_bytes(self.0.random()).into_uuid()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn same_seed_same_draws() {
        let (mut a, mut b) = (Dice::new(7), Dice::new(7));
        for _ in 0..50 {
            assert_eq!(a.between(0, 1000), b.between(0, 1000));
        }
        assert_eq!(a.uuid(), b.uuid());
        assert_eq!(a.uuid().get_version_num(), 4);
    }

    #[test]
    fn empty_ranges_and_lists_do_not_panic() {
        let mut d = Dice::new(1);
        assert_eq!(d.between(5, 3), 5);
        let day = date!(2024 - 01 - 10);
        assert_eq!(d.date_between(day, date!(2024 - 01 - 01)), day);
        assert!(d.pick::<u8>(&[]).is_err());
        assert!(d.weighted::<u8>(&[(1, 0)]).is_err());
        assert_eq!(d.weighted(&[(1, 0), (2, 5)]), Ok(2));
    }
}
