//! Taking an action on a stored case: the one path every interface uses, so the
//! version check, the domain rules and the atomic write happen the same way
//! from the API, the pages and the command line.

use crate::{NewAuditEntry, Store, StoreError};
use resettle_domain::audit::AuditResult;
use resettle_domain::{Action, Case, CaseId, Context, Transition, TransitionError};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum ActionError {
    #[error("case {0} does not exist")]
    NotFound(CaseId),
    #[error(
        "case {case} was changed by someone else since version {expected}; reload it and try again"
    )]
    Conflict { case: CaseId, expected: i64 },
    #[error(transparent)]
    Refused(#[from] TransitionError),
    /// The pipeline refuses it: no places left on the mission, the mission is
    /// closed or cancelled, or departures are on hold.
    #[error(transparent)]
    Blocked(StoreError),
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for ActionError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(id) => Self::NotFound(id),
            // The version moved between our read and our write.
            StoreError::Conflict { case, expected } => Self::Conflict { case, expected },
            e @ (StoreError::PlacesExhausted { .. }
            | StoreError::MissionNotOpen { .. }
            | StoreError::DepartureOnHold { .. }) => Self::Blocked(e),
            other => Self::Store(other),
        }
    }
}

/// Takes `action` on case `id`, provided the case is still at `expected_version`.
/// With `origin`, the action is recorded in the audit trail in the same
/// transaction (actor, action, case, origin). Returns the changed case and
/// the history entry.
pub async fn take_action(
    store: &dyn Store,
    id: CaseId,
    expected_version: i64,
    action: Action,
    ctx: &Context,
    origin: Option<&str>,
) -> Result<(Case, Transition), ActionError> {
    let case = store.case(id).await?.ok_or(ActionError::NotFound(id))?;
    take_action_on(store, case, expected_version, action, ctx, origin).await
}

/// [`take_action`] on a case the caller has just read (saves reading it
/// again). The write still checks that the stored case is at
/// `expected_version`, so a case changed since it was read is refused.
pub async fn take_action_on(
    store: &dyn Store,
    mut case: Case,
    expected_version: i64,
    action: Action,
    ctx: &Context,
    origin: Option<&str>,
) -> Result<(Case, Transition), ActionError> {
    let id = case.id;
    if case.version != expected_version {
        return Err(ActionError::Conflict {
            case: id,
            expected: expected_version,
        });
    }
    let kind = action.kind();
    let mut transition = case.apply(action, ctx)?;
    transition.seq = case.version;
    let entry = origin.map(|origin| NewAuditEntry {
        at: ctx.recorded_at,
        actor: ctx.actor.clone(),
        action: kind.as_str().to_string(),
        object: format!("case {id}"),
        result: AuditResult::Ok,
        origin: origin.to_string(),
    });
    store
        .record_transition(&case, &transition, entry.as_ref())
        .await?;
    Ok((case, transition))
}
