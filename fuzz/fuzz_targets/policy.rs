//! A policy document (resettle-policy/1) from any bytes: parsing, validation,
//! and, for a valid policy, its boundaries and every report over no cases.
#![no_main]

use libfuzzer_sys::fuzz_target;
use resettle_domain::ledger;
use resettle_domain::policy::PolicySet;

fuzz_target!(|data: &[u8]| {
    let Ok(policy) = serde_json::from_slice::<PolicySet>(data) else {
        return;
    };
    let _ = policy.boundaries();
    if policy.validate().is_ok() {
        let _ = ledger::frameworks(&policy, &[]);
        let _ = ledger::eu(&policy, &[]);
        let _ = ledger::composition(&policy, &[]);
        let _ = ledger::allocation(&policy, &[]);
    }
});
