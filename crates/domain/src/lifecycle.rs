//! The lifecycle of a case: its states, the actions that move it between them,
//! and the record each move leaves in the case history.

use crate::submission::vocabulary;
use serde::{Deserialize, Serialize};
use thiserror::Error;
use time::{Date, OffsetDateTime};

vocabulary!(
    /// Where a case stands in the resettlement process.
    CaseState {
        Submitted = "submitted",
        UnderAssessment = "under-assessment",
        Accepted = "accepted",
        Rejected = "rejected",
        Withdrawn = "withdrawn",
        PreDeparture = "pre-departure",
        Departed = "departed",
        Arrived = "arrived",
        Housed = "housed",
        IntegrationGuidance = "integration-guidance",
        Closed = "closed",
    }
);

vocabulary!(
    /// Grounds for an IND refusal (Regulation (EU) 2024/1350 art. 6 and national policy).
    RejectionGround {
        NoNationalPolicyBasis = "no-national-policy-basis",
        Exclusion = "exclusion",
        PublicOrderOrSecurity = "public-order-or-security",
        ProtectionAvailableElsewhere = "protection-available-elsewhere",
        AlreadyProtectedInMemberState = "already-protected-in-member-state",
        EntryBan = "entry-ban",
        Other = "other",
    }
);

vocabulary!(
    /// How cultural orientation training is given.
    TrainingMode {
        InPerson = "in-person",
        Digital = "digital",
    }
);

/// The asylum permit handed over on arrival.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Permit {
    pub valid_until: Date,
}

/// Where a case is housed after arrival.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(
    tag = "type",
    rename_all = "kebab-case",
    rename_all_fields = "camelCase"
)]
pub enum Housing {
    /// Directly in a municipality.
    Municipality { municipality: String },
    /// First in a COA reception location, with the reason (no suitable dwelling yet,
    /// individual circumstances, migration-cooperation arrivals).
    CoaReception { location: String, reason: String },
}

/// Integration guidance by a social organisation for a period after arrival.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Guidance {
    pub organisation: String,
    pub until: Date,
    /// An optional community sponsor group that supports the family.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sponsor_group: Option<String>,
}

/// Something an officer does to a case. Each action has one target state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(
    tag = "type",
    rename_all = "kebab-case",
    rename_all_fields = "camelCase",
    deny_unknown_fields
)]
pub enum Action {
    /// UNHCR's submission was registered (the first entry of every history).
    Submit,
    StartAssessment,
    /// The IND accepts the case. A case linked to a mission takes places
    /// (persons) of it; beyond its places only with `placeOverride`.
    // The OpenAPI derive reads `rename_all` on the variant, not `rename_all_fields`.
    #[serde(rename_all = "camelCase")]
    Accept {
        /// The country-policy basis for acceptance.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        policy_basis: Option<String>,
        /// Why the case is accepted beyond the mission's places (an officer's override).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        place_override: Option<String>,
    },
    Reject {
        grounds: Vec<RejectionGround>,
    },
    Withdraw,
    StartPreDeparture {
        training: TrainingMode,
    },
    Depart,
    Arrive {
        permit: Permit,
    },
    House {
        housing: Housing,
    },
    StartIntegrationGuidance {
        guidance: Guidance,
    },
    Close,
    /// COA assigns the family to a municipality for housing (a confirmed
    /// placement); the case keeps its state, and the municipality sees it.
    AssignHousing {
        /// The municipality's name, as housing names it.
        municipality: String,
    },
    /// COA undoes the housing assignment before the family is housed.
    CancelHousingAssignment,
}

vocabulary!(
    /// The name of an action, as used in URLs and the history.
    ActionKind {
        Submit = "submit",
        StartAssessment = "start-assessment",
        Accept = "accept",
        Reject = "reject",
        Withdraw = "withdraw",
        StartPreDeparture = "start-pre-departure",
        Depart = "depart",
        Arrive = "arrive",
        House = "house",
        StartIntegrationGuidance = "start-integration-guidance",
        Close = "close",
        AssignHousing = "assign-housing",
        CancelHousingAssignment = "cancel-housing-assignment",
    }
);

