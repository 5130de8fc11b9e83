//! `CountryCode::parse` and `Nationality::parse`: never panic; accepted
//! values parse again to themselves from their code.
#![no_main]

use libfuzzer_sys::fuzz_target;
use resettle_domain::{CountryCode, Nationality};

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    if let Ok(c) = CountryCode::parse(s) {
        assert_eq!(CountryCode::parse(c.as_str()).ok(), Some(c));
    }
    if let Ok(n) = Nationality::parse(s) {
        assert_eq!(Nationality::parse(n.code()).ok().as_ref(), Some(&n));
    }
    // Through serde, as the API and the import read them.
    let json = serde_json::Value::String(s.to_string());
    let _ = serde_json::from_value::<CountryCode>(json.clone());
    let _ = serde_json::from_value::<Nationality>(json);
});
