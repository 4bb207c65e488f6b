//! When a scheduled workflow runs: every N minutes, or at the times of a standard 5-field
//! cron (`minute hour day-of-month month day-of-week`, Vixie semantics: a day-of-month and a
//! day-of-week both given match either) read in an IANA timezone, by default
//! [`DEFAULT_TIMEZONE`].
//!
//! **Daylight saving.** A cron names wall-clock times in its zone, as the office reads them.
//! A time the clocks skip (03:30 on the spring-forward night in Athens, when 03:00 becomes
//! 04:00) runs once, at the first instant after the gap; a time that happens twice (03:30 on
//! the fall-back night) runs once, the first time. Jobs that run every minute or hour simply
//! follow the real clock. The rules are croner's (the Open Cron Pattern Specification); the tz
//! database is chrono-tz's, compiled in, so the server needs no `/usr/share/zoneinfo`.

use std::str::FromStr;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use crm_core::Timestamp;
use croner::parser::{CronParser, Seconds, Year};
use time::OffsetDateTime;

/// The zone of a cron that names none: the company's.
pub const DEFAULT_TIMEZONE: &str = "Europe/Athens";

/// Why a schedule is refused: the field (`cron`, `timezone`) and what is wrong.
pub type ScheduleError = (&'static str, String);

/// A parsed cron in its zone.
#[derive(Debug, Clone)]
pub struct Cron {
    cron: croner::Cron,
    zone: Tz,
}

impl Cron {
    /// Parses `expression` (exactly five fields) in `timezone` (an IANA name; none: Athens).
    pub fn parse(expression: &str, timezone: Option<&str>) -> Result<Self, ScheduleError> {
        let fields = expression.split_whitespace().count();
        if fields != 5 {
            return Err((
                "cron",
                format!(
                    "a cron has 5 fields (minute hour day-of-month month day-of-week, \
                     e.g. `0 9 * * 1-5`); this one has {fields}"
                ),
            ));
        }
        let cron = CronParser::builder()
            .seconds(Seconds::Disallowed)
            .year(Year::Disallowed)
            .build()
            .parse(expression)
            .map_err(|e| ("cron", format!("`{expression}` is not a valid cron: {e}")))?;
        let name = timezone.unwrap_or(DEFAULT_TIMEZONE);
        let zone = Tz::from_str(name).map_err(|_| {
            (
                "timezone",
                format!("`{name}` is not an IANA timezone (e.g. Europe/Athens)"),
            )
        })?;
        let probe = DateTime::from_timestamp(0, 0).map(|t| t.with_timezone(&zone));
        if let Some(probe) = probe
            && cron.find_next_occurrence(&probe, false).is_err()
        {
            return Err(("cron", format!("`{expression}` never matches a date")));
        }
        Ok(Self { cron, zone })
    }

    /// The first time the cron matches strictly after `at`, or `None` if it never does again.
    pub fn next_after(&self, at: Timestamp) -> Option<Timestamp> {
        let from = DateTime::<Utc>::from_timestamp(at.unix_seconds(), 0)?.with_timezone(&self.zone);
        let next = self.cron.find_next_occurrence(&from, false).ok()?;
        let next = OffsetDateTime::from_unix_timestamp(next.timestamp()).ok()?;
        Some(Timestamp::from(next))
    }
}

/// A workflow's schedule.
#[derive(Debug, Clone)]
pub enum Schedule {
    Every { minutes: u32 },
    Cron(Box<Cron>),
}

impl Schedule {
    /// The run after one due at (or enabled at) `at`.
    pub fn next_after(&self, at: Timestamp) -> Option<Timestamp> {
        match self {
            Schedule::Every { minutes } => Some(Timestamp::from(
                at.into_inner() + time::Duration::minutes(i64::from(*minutes)),
            )),
            Schedule::Cron(cron) => cron.next_after(at),
        }
    }

    /// The first run strictly after `now` for a schedule that was due at `due`: a schedule
    /// missed while the CRM was down runs once, then keeps its own rhythm (the minute of an
    /// hourly period, the cron's times).
    pub fn next_past(&self, due: Timestamp, now: Timestamp) -> Option<Timestamp> {
        match self {
            Schedule::Every { minutes } => {
                let period = i64::from((*minutes).max(1)) * 60;
                let behind = now.unix_seconds() - due.unix_seconds();
                let periods = behind.div_euclid(period) + 1;
                Some(Timestamp::from(
                    due.into_inner() + time::Duration::seconds(periods * period),
                ))
            }
            Schedule::Cron(cron) => cron.next_after(now.max(due)),
        }
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    fn utc(t: OffsetDateTime) -> Timestamp {
        Timestamp::from(t)
    }

    /// The next `n` times of `cron` (Athens) after `from`.
    fn times(cron: &str, from: OffsetDateTime, n: usize) -> Vec<Timestamp> {
        let cron = Cron::parse(cron, None).unwrap();
        let mut at = utc(from);
        (0..n)
            .map(|_| {
                at = cron.next_after(at).unwrap();
                at
            })
            .collect()
    }

    #[test]
    fn weekdays_at_nine_skip_the_weekend_in_athens_time() {
        // Friday 2026-01-30 10:00 Athens (08:00 UTC, winter: UTC+2)
        let got = times("0 9 * * 1-5", datetime!(2026-01-30 08:00 UTC), 3);
        assert_eq!(
            got,
            [
                utc(datetime!(2026-02-02 07:00 UTC)), // Monday 09:00 Athens
                utc(datetime!(2026-02-03 07:00 UTC)),
                utc(datetime!(2026-02-04 07:00 UTC)),
            ]
        );
    }

    #[test]
    fn nine_oclock_stays_nine_oclock_across_the_spring_change() {
        // Athens moves from UTC+2 to UTC+3 on Sunday 2026-03-29 at 03:00
        let got = times("0 9 * * *", datetime!(2026-03-27 12:00 UTC), 3);
        assert_eq!(
            got,
            [
                utc(datetime!(2026-03-28 07:00 UTC)),
                utc(datetime!(2026-03-29 06:00 UTC)),
                utc(datetime!(2026-03-30 06:00 UTC)),
            ]
        );
    }

    #[test]
    fn a_time_the_clocks_skip_runs_once_after_the_gap() {
        // 03:30 does not exist on 2026-03-29 in Athens (03:00 → 04:00)
        let got = times("30 3 * * *", datetime!(2026-03-28 12:00 UTC), 2);
        assert_eq!(
            got,
            [
                utc(datetime!(2026-03-29 01:00 UTC)), // 04:00 EEST, the first instant after
                utc(datetime!(2026-03-30 00:30 UTC)), // 03:30 EEST
            ]
        );
    }

    #[test]
    fn a_time_that_happens_twice_runs_once_on_the_fall_back_night() {
        // Athens moves from UTC+3 back to UTC+2 on Sunday 2026-10-25 at 04:00: 03:30 twice
        let got = times("30 3 * * *", datetime!(2026-10-24 12:00 UTC), 2);
        assert_eq!(
            got,
            [
                utc(datetime!(2026-10-25 00:30 UTC)), // 03:30 EEST, the first one
                utc(datetime!(2026-10-26 01:30 UTC)), // 03:30 EET, the next day
            ]
        );
    }

    #[test]
    fn another_zone_is_read_in_its_own_time() {
        let cron = Cron::parse("0 9 * * *", Some("America/New_York")).unwrap();
        let next = cron.next_after(utc(datetime!(2026-01-30 00:00 UTC)));
        assert_eq!(next, Some(utc(datetime!(2026-01-30 14:00 UTC))));
    }

    #[test]
    fn a_bad_cron_or_zone_says_what_is_wrong() {
        let cases = [
            ("0 9 * *", None, "cron", "5 fields"),
            ("0 0 9 * * 1", None, "cron", "5 fields"),
            ("61 9 * * *", None, "cron", "not a valid cron"),
            ("0 9 * * mon-xyz", None, "cron", "not a valid cron"),
            ("0 9 31 2 *", None, "cron", "never matches"),
            ("0 9 * * *", Some("Europe/Athina"), "timezone", "IANA"),
        ];
        for (cron, zone, field, says) in cases {
            let (f, reason) = Cron::parse(cron, zone).unwrap_err();
            assert_eq!(f, field, "{cron}");
            assert!(reason.contains(says), "{cron}: {reason}");
        }
    }

    #[test]
    fn a_missed_schedule_runs_once_then_keeps_its_rhythm() {
        let cron = Schedule::Cron(Box::new(Cron::parse("0 9 * * 1-5", None).unwrap()));
        // due Friday 09:00, down until Tuesday noon: next is Wednesday 09:00
        let next = cron.next_past(
            utc(datetime!(2026-01-30 07:00 UTC)),
            utc(datetime!(2026-02-03 10:00 UTC)),
        );
        assert_eq!(next, Some(utc(datetime!(2026-02-04 07:00 UTC))));
        let hourly = Schedule::Every { minutes: 60 };
        let next = hourly.next_past(
            utc(datetime!(2026-01-30 07:15 UTC)),
            utc(datetime!(2026-01-30 11:40 UTC)),
        );
        assert_eq!(next, Some(utc(datetime!(2026-01-30 12:15 UTC))));
    }
}
