//! `CaseNumber::parse`: never panics; what it accepts is normalised (parsing
//! the normal form gives the same number).
#![no_main]

use libfuzzer_sys::fuzz_target;
use resettle_domain::CaseNumber;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    if let Ok(n) = CaseNumber::parse(s) {
        let again = CaseNumber::parse(n.as_str());
        assert_eq!(again.as_ref().ok(), Some(&n), "normal form {:?} of {s:?}", n.as_str());
    }
});
