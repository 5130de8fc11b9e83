//! Why a form was refused, in the reader's language. The API gives the same
//! refusals in English, from the errors' own messages; the pages build theirs
//! from the errors' fields, so no English reaches a Dutch form.

use super::i18n::T;
use crate::problem::{FieldError, Problem};
use axum::http::StatusCode;
use resettle_domain::TransitionError;
use resettle_domain::account::AccountError;
use resettle_store::StoreError;
use resettle_store::workflow::ActionError;
use time::Date;

/// A date typed into a form, or the reason it is not one (the domain's rule).
pub(super) fn date(t: &T, raw: &str) -> Result<Date, String> {
    resettle_domain::rule::date(raw).map_err(|e| field(t, &e.into()))
}

/// Why a field was refused: the rule it breaks in the reader's language
/// where the domain names one, else the API's detail.
pub(super) fn field(t: &T, e: &FieldError) -> String {
    match e.rule {
        Some(rule) => {
            // Values that are codes of a vocabulary are said by their label.
            let values: Vec<(&str, fluent_bundle::FluentValue<'_>)> = e
                .values
                .iter()
                .map(|(name, value)| {
                    let shown = match *name {
                        "status" => t.term("reun-status", value),
                        "change" => t.term("reun-change", value),
                        "programme" | "missionProgramme" => t.term("programme", value),
                        // A day is written as the pages write it.
                        _ => resettle_domain::rule::date(value)
                            .map(|d| t.date(d))
                            .unwrap_or_else(|_| value.clone()),
                    };
                    (*name, shown.into())
                })
                .collect();
            t.with(&format!("rule-{}", rule.as_str()), &values)
        }
        None => e.detail.clone(),
    }
}

/// Why a request was refused as a whole, for a problem that names no field.
/// A conflict means the record changed since the form was shown (a newer
/// version, a hold already released, a travel plan replaced): the reader
/// reloads; a server failure is said without its detail (which is logged).
/// Other problems keep the API's detail.
pub(super) fn whole(t: &T, p: &Problem) -> String {
    match p.status() {
        StatusCode::CONFLICT => t.t("refused-changed-since"),
        s if s.is_server_error() => t.t("refused-store-failed"),
        _ => p.detail.clone(),
    }
}

/// Why the domain refuses an action.
pub(super) fn transition(t: &T, e: &TransitionError) -> String {
    let day = |d: &Date| d.to_string().into();
    match e {
        TransitionError::NotAllowed {
            action,
            from,
            allowed,
        } => {
            let allowed: Vec<String> = allowed
                .iter()
                .map(|s| t.term("state", s.as_str()))
                .collect();
            t.with(
                "refused-not-allowed",
                &[
                    ("action", t.term("action", action).into()),
                    ("from", t.term("state", from.as_str()).into()),
                    ("allowed", allowed.join(", ").into()),
                ],
            )
        }
        TransitionError::BeforePrevious { on, previous } => t.with(
            "refused-before-previous",
            &[("on", day(on)), ("previous", day(previous))],
        ),
        TransitionError::InFuture { on, today } => t.with(
            "refused-in-future",
            &[("on", day(on)), ("today", day(today))],
        ),
        TransitionError::InvalidField { rule, .. } => t.t(&format!("rule-{}", rule.code())),
        TransitionError::NoActor => t.t("refused-no-actor"),
    }
}

/// Why the store refuses a change: the pipeline's rules, or a stale version.
/// Other store errors (a failed write) keep their own message.
pub(super) fn store(t: &T, e: &StoreError) -> String {
    match e {
        StoreError::Conflict { .. } => t.t("refused-conflict"),
        StoreError::PlacesExhausted {
            places,
            used,
            requested,
            ..
        } => t.with(
            "refused-places-exhausted",
            &[
                ("places", (*places).into()),
                ("used", (*used).into()),
                ("requested", (*requested).into()),
            ],
        ),
        StoreError::MissionNotOpen { status, .. } => t.with(
            "refused-mission-not-open",
            &[(
                "status",
                t.term("mission-status", status).to_lowercase().into(),
            )],
        ),
        StoreError::DepartureOnHold { since, reason, .. } => t.with(
            "refused-departure-on-hold",
            &[
                ("since", since.to_string().into()),
                ("reason", reason.clone().into()),
            ],
        ),
        StoreError::Duplicate { value, .. } => {
            t.with("refused-duplicate", &[("value", value.clone().into())])
        }
        StoreError::Invalid { .. } => e.to_string(),
        StoreError::Refused(p) => field(t, &p.clone().into()),
        // A failed write: its detail is for the operator's log, not the reader.
        other => {
            tracing::error!(error = %other, "store failure behind a form");
            t.t("refused-store-failed")
        }
    }
}

/// Why an action on a case was refused.
pub(super) fn action(t: &T, e: &ActionError) -> String {
    match e {
        ActionError::Refused(e) => transition(t, e),
        ActionError::Conflict { .. } => t.t("refused-conflict"),
        ActionError::Blocked(e) | ActionError::Store(e) => store(t, e),
        ActionError::NotFound(_) => t.t("refused-case-gone"),
    }
}

/// Why an account cannot be made as asked.
pub(super) fn account(t: &T, e: &AccountError) -> String {
    match e {
        AccountError::BadUsername(raw) => {
            t.with("account-bad-username", &[("value", raw.clone().into())])
        }
        AccountError::WeakPassword => t.t("account-weak-password"),
        AccountError::MonotonousPassword => t.t("account-monotonous-password"),
        AccountError::CommonPassword(word) => {
            t.with("account-common-password", &[("word", word.clone().into())])
        }
        AccountError::NeedsOrganisation(role) => t.with(
            "account-needs-organisation",
            &[("role", t.term("role", role.as_str()).into())],
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::Lang;

    #[test]
    fn a_failure_is_said_without_its_detail_and_a_vanished_case_in_dutch() {
        let t = T(Lang::Nl);
        let failed = store(
            &t,
            &StoreError::WriteFailed("disk I/O error at page 7".into()),
        );
        assert!(
            failed.starts_with("een storing verhinderde dit"),
            "{failed}"
        );
        assert!(!failed.contains("disk"));
        let gone = action(
            &t,
            &ActionError::NotFound(resettle_domain::CaseId::generate()),
        );
        assert_eq!(gone, "deze zaak bestaat niet (meer)");
        let server = Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "pool timed out");
        assert!(whole(&t, &server).starts_with("een storing"));
    }
}
