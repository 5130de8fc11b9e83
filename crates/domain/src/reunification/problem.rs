//! A refusal of family reunification as a field problem: the field it names,
//! the rule it breaks and the values the message names, so that pages say
//! it in the reader's language (`rule-…`) and the API in English.

use super::ReunificationError as E;
use crate::lifecycle::TransitionError;
use crate::person::DateOfBirthError;
use crate::rule::{FieldProblem, Rule};

impl E {
    /// The refusal as a field problem (the field is the API's JSON path).
    pub fn problem(&self) -> FieldProblem {
        let text = self.to_string();
        let (field, message) = text.split_once(": ").unwrap_or(("", text.as_str()));
        let p = |rule| FieldProblem::new(field, rule, message);
        match self {
            E::SponsorNotArrived(n) => p(Rule::ReunSponsorNotArrived).with("case", n),
            E::SponsorIsReunification(n) => p(Rule::ReunSponsorIsReunification).with("case", n),
            E::AppliedBeforePermit { applied, permit } => p(Rule::ReunAppliedBeforePermit)
                .with("applied", applied)
                .with("permit", permit),
            E::PermitBeforeArrival { permit, arrived } => p(Rule::ReunPermitBeforeArrival)
                .with("permit", permit)
                .with("arrived", arrived),
            E::NoRelatives => p(Rule::ReunNoRelatives),
            E::RelativeName(_) => p(Rule::ReunRelativeName),
            E::RelativeIsSponsor(_) | E::LeftBehindPrincipal(_) => p(Rule::ReunRelativeIsSponsor),
            E::DateOfBirth(_, DateOfBirthError::InFuture(d)) => {
                p(Rule::ReunBornInFuture).with("value", d)
            }
            E::DateOfBirth(_, DateOfBirthError::TooEarly(d)) => {
                p(Rule::ReunBornTooEarly).with("value", d)
            }
            E::Text { max, .. } => p(Rule::TextBounded).with("max", max),
            E::Missing { .. } => p(Rule::ReunRelativeName),
            E::AlreadyApplied(_, id) => p(Rule::ReunAlreadyApplied).with("application", id),
            E::NoSuchRelative(n) => p(Rule::ReunNoSuchRelative).with("relative", n),
            E::NotAllowed { change, status } => p(Rule::ReunNotAllowed)
                .with("change", change)
                .with("status", status.as_str()),
            E::RejectionNeedsGround => p(Rule::ReunRejectionNeedsGround),
            E::DecisionNeedsMotivation => p(Rule::ReunDecisionNeedsMotivation),
            E::GrantNeedsEvidence => p(Rule::ReunGrantNeedsEvidence),
            E::Extension { max } => p(Rule::ReunExtension).with("max", max),
            E::NoTerms(on) => p(Rule::ReunNoTerms).with("on", on),
            E::BookingNeedsReference => p(Rule::ReunBookingNeedsReference),
            E::DepartsBeforeVisa { departs, visa } => p(Rule::ReunDepartsBeforeVisa)
                .with("departs", departs)
                .with("visa", visa),
            E::VisaBeforeGrant { visa, granted } => p(Rule::ReunVisaBeforeGrant)
                .with("visa", visa)
                .with("granted", granted),
            E::ArrivesBeforeDeparture { on, departs } => p(Rule::ReunArrivesBeforeDeparture)
                .with("on", on)
                .with("departs", departs),
            E::PermitAfterArrival => p(Rule::ReunPermitValidAfterArrival),
            E::Context(e) => context(e),
        }
    }
}

/// A refused day or actor of a change: always the change's `occurredOn`.
fn context(e: &TransitionError) -> FieldProblem {
    let message = e.to_string();
    match e {
        TransitionError::InFuture { on, today } => {
            FieldProblem::new("occurredOn", Rule::DateInFuture, message)
                .with("on", on)
                .with("today", today)
        }
        TransitionError::BeforePrevious { on, previous } => {
            FieldProblem::new("occurredOn", Rule::DateBeforePrevious, message)
                .with("on", on)
                .with("previous", previous)
        }
        // Neither comes from a form: the actor is the signed-in account, and
        // a change of an application names no lifecycle field.
        TransitionError::NoActor
        | TransitionError::NotAllowed { .. }
        | TransitionError::InvalidField { .. } => {
            FieldProblem::new("actor", Rule::NameTheActor, message)
        }
    }
}
