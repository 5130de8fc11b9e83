//! Actions as the API reads them (JSON), applied in sequence to a case on
//! days taken from the input: never panics; a refused action leaves the case
//! unchanged; an accepted one moves the version by one, and the selection
//! and arrival dates only if the action says it sets a counted date.
#![no_main]

use libfuzzer_sys::fuzz_target;
use resettle_domain::{Action, Case, CaseId, Context};
use time::macros::{date, datetime};

fuzz_target!(|data: &[u8]| {
    let Some((&days, rest)) = data.split_first() else { return };
    let Ok(actions) = serde_json::from_slice::<Vec<(i16, Action)>>(rest) else {
        return;
    };
    let start = date!(2024 - 01 - 01);
    let Some(submission) = resettle_domain::sample::submission("ABC-24C000001", 3, start) else {
        return;
    };
    let Ok(mut case) = Case::submit(CaseId::generate(), submission, &ctx(start)) else {
        return;
    };
    let mut on = start + time::Duration::days(i64::from(days));
    for (step, action) in actions {
        on = on.checked_add(time::Duration::days(i64::from(step))).unwrap_or(on);
        let before = case.case.clone();
        // The store re-counts the ledger only after actions that say they
        // move a counted date; no other action may move one.
        let moves_dates = action.sets_counted_date();
        match case.apply(action, &ctx(on)) {
            Ok(()) => {
                assert_eq!(case.case.version, before.version + 1);
                assert_eq!(case.history.len() as i64, case.case.version);
                if !moves_dates {
                    assert_eq!(
                        (case.case.selected_on, case.case.arrived_on),
                        (before.selected_on, before.arrived_on)
                    );
                }
            }
            Err(_) => assert_eq!(case.case, before),
        }
    }
});

fn ctx(on: time::Date) -> Context {
    Context {
        occurred_on: on,
        recorded_at: datetime!(2026-11-28 12:00 UTC),
        actor: "fuzz".into(),
        reason: None,
    }
}