impl ActionKind {
    /// The state this action leads to; `None` for an action that keeps the
    /// case in its state (a housing assignment and its undoing).
    pub fn target(&self) -> Option<CaseState> {
        Some(match self {
            Self::Submit => CaseState::Submitted,
            Self::StartAssessment => CaseState::UnderAssessment,
            Self::Accept => CaseState::Accepted,
            Self::Reject => CaseState::Rejected,
            Self::Withdraw => CaseState::Withdrawn,
            Self::StartPreDeparture => CaseState::PreDeparture,
            Self::Depart => CaseState::Departed,
            Self::Arrive => CaseState::Arrived,
            Self::House => CaseState::Housed,
            Self::StartIntegrationGuidance => CaseState::IntegrationGuidance,
            Self::Close => CaseState::Closed,
            Self::AssignHousing | Self::CancelHousingAssignment => return None,
        })
    }

    /// The state this action leads to when taken from `from`.
    pub fn target_from(&self, from: CaseState) -> CaseState {
        self.target().unwrap_or(from)
    }

    /// The states this action may be taken from. Re-housing (from a COA
    /// location to a municipality) is a move from `housed` to `housed`.
    /// `submit` is never taken: it only opens a history.
    pub fn allowed_from(&self) -> &'static [CaseState] {
        use CaseState::*;
        match self {
            Self::Submit => &[],
            Self::StartAssessment => &[Submitted],
            Self::Accept | Self::Reject => &[UnderAssessment],
            Self::Withdraw => &[Submitted, UnderAssessment, Accepted, PreDeparture],
            Self::StartPreDeparture => &[Accepted],
            Self::Depart => &[PreDeparture],
            Self::Arrive => &[Departed],
            Self::House => &[Arrived, Housed],
            Self::StartIntegrationGuidance => &[Housed],
            Self::Close => &[Rejected, Withdrawn, IntegrationGuidance],
            // A family waits for its municipality until it is housed.
            Self::AssignHousing | Self::CancelHousingAssignment => {
                &[Accepted, PreDeparture, Departed, Arrived]
            }
        }
    }
}

impl CaseState {
    /// The actions an officer may take from this state.
    pub fn allowed_actions(&self) -> Vec<ActionKind> {
        ActionKind::ALL
            .iter()
            .copied()
            .filter(|a| a.allowed_from().contains(self))
            .collect()
    }
}

impl Action {
    /// Acceptance without a recorded basis or override.
    pub fn accept() -> Self {
        Self::Accept {
            policy_basis: None,
            place_override: None,
        }
    }

    /// Whether taking the action sets one of the dates the quota figures
    /// count by (selection or arrival). The other actions leave both alone,
    /// so a store need not re-bucket the case's counted facts after them.
    pub fn sets_counted_date(&self) -> bool {
        matches!(self, Self::Accept { .. } | Self::Arrive { .. })
    }

    pub fn kind(&self) -> ActionKind {
        match self {
            Self::Submit => ActionKind::Submit,
            Self::StartAssessment => ActionKind::StartAssessment,
            Self::Accept { .. } => ActionKind::Accept,
            Self::Reject { .. } => ActionKind::Reject,
            Self::Withdraw => ActionKind::Withdraw,
            Self::StartPreDeparture { .. } => ActionKind::StartPreDeparture,
            Self::Depart => ActionKind::Depart,
            Self::Arrive { .. } => ActionKind::Arrive,
            Self::House { .. } => ActionKind::House,
            Self::StartIntegrationGuidance { .. } => ActionKind::StartIntegrationGuidance,
            Self::Close => ActionKind::Close,
            Self::AssignHousing { .. } => ActionKind::AssignHousing,
            Self::CancelHousingAssignment => ActionKind::CancelHousingAssignment,
        }
    }

