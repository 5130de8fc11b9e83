//! The import parser: any bytes as a submissions file, then validation.
//! A file that validates gives cases whose values parse again to themselves.
#![no_main]

use libfuzzer_sys::fuzz_target;
use resettle_domain::import::{ImportFile, validate_file};
use resettle_domain::{CaseNumber, Context, CountryCode, Nationality};

fuzz_target!(|data: &[u8]| {
    let Ok(file) = serde_json::from_slice::<ImportFile>(data) else {
        return;
    };
    let ctx = Context {
        occurred_on: time::macros::date!(2026 - 11 - 28),
        recorded_at: time::macros::datetime!(2026-11-28 12:00 UTC),
        actor: "fuzz".into(),
        reason: None,
    };
    if let Ok(cases) = validate_file(&file, &ctx) {
        for c in &cases {
            let s = &c.case.submission;
            assert_eq!(CaseNumber::parse(s.case_number.as_str()).ok().as_ref(), Some(&s.case_number));
            assert_eq!(CountryCode::parse(s.host_country.as_str()).ok(), Some(s.host_country));
            for m in &s.members {
                assert_eq!(Nationality::parse(m.nationality.code()).ok().as_ref(), Some(&m.nationality));
            }
            assert_eq!(c.history.len() as i64, c.case.version);
        }
    }
});
