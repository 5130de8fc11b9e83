//! Calendar arithmetic shared by the norms and the forecast.

use time::{Date, Month};

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

    #[test]
    fn months_keep_the_day_or_end_the_month_and_never_overflow() {
        assert_eq!(add_months(date!(2025 - 08 - 31), 6), date!(2026 - 02 - 28));
        assert_eq!(add_months(date!(2024 - 01 - 31), 1), date!(2024 - 02 - 29));
        assert_eq!(add_months(date!(2025 - 11 - 01), 2), date!(2026 - 01 - 01));
        assert_eq!(add_months(date!(2025 - 01 - 01), u32::MAX), Date::MAX);
        assert_eq!(month_start(date!(2025 - 03 - 17)), date!(2025 - 03 - 01));
    }
}
