//! Every vocabulary parser, user names, ids, and the query parameters' number,
//! year and date parsers: never panic, an accepted value's wire name parses
//! back to it, and a refused one names its rule.
#![no_main]

use libfuzzer_sys::fuzz_target;
use resettle_domain::account::TokenScope;
use resettle_domain::audit::AuditResult;
use resettle_domain::lifecycle::{RejectionGround, TrainingMode};
use resettle_domain::person::DocumentKind;
use resettle_domain::policy::{FrameworkKind, FundingCategory};
use resettle_domain::rule::{self, Rule, ValueError};
use resettle_domain::{
    ActionKind, CaseId, CaseState, Programme, Relationship, Role, Sex, SubmissionCategory,
    SubmissionPriority, Track, Username,
};

macro_rules! round_trip {
    ($s:expr, $($t:ty),+) => {$(
        if let Ok(v) = <$t>::parse($s) {
            assert_eq!(<$t>::parse(v.as_str()).ok(), Some(v));
        }
    )+};
}

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    round_trip!(
        s, CaseState, ActionKind, Role, SubmissionCategory, SubmissionPriority, Programme, Track,
        Sex, Relationship, DocumentKind, RejectionGround, TrainingMode, TokenScope, AuditResult,
        FrameworkKind, FundingCategory
    );
    if let Ok(u) = Username::parse(s) {
        assert_eq!(Username::parse(u.as_str()).ok().as_ref(), Some(&u));
    }
    if let Ok(id) = s.parse::<CaseId>() {
        assert_eq!(id.to_string().parse::<CaseId>().ok(), Some(id));
    }
    for (min, max) in [(1, 500), (0, 365), (1, i64::from(u32::MAX)), (i64::MIN, i64::MAX)] {
        match rule::whole_number(s, min, max) {
            Ok(n) => {
                assert!((min..=max).contains(&n));
                assert_eq!(rule::whole_number(&n.to_string(), min, max).ok(), Some(n));
            }
            Err(e) => assert_eq!((e.rule, e.values[0].1.as_str()), (Rule::NumberRange, s)),
        }
    }
    match rule::year(s, 1984, 2100) {
        Ok(y) => assert!((1984..=2100).contains(&y)),
        Err(e) => assert_eq!(e.rule, Rule::YearRange),
    }
    match rule::date(s) {
        Ok(d) => assert_eq!(rule::date(&d.to_string()).ok(), Some(d)),
        Err(e) => assert_eq!(e.rule, Rule::DateFormat),
    }
    if let Err(e) = CaseState::parse(s) {
        assert_eq!(e.at("state").rule, Rule::OneOf);
    }
});
