//! The forecast from live data: the pipeline and stage durations from the
//! store, the ledger and planned intake from the policy in force.

use resettle_domain::forecast::{Cohort, ForecastInput, planned_intake};
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
    Ok(ForecastInput {
        as_of,
        horizon_months,
        cohorts,
        durations: store.stage_durations().await?,
        intake: planned_intake(policy, &groups, as_of),
        ledger: ledger::frameworks(policy, &groups),
    })
}
