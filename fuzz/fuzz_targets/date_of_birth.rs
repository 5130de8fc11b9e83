//! Dates as the import reads them (`parse_date`), then `DateOfBirth::new`
//! against a reference day taken from the input too, and the age on any day.
#![no_main]

use libfuzzer_sys::fuzz_target;
use resettle_domain::DateOfBirth;
use resettle_domain::import::parse_date;

fuzz_target!(|data: &[u8]| {
    if data.len() < 4 {
        return;
    }
    let (head, rest) = data.split_at(4);
    let offset = i32::from_le_bytes([head[0], head[1], head[2], head[3]]);
    let Ok(s) = std::str::from_utf8(rest) else { return };
    let Ok(date) = parse_date(s) else { return };
    // A "today" anywhere in time's range, and the date itself.
    let today = time::Date::from_julian_day(offset).unwrap_or(date);
    if let Ok(born) = DateOfBirth::new(date, today) {
        assert!(born.date() <= today);
        let _ = born.age_on(today);
        let _ = born.age_on(time::Date::MIN);
        let _ = born.age_on(time::Date::MAX);
    }
});
