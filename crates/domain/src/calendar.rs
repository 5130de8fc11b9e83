//! Calendar arithmetic shared by the norms and the forecast, and the
//! business day of an instant.
//!
//! **Dutch dates.** Every action happens on a day in the Netherlands: the
//! business day of an instant is its date in `Europe/Amsterdam` (CET, CEST in
//! summer), from the IANA time zone data compiled into the program (nothing
//! is read from the system or downloaded). An arrival at 00:30 on 1 January
//! Dutch time, 23:30 UTC on 31 December, counts in the new year. The domain
//! reads no clock: callers pass the instant.

use std::sync::LazyLock;
use time::{Date, Month, OffsetDateTime, UtcOffset};

/// The IANA name of the time zone whose dates are the business days.
pub const BUSINESS_TIME_ZONE: &str = "Europe/Amsterdam";

/// The zone, loaded once from the bundled data; `None` only if the bundle
/// lacked it, which the tests rule out.
static ZONE: LazyLock<Option<jiff::tz::TimeZone>> =
    LazyLock::new(|| jiff::tz::TimeZone::get(BUSINESS_TIME_ZONE).ok());

/// The offset from UTC in the Netherlands at instant `at`.
pub fn dutch_offset(at: OffsetDateTime) -> UtcOffset {
    let offset = ZONE.as_ref().and_then(|zone| {
        let ts = jiff::Timestamp::from_second(at.unix_timestamp()).ok()?;
        UtcOffset::from_whole_seconds(zone.to_offset(ts).seconds()).ok()
    });
    // Without the zone (never, see ZONE), standard time is the nearer guess.
    offset.unwrap_or(UtcOffset::from_hms(1, 0, 0).unwrap_or(UtcOffset::UTC))
}

/// The business day of instant `at`: its date in the Netherlands.
pub fn business_day(at: OffsetDateTime) -> Date {
    at.to_offset(dutch_offset(at)).date()
}

/// `d` plus `months` calendar months, on the same day of the month or the
/// month's last day; the last representable day when it would overflow.
pub fn add_months(d: Date, months: u32) -> Date {
    let total = i64::from(d.year()) * 12 + i64::from(d.month() as u8 - 1) + i64::from(months);
    let Ok(year) = i32::try_from(total.div_euclid(12)) else {
        return Date::MAX;
    };
    let month = u8::try_from(total.rem_euclid(12) + 1)
        .ok()
        .and_then(|m| Month::try_from(m).ok())
        .unwrap_or(Month::January);
    (0..4)
        .find_map(|back| Date::from_calendar_date(year, month, d.day().saturating_sub(back)).ok())
        .unwrap_or(Date::MAX)
}

/// The first day of `d`'s month.
pub fn month_start(d: Date) -> Date {
    Date::from_calendar_date(d.year(), d.month(), 1).unwrap_or(d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    use time::macros::datetime;

    #[test]
    fn the_business_day_is_the_dutch_date() {
        // Winter (CET, UTC+1): 00:30 on 1 January is still 31 December in UTC.
        assert_eq!(
            business_day(datetime!(2025-12-31 23:30 UTC)),
            date!(2026 - 01 - 01)
        );
        assert_eq!(
            business_day(datetime!(2025-12-31 22:59:59 UTC)),
            date!(2025 - 12 - 31)
        );
        assert_eq!(
            business_day(datetime!(2025-12-31 23:00 UTC)),
            date!(2026 - 01 - 01)
        );
        // Summer (CEST, UTC+2).
        assert_eq!(
            business_day(datetime!(2025-06-30 22:00 UTC)),
            date!(2025 - 07 - 01)
        );
        assert_eq!(
            business_day(datetime!(2025-06-30 21:59:59 UTC)),
            date!(2025 - 06 - 30)
        );
        // The offset of the instant given does not matter.
        assert_eq!(
            business_day(datetime!(2026-01-01 00:30 +01:00)),
            date!(2026 - 01 - 01)
        );
        assert_eq!(
            business_day(datetime!(2025-12-31 18:30 -05:00)),
            date!(2026 - 01 - 01)
        );
    }

    #[test]
    fn the_business_day_follows_the_dst_changes() {
        // Summer time begins on 30 March 2025 at 01:00 UTC (02:00 CET -> 03:00 CEST).
        assert_eq!(
            dutch_offset(datetime!(2025-03-30 00:59:59 UTC)).whole_hours(),
            1
        );
        assert_eq!(
            dutch_offset(datetime!(2025-03-30 01:00 UTC)).whole_hours(),
            2
        );
        assert_eq!(
            business_day(datetime!(2025-03-29 23:00 UTC)),
            date!(2025 - 03 - 30)
        );
        assert_eq!(
            business_day(datetime!(2025-03-29 22:59 UTC)),
            date!(2025 - 03 - 29)
        );
        assert_eq!(
            business_day(datetime!(2025-03-30 22:00 UTC)),
            date!(2025 - 03 - 31)
        );
        assert_eq!(
            business_day(datetime!(2025-03-30 21:59 UTC)),
            date!(2025 - 03 - 30)
        );
        // It ends on 26 October 2025 at 01:00 UTC (03:00 CEST -> 02:00 CET).
        assert_eq!(
            dutch_offset(datetime!(2025-10-26 00:59:59 UTC)).whole_hours(),
            2
        );
        assert_eq!(
            dutch_offset(datetime!(2025-10-26 01:00 UTC)).whole_hours(),
            1
        );
        assert_eq!(
            business_day(datetime!(2025-10-25 22:00 UTC)),
            date!(2025 - 10 - 26)
        );
        assert_eq!(
            business_day(datetime!(2025-10-25 21:59 UTC)),
            date!(2025 - 10 - 25)
        );
        assert_eq!(
            business_day(datetime!(2025-10-26 23:00 UTC)),
            date!(2025 - 10 - 27)
        );
        assert_eq!(
            business_day(datetime!(2025-10-26 22:59 UTC)),
            date!(2025 - 10 - 26)
        );
        // And in 2026 on other dates: 29 March and 25 October.
        assert_eq!(
            dutch_offset(datetime!(2026-03-29 01:00 UTC)).whole_hours(),
            2
        );
        assert_eq!(
            dutch_offset(datetime!(2026-10-25 01:00 UTC)).whole_hours(),
            1
        );
    }

    #[test]
    fn months_keep_the_day_or_end_the_month_and_never_overflow() {
        assert_eq!(add_months(date!(2025 - 08 - 31), 6), date!(2026 - 02 - 28));
        assert_eq!(add_months(date!(2024 - 01 - 31), 1), date!(2024 - 02 - 29));
        assert_eq!(add_months(date!(2025 - 11 - 01), 2), date!(2026 - 01 - 01));
        assert_eq!(add_months(date!(2025 - 01 - 01), u32::MAX), Date::MAX);
        assert_eq!(month_start(date!(2025 - 03 - 17)), date!(2025 - 03 - 01));
    }
}
