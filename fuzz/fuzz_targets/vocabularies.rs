//! Every vocabulary parser, user names, ids: never panic, and an accepted
//! value's wire name parses back to it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use resettle_domain::account::TokenScope;
use resettle_domain::audit::AuditResult;
use resettle_domain::lifecycle::{RejectionGround, TrainingMode};
use resettle_domain::person::DocumentKind;
use resettle_domain::policy::{FrameworkKind, FundingCategory};
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
});