    /// Checks the action's own fields, independent of the case: the first problem.
    fn validate(&self, on: Date, reason: Option<&str>) -> Result<(), TransitionError> {
        match self.field_problems(on, reason).into_iter().next() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// Every problem with the action's own fields, independent of the case.
    fn field_problems(&self, on: Date, reason: Option<&str>) -> Vec<TransitionError> {
        let mut out = Vec::new();
        let mut invalid = |field: &'static str, rule: FieldRule| {
            out.push(TransitionError::InvalidField { field, rule })
        };
        let blank = |v: &str| v.trim().is_empty();
        match self {
            Self::Accept {
                place_override: Some(o),
                ..
            } if blank(o) => invalid("action.placeOverride", FieldRule::OverrideNeedsReason),
            Self::Reject { grounds } => {
                if grounds.is_empty() {
                    invalid("grounds", FieldRule::RejectionNeedsGround);
                }
                // A refusal is a decision that must be motivated (Awb 3:46).
                if reason.is_none_or(blank) {
                    invalid("reason", FieldRule::RejectionNeedsMotivation);
                }
            }
            Self::Withdraw if reason.is_none_or(blank) => {
                invalid("reason", FieldRule::WithdrawalNeedsReason)
            }
            Self::Arrive { permit } if permit.valid_until <= on => {
                invalid("permit.validUntil", FieldRule::PermitAfterArrival)
            }
            Self::House {
                housing: Housing::Municipality { municipality },
            } if blank(municipality) => {
                invalid("housing.municipality", FieldRule::NameMunicipality)
            }
            Self::AssignHousing { municipality } if blank(municipality) => {
                invalid("action.municipality", FieldRule::NameMunicipality)
            }
            Self::House {
                housing: Housing::CoaReception { location, reason },
            } => {
                if blank(location) {
                    invalid("housing.location", FieldRule::NameCoaLocation);
                }
                if blank(reason) {
                    invalid("housing.reason", FieldRule::SayWhyCoaFirst);
                }
            }
            Self::StartIntegrationGuidance { guidance } => {
                if blank(&guidance.organisation) {
                    invalid("guidance.organisation", FieldRule::NameOrganisation);
                }
                if guidance.until <= on {
                    invalid("guidance.until", FieldRule::GuidanceEndsAfterStart);
                }
            }
            _ => {}
        }
        out
    }
}

/// Who did something and when, passed in by the caller (the domain has no clock).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Context {
    /// The business date of the event (day of selection, arrival …).
    pub occurred_on: Date,
    /// When the system recorded it.
    pub recorded_at: OffsetDateTime,
    pub actor: String,
    pub reason: Option<String>,
}

impl Context {
    /// The business day on which it was recorded: the Dutch date of
    /// `recorded_at` ([`crate::calendar::business_day`]). No event can have
    /// taken place after it.
    pub fn today(&self) -> Date {
        crate::calendar::business_day(self.recorded_at)
    }
}

/// One entry of a case's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Transition {
    /// Position in the history, from 1.
    pub seq: i64,
    /// `None` for the submission that created the case.
    pub from: Option<CaseState>,
    pub to: CaseState,
    pub action: Action,
    pub occurred_on: Date,
    #[serde(with = "time::serde::rfc3339")]
    pub recorded_at: OffsetDateTime,
    pub actor: String,
    pub reason: Option<String>,
    /// Version of the case before this transition (0 for the submission).
    pub previous_version: i64,
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum TransitionError {
    #[error(
        "'{action}' is not allowed from state '{from}'; it is allowed from: {}",
        allowed.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
    )]
    NotAllowed {
        action: &'static str,
        from: CaseState,
        allowed: Vec<CaseState>,
    },
    #[error("date {on} lies before the previous event of the case ({previous})")]
    BeforePrevious { on: Date, previous: Date },
    #[error("date {on} lies after today ({today})")]
    InFuture { on: Date, today: Date },
    #[error("{field}: {rule}")]
    InvalidField {
        field: &'static str,
        rule: FieldRule,
    },
    #[error("actor: must name who made the change")]
    NoActor,
}

/// A rule an action's own field breaks. The English text is the API's; the
/// pages say it in the reader's language by its [`code`](Self::code).
#[derive(Debug, Clone, Copy, Error, PartialEq, Eq)]
pub enum FieldRule {
    #[error("an override of the mission's places needs a reason")]
    OverrideNeedsReason,
    #[error("a rejection needs at least one ground")]
    RejectionNeedsGround,
    #[error("a withdrawal needs a reason")]
    WithdrawalNeedsReason,
    #[error("a rejection needs its motivation")]
    RejectionNeedsMotivation,
    #[error("the family is already assigned to a municipality; undo that assignment first")]
    AlreadyAssigned,
    #[error("the family has no housing assignment to undo")]
    NotAssigned,
    #[error("the permit must be valid after the day of arrival")]
    PermitAfterArrival,
    #[error("name the municipality")]
    NameMunicipality,
    #[error("name the COA reception location")]
    NameCoaLocation,
    #[error("say why the family goes to a COA location first")]
    SayWhyCoaFirst,
    #[error("name the guiding organisation")]
    NameOrganisation,
    #[error("the guidance period must end after it starts")]
    GuidanceEndsAfterStart,
}

