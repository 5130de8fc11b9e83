//! The forecast from live data: the pipeline and stage durations from the
//! store, the ledger and planned intake from the policy in force, and the
//! relatives left behind as expected later arrivals.

use resettle_domain::forecast::{
    Cohort, ForecastInput, expected_relatives, joined_from_applications, planned_intake,
};
use resettle_domain::ledger;
use resettle_domain::policy::PolicySet;
use resettle_store::{Store, StoreError};
use time::Date;

pub async fn live_input(
    store: &dyn Store,
    policy: &PolicySet,
    as_of: Date,
    horizon_months: u32,
) -> Result<ForecastInput, StoreError> {
    let cohorts = store
        .pipeline()
        .await?
        .into_iter()
        .map(|r| Cohort {
            track: r.track,
            priority: r.priority,
            family_reunification: r.family_reunification,
            host_country: r.host_country,
            stage: r.stage,
            selected_in: r
                .selected_on
                .and_then(|d| policy.framework_on(d))
                .map(|f| f.id.clone()),
            cases: r.cases,
            persons: r.persons,
        })
        .collect();
    let groups = store.person_groups().await?;
    let (sponsors, applications) = store.relatives_for_forecast().await?;
    let relatives = expected_relatives(
        &sponsors,
        &joined_from_applications(&applications),
        policy.reunification_terms_on(as_of),
        // Live data includes what was recorded today (an application made
        // today already takes its relative out of those awaited).
        as_of.next_day().unwrap_or(as_of),
    );
    Ok(ForecastInput {
        as_of,
        horizon_months,
        cohorts,
        durations: store.stage_durations().await?,
        intake: planned_intake(policy, &groups, as_of),
        ledger: ledger::frameworks(policy, &groups),
        relatives: Some(relatives),
    })
}