impl FieldRule {
    pub const ALL: &'static [FieldRule] = &[
        Self::OverrideNeedsReason,
        Self::RejectionNeedsGround,
        Self::WithdrawalNeedsReason,
        Self::RejectionNeedsMotivation,
        Self::AlreadyAssigned,
        Self::NotAssigned,
        Self::PermitAfterArrival,
        Self::NameMunicipality,
        Self::NameCoaLocation,
        Self::SayWhyCoaFirst,
        Self::NameOrganisation,
        Self::GuidanceEndsAfterStart,
    ];

    /// A stable name of the rule, for translations.
    pub fn code(self) -> &'static str {
        match self {
            Self::OverrideNeedsReason => "override-needs-reason",
            Self::RejectionNeedsGround => "rejection-needs-ground",
            Self::WithdrawalNeedsReason => "withdrawal-needs-reason",
            Self::RejectionNeedsMotivation => "rejection-needs-motivation",
            Self::AlreadyAssigned => "already-assigned",
            Self::NotAssigned => "not-assigned",
            Self::PermitAfterArrival => "permit-after-arrival",
            Self::NameMunicipality => "name-municipality",
            Self::NameCoaLocation => "name-coa-location",
            Self::SayWhyCoaFirst => "say-why-coa-first",
            Self::NameOrganisation => "name-organisation",
            Self::GuidanceEndsAfterStart => "guidance-ends-after-start",
        }
    }
}

impl TransitionError {
    /// The message without the field name (for callers that show the field apart).
    pub fn message(&self) -> String {
        match self {
            Self::InvalidField { rule, .. } => rule.to_string(),
            other => other.to_string(),
        }
    }

    /// The request field the error is about.
    pub fn field(&self) -> &'static str {
        match self {
            Self::NotAllowed { .. } => "action",
            Self::BeforePrevious { .. } | Self::InFuture { .. } => "occurredOn",
            Self::InvalidField { field, .. } => field,
            Self::NoActor => "actor",
        }
    }
}

/// Checks that `action` may be taken from `from` on `ctx.occurred_on`, given the
/// date of the last event, and returns the state it leads to.
pub(crate) fn check(
    from: CaseState,
    last_event_on: Date,
    action: &Action,
    ctx: &Context,
) -> Result<CaseState, TransitionError> {
    let kind = action.kind();
    if !kind.allowed_from().contains(&from) {
        return Err(TransitionError::NotAllowed {
            action: kind.as_str(),
            from,
            allowed: kind.allowed_from().to_vec(),
        });
    }
    check_context(last_event_on, ctx)?;
    action.validate(ctx.occurred_on, ctx.reason.as_deref())?;
    Ok(kind.target_from(from))
}

/// Every problem of `action` on `ctx` besides whether it is allowed from
/// the state: the date, the actor and the action's own fields, so that a
/// form can list them all at once.
pub(crate) fn problems(
    last_event_on: Date,
    action: &Action,
    ctx: &Context,
) -> Vec<TransitionError> {
    let mut out = context_problems(last_event_on, ctx);
    out.extend(action.field_problems(ctx.occurred_on, ctx.reason.as_deref()));
    out
}

pub(crate) fn check_context(last_event_on: Date, ctx: &Context) -> Result<(), TransitionError> {
    match context_problems(last_event_on, ctx).into_iter().next() {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

fn context_problems(last_event_on: Date, ctx: &Context) -> Vec<TransitionError> {
    let mut out = Vec::new();
    if ctx.actor.trim().is_empty() {
        out.push(TransitionError::NoActor);
    }
    let today = ctx.today();
    if ctx.occurred_on > today {
        out.push(TransitionError::InFuture {
            on: ctx.occurred_on,
            today,
        });
    }
    if ctx.occurred_on < last_event_on {
        out.push(TransitionError::BeforePrevious {
            on: ctx.occurred_on,
            previous: last_event_on,
        });
    }
    out
}
