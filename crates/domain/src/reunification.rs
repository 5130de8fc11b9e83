//! Family reunification for refugees ("nareis"): the relatives a resettled
//! family leaves behind, recorded at selection, and the application a
//! resettled refugee (the sponsor) makes for them afterwards, decided per
//! relative by the IND, with travel and arrival arranged by COA.
//!
//! The application window and the decision term are policy data
//! ([`ReunificationTerms`]) valid for a period, never constants here. A late
//! application is flagged, not refused: only the favourable conditions lapse.
//! An arrived relative becomes a family-reunification case of their own
//! ([`Application::arrival_case`]), so the ledger counts them as it counts
//! every later-arriving family member: in the framework in force on the day
//! of arrival, never in the EU count.

use crate::calendar::add_months;
use crate::case::{Case, NewCase, Submission};
use crate::country::Nationality;
use crate::ids::{CaseId, PersonId};
use crate::lifecycle::{Action, CaseState, Context, Permit, TrainingMode, TransitionError};
use crate::norms::{NormStatus, check_norm};
use crate::person::{DateOfBirth, Member, Relationship, Sex};
use crate::policy::{PolicySet, ReunificationTerms};
use crate::submission::{
    CaseNumber, Programme, SubmissionCategory, SubmissionPriority, Track, vocabulary,
};
use serde::{Deserialize, Serialize};
use thiserror::Error;
use time::{Date, Duration};
use uuid::Uuid;

/// Id of a family-reunification application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, format = Uuid))]
pub struct ApplicationId(Uuid);

impl ApplicationId {
    pub fn generate() -> Self {
        Self(Uuid::now_v7())
    }
    pub fn from_uuid(id: Uuid) -> Self {
        Self(id)
    }
    pub fn as_uuid(&self) -> Uuid {
        self.0
    }
}

impl std::fmt::Display for ApplicationId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::str::FromStr for ApplicationId {
    type Err = uuid::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uuid::parse_str(s).map(Self)
    }
}

/// A family member who stays behind when the family is resettled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RelativeLeftBehind {
    pub given_name: String,
    pub family_name: String,
    /// Relationship to the principal applicant of the case.
    pub relationship: Relationship,
    /// Where the relative is (country, town, camp).
    pub whereabouts: String,
    /// Why the relative does not travel with the family.
    pub reason_stays: String,
    /// Whether the relative is expected to apply for family reunification.
    pub expected_to_apply: bool,
}

vocabulary!(
    /// Where one relative of an application stands.
    RelativeStatus {
        Applied = "applied",
        Evidence = "evidence",
        Interview = "interview",
        Granted = "granted",
        Rejected = "rejected",
        Withdrawn = "withdrawn",
        Travel = "travel",
        Arrived = "arrived",
    }
);

vocabulary!(
    /// Evidence of identity and family ties.
    EvidenceKind {
        Documents = "documents",
        // A DNA test offered because documents are lacking.
        DnaOffered = "dna-offered",
        DnaResult = "dna-result",
    }
);

vocabulary!(
    /// Grounds for refusing family reunification to a relative.
    ReunificationGround {
        FamilyTiesNotEstablished = "family-ties-not-established",
        IdentityNotEstablished = "identity-not-established",
        NotAnEligibleRelative = "not-an-eligible-relative",
        PublicOrder = "public-order",
        Other = "other",
    }
);

vocabulary!(
    /// The IND's decision on one relative.
    DecisionKind {
        Grant = "grant",
        Reject = "reject",
        Withdrawn = "withdrawn",
    }
);

/// One piece of evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Evidence {
    pub kind: EvidenceKind,
    pub on: Date,
    #[serde(default)]
    pub note: String,
}

/// Travel of a granted relative: the visa for temporary stay (MVV) and the booking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReunificationTravel {
    pub visa_issued_on: Date,
    pub departs_on: Date,
    pub booking_reference: String,
}

/// A relative as the sponsor names them in the application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewRelative {
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: Date,
    pub sex: Sex,
    pub nationality: Nationality,
    /// Relationship to the sponsor.
    pub relationship: Relationship,
}

/// A relative of an application with their own process.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AppliedRelative {
    pub id: PersonId,
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: DateOfBirth,
    pub sex: Sex,
    pub nationality: Nationality,
    pub relationship: Relationship,
    pub status: RelativeStatus,
    #[serde(default)]
    pub evidence: Vec<Evidence>,
    pub interviewed_on: Option<Date>,
    pub decided_on: Option<Date>,
    #[serde(default)]
    pub grounds: Vec<ReunificationGround>,
    /// The motivation of a refusal or withdrawal.
    pub motivation: Option<String>,
    pub travel: Option<ReunificationTravel>,
    pub arrived_on: Option<Date>,
    /// The family-reunification case the relative arrived as.
    pub arrival_case: Option<CaseNumber>,
    /// True when the reader may not see who this relative is (the names are
    /// then empty): a municipality learns a name once the IND grants.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub identity_withheld: bool,
}

/// What the sponsor applies for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewApplication {
    pub sponsor_case_id: CaseId,
    /// The day the sponsor's asylum permit was issued.
    pub permit_issued_on: Date,
    pub applied_on: Date,
    pub relatives: Vec<NewRelative>,
}

/// A family-reunification application, linked to the sponsor's case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Application {
    pub id: ApplicationId,
    pub sponsor_case_id: CaseId,
    pub sponsor_case_number: CaseNumber,
    pub permit_issued_on: Date,
    pub applied_on: Date,
    /// Days the IND extended its decision term by (zero: not extended).
    #[serde(default)]
    pub decision_extended_days: u32,
    pub relatives: Vec<AppliedRelative>,
    /// Incremented by every change; a change against an older version is refused.
    pub version: i64,
    /// Date of the last event; no event may be dated before it.
    pub last_event_on: Date,
}

/// A change of an application: the first is `apply`; the others name a
/// relative by their position in the application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(
    tag = "type",
    rename_all = "kebab-case",
    rename_all_fields = "camelCase",
    deny_unknown_fields
)]
pub enum ApplicationChange {
    Apply,
    RecordEvidence {
        relative: usize,
        kind: EvidenceKind,
        #[serde(default)]
        note: String,
    },
    Interview {
        relative: usize,
    },
    #[serde(rename_all = "camelCase")]
    Decide {
        relative: usize,
        decision: DecisionKind,
        #[serde(default)]
        grounds: Vec<ReunificationGround>,
    },
    ExtendDecisionTerm {
        days: u32,
    },
    #[serde(rename_all = "camelCase")]
    ArrangeTravel {
        relative: usize,
        visa_issued_on: Date,
        departs_on: Date,
        booking_reference: String,
    },
    #[serde(rename_all = "camelCase")]
    Arrive {
        relative: usize,
        permit_valid_until: Date,
    },
}

impl ApplicationChange {
    /// The change's name, for the audit trail.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Apply => "apply",
            Self::RecordEvidence { .. } => "record-evidence",
            Self::Interview { .. } => "interview",
            Self::Decide { .. } => "decide",
            Self::ExtendDecisionTerm { .. } => "extend-decision-term",
            Self::ArrangeTravel { .. } => "arrange-travel",
            Self::Arrive { .. } => "arrive",
        }
    }

    /// Whether the IND makes this change (the others are COA's).
    pub fn by_ind(&self) -> bool {
        matches!(
            self,
            Self::Apply
                | Self::RecordEvidence { .. }
                | Self::Interview { .. }
                | Self::Decide { .. }
                | Self::ExtendDecisionTerm { .. }
        )
    }
}

/// One entry of an application's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ApplicationEvent {
    pub seq: i64,
    pub change: ApplicationChange,
    pub occurred_on: Date,
    pub actor: String,
    pub reason: Option<String>,
}

/// Why an application or a change of it is refused. Each names its field.
#[derive(Debug, PartialEq, Eq, Error)]
pub enum ReunificationError {
    #[error("sponsorCaseId: case {0} is not an arrived resettlement case, so nobody can join it")]
    SponsorNotArrived(CaseNumber),
    #[error(
        "sponsorCaseId: case {0} is itself family reunification; apply with the resettled case"
    )]
    SponsorIsReunification(CaseNumber),
    #[error("appliedOn: {applied} lies before the permit was issued ({permit})")]
    AppliedBeforePermit { applied: Date, permit: Date },
    #[error(
        "permitIssuedOn: {permit} lies before the sponsor's family arrived ({arrived}); a resettled refugee's permit is issued on arrival"
    )]
    PermitBeforeArrival { permit: Date, arrived: Date },
    #[error("relatives: name at least one relative")]
    NoRelatives,
    #[error("relatives[{0}].givenName: give the relative's given and family name")]
    RelativeName(usize),
    #[error("relatives[{0}].relationship: the sponsor cannot apply for themselves")]
    RelativeIsSponsor(usize),
    #[error("relatives[{0}].dateOfBirth: {1}")]
    DateOfBirth(usize, crate::person::DateOfBirthError),
    #[error("{field}: give at most {max} characters, without control or direction characters")]
    Text { field: String, max: usize },
    #[error("{field}: give a value")]
    Missing { field: String },
    #[error(
        "relatives[{0}]: this relative is already in an open application of the sponsor ({1}); record the new step there"
    )]
    AlreadyApplied(usize, ApplicationId),
    #[error("relatives[{0}].relationship: the principal applicant travels with the case")]
    LeftBehindPrincipal(usize),
    #[error("relative: there is no relative {0} in this application")]
    NoSuchRelative(usize),
    #[error("relative: '{change}' is not allowed for a relative who is {status}")]
    NotAllowed {
        change: &'static str,
        status: RelativeStatus,
    },
    #[error("grounds: a rejection needs at least one ground")]
    RejectionNeedsGround,
    #[error("reason: a rejection or withdrawal needs a motivation")]
    DecisionNeedsMotivation,
    #[error("relative: a grant needs evidence of identity and family ties first")]
    GrantNeedsEvidence,
    #[error("days: the decision term is extended once, by 1 to {max} days")]
    Extension { max: u32 },
    #[error("familyReunification: no terms of family reunification are in force on {0}")]
    NoTerms(Date),
    #[error("bookingReference: give the booking reference")]
    BookingNeedsReference,
    #[error("departsOn: the departure {departs} lies before the visa was issued ({visa})")]
    DepartsBeforeVisa { departs: Date, visa: Date },
    #[error("visaIssuedOn: the visa {visa} lies before the grant ({granted})")]
    VisaBeforeGrant { visa: Date, granted: Date },
    #[error("occurredOn: the arrival {on} lies before the departure ({departs})")]
    ArrivesBeforeDeparture { on: Date, departs: Date },
    #[error("permitValidUntil: the permit must be valid after the arrival")]
    PermitAfterArrival,
    #[error(transparent)]
    Context(#[from] TransitionError),
}

/// Which norm of family reunification a check is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum ReunificationNorm {
    /// Applied within the window after the sponsor's permit.
    ApplicationWindow,
    /// Every relative decided within the (extended) decision term.
    DecisionTerm,
    /// A granted relative arrived within the travel norm.
    TravelAfterGrant,
}

/// One norm of an application (or of one relative, for travel) on a day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ReunificationNormCheck {
    pub norm: ReunificationNorm,
    /// The relative the check is about (travel only).
    pub relative: Option<usize>,
    pub started: Date,
    pub deadline: Date,
    pub days_left: i64,
    pub status: NormStatus,
}

fn days(n: u32) -> Duration {
    Duration::days(i64::from(n))
}

impl RelativeStatus {
    /// Whether the IND has still to decide on the relative.
    pub fn undecided(self) -> bool {
        matches!(self, Self::Applied | Self::Evidence | Self::Interview)
    }
}

impl Application {
    /// Registers the sponsor's application for `sponsor` (an arrived resettlement case).
    pub fn apply(
        id: ApplicationId,
        new: &NewApplication,
        sponsor: &Case,
        ctx: &Context,
    ) -> Result<(Application, ApplicationEvent), ReunificationError> {
        let number = &sponsor.submission.case_number;
        if sponsor.submission.family_reunification_of.is_some() {
            return Err(ReunificationError::SponsorIsReunification(number.clone()));
        }
        let Some(arrived) = sponsor.arrived_on else {
            return Err(ReunificationError::SponsorNotArrived(number.clone()));
        };
        if new.permit_issued_on < arrived {
            return Err(ReunificationError::PermitBeforeArrival {
                permit: new.permit_issued_on,
                arrived,
            });
        }
        if new.applied_on < new.permit_issued_on {
            return Err(ReunificationError::AppliedBeforePermit {
                applied: new.applied_on,
                permit: new.permit_issued_on,
            });
        }
        if new.relatives.is_empty() {
            return Err(ReunificationError::NoRelatives);
        }
        let mut ctx = ctx.clone();
        ctx.occurred_on = new.applied_on;
        crate::lifecycle::check_context(new.applied_on, &ctx)?;
        let relatives = new
            .relatives
            .iter()
            .enumerate()
            .map(|(i, r)| {
                if r.given_name.trim().is_empty() || r.family_name.trim().is_empty() {
                    return Err(ReunificationError::RelativeName(i));
                }
                for (field, value) in [("givenName", &r.given_name), ("familyName", &r.family_name)]
                {
                    name_text(value).map_err(|max| ReunificationError::Text {
                        field: format!("relatives[{i}].{field}"),
                        max,
                    })?;
                }
                if r.relationship == Relationship::PrincipalApplicant {
                    return Err(ReunificationError::RelativeIsSponsor(i));
                }
                let born = DateOfBirth::new(r.date_of_birth, new.applied_on)
                    .map_err(|e| ReunificationError::DateOfBirth(i, e))?;
                Ok(AppliedRelative::new(r, born))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let application = Application {
            id,
            sponsor_case_id: sponsor.id,
            sponsor_case_number: number.clone(),
            permit_issued_on: new.permit_issued_on,
            applied_on: new.applied_on,
            decision_extended_days: 0,
            relatives,
            version: 1,
            last_event_on: new.applied_on,
        };
        let event = ApplicationEvent {
            seq: 1,
            change: ApplicationChange::Apply,
            occurred_on: new.applied_on,
            actor: ctx.actor,
            reason: ctx.reason,
        };
        Ok((application, event))
    }

    /// Refuses a relative who is already in an open application of the same
    /// sponsor (the same given and family name; a date of birth typed
    /// differently does not make another person): one relative, one process.
    pub fn not_applied_before(
        new: &NewApplication,
        existing: &[Application],
    ) -> Result<(), ReunificationError> {
        let same = |a: &str, b: &str| a.trim().eq_ignore_ascii_case(b.trim());
        for (i, r) in new.relatives.iter().enumerate() {
            let open = existing.iter().find(|a| {
                a.sponsor_case_id == new.sponsor_case_id
                    && a.relatives.iter().any(|x| {
                        x.status.open()
                            && same(&x.given_name, &r.given_name)
                            && same(&x.family_name, &r.family_name)
                    })
            });
            if let Some(a) = open {
                return Err(ReunificationError::AlreadyApplied(i, a.id));
            }
        }
        Ok(())
    }

    /// The terms in force on the day of the application.
    pub fn terms<'p>(&self, policy: &'p PolicySet) -> Option<&'p ReunificationTerms> {
        policy.reunification_terms_on(self.applied_on)
    }

    /// The last day of the application window (favourable conditions).
    pub fn window_ends(&self, policy: &PolicySet) -> Option<Date> {
        self.terms(policy)
            .map(|t| add_months(self.permit_issued_on, t.application_window_months))
    }

    /// Whether the application came after the window: flagged, never refused.
    /// `None` when no terms are in force on the day of the application.
    pub fn late(&self, policy: &PolicySet) -> Option<bool> {
        self.window_ends(policy).map(|end| self.applied_on > end)
    }

    /// The day by which the IND decides, with any extension.
    pub fn decision_due(&self, policy: &PolicySet) -> Option<Date> {
        self.terms(policy).map(|t| {
            self.applied_on
                .saturating_add(days(t.decision_term_days))
                .saturating_add(days(self.decision_extended_days))
        })
    }

    /// Whether any relative still waits for a decision.
    pub fn pending(&self) -> bool {
        self.relatives.iter().any(|r| r.status.undecided())
    }

    /// Applies `change` on `ctx.occurred_on`; returns the event to append.
    pub fn change(
        &mut self,
        change: ApplicationChange,
        policy: &PolicySet,
        ctx: &Context,
    ) -> Result<ApplicationEvent, ReunificationError> {
        crate::lifecycle::check_context(self.last_event_on, ctx)?;
        change_texts(&change, ctx)?;
        let on = ctx.occurred_on;
        let motivated = ctx.reason.as_deref().is_some_and(|r| !r.trim().is_empty());
        let name = change.name();
        match &change {
            ApplicationChange::Apply => {
                return Err(ReunificationError::NotAllowed {
                    change: name,
                    status: RelativeStatus::Applied,
                });
            }
            ApplicationChange::ExtendDecisionTerm { days } => {
                let max = self
                    .terms(policy)
                    .ok_or(ReunificationError::NoTerms(self.applied_on))?
                    .decision_extension_days;
                if self.decision_extended_days > 0 || *days == 0 || *days > max || !self.pending() {
                    return Err(ReunificationError::Extension { max });
                }
                self.decision_extended_days = *days;
            }
            ApplicationChange::RecordEvidence {
                relative,
                kind,
                note,
            } => {
                let r = self.relative_in(*relative, name, RelativeStatus::undecided)?;
                r.evidence.push(Evidence {
                    kind: *kind,
                    on,
                    note: note.trim().to_string(),
                });
                if r.status == RelativeStatus::Applied {
                    r.status = RelativeStatus::Evidence;
                }
            }
            ApplicationChange::Interview { relative } => {
                let r = self.relative_in(*relative, name, RelativeStatus::undecided)?;
                r.interviewed_on = Some(on);
                r.status = RelativeStatus::Interview;
            }
            ApplicationChange::Decide {
                relative,
                decision,
                grounds,
            } => {
                let allowed = |s: RelativeStatus| match decision {
                    // The sponsor or relative can withdraw until the relative travels.
                    DecisionKind::Withdrawn => s.undecided() || s == RelativeStatus::Granted,
                    _ => s.undecided(),
                };
                let r = self.relative_in(*relative, name, allowed)?;
                match decision {
                    DecisionKind::Grant => {
                        if r.evidence.is_empty() {
                            return Err(ReunificationError::GrantNeedsEvidence);
                        }
                        r.status = RelativeStatus::Granted;
                    }
                    DecisionKind::Reject => {
                        if grounds.is_empty() {
                            return Err(ReunificationError::RejectionNeedsGround);
                        }
                        if !motivated {
                            return Err(ReunificationError::DecisionNeedsMotivation);
                        }
                        r.status = RelativeStatus::Rejected;
                        r.grounds = grounds.clone();
                    }
                    DecisionKind::Withdrawn => {
                        if !motivated {
                            return Err(ReunificationError::DecisionNeedsMotivation);
                        }
                        r.status = RelativeStatus::Withdrawn;
                    }
                }
                r.decided_on = Some(on);
                r.motivation = ctx
                    .reason
                    .as_deref()
                    .map(str::trim)
                    .filter(|m| !m.is_empty())
                    .map(str::to_string);
            }
            ApplicationChange::ArrangeTravel {
                relative,
                visa_issued_on,
                departs_on,
                booking_reference,
            } => {
                let r = self.relative_in(*relative, name, |s| s == RelativeStatus::Granted)?;
                if booking_reference.trim().is_empty() {
                    return Err(ReunificationError::BookingNeedsReference);
                }
                let granted = r.decided_on.unwrap_or(on);
                if *visa_issued_on < granted {
                    return Err(ReunificationError::VisaBeforeGrant {
                        visa: *visa_issued_on,
                        granted,
                    });
                }
                if departs_on < visa_issued_on {
                    return Err(ReunificationError::DepartsBeforeVisa {
                        departs: *departs_on,
                        visa: *visa_issued_on,
                    });
                }
                r.travel = Some(ReunificationTravel {
                    visa_issued_on: *visa_issued_on,
                    departs_on: *departs_on,
                    booking_reference: booking_reference.trim().to_string(),
                });
                r.status = RelativeStatus::Travel;
            }
            ApplicationChange::Arrive {
                relative,
                permit_valid_until,
            } => {
                let r = self.relative_in(*relative, name, |s| s == RelativeStatus::Travel)?;
                if let Some(t) = r.travel.as_ref().filter(|t| on < t.departs_on) {
                    return Err(ReunificationError::ArrivesBeforeDeparture {
                        on,
                        departs: t.departs_on,
                    });
                }
                if *permit_valid_until <= on {
                    return Err(ReunificationError::PermitAfterArrival);
                }
                r.arrived_on = Some(on);
                r.status = RelativeStatus::Arrived;
            }
        }
        self.version += 1;
        self.last_event_on = on;
        Ok(ApplicationEvent {
            seq: self.version,
            change,
            occurred_on: on,
            actor: ctx.actor.clone(),
            reason: ctx.reason.clone(),
        })
    }

    fn relative_in(
        &mut self,
        index: usize,
        change: &'static str,
        allowed: impl Fn(RelativeStatus) -> bool,
    ) -> Result<&mut AppliedRelative, ReunificationError> {
        let r = self
            .relatives
            .get_mut(index)
            .ok_or(ReunificationError::NoSuchRelative(index))?;
        if allowed(r.status) {
            Ok(r)
        } else {
            Err(ReunificationError::NotAllowed {
                change,
                status: r.status,
            })
        }
    }

    /// The family-reunification case an arrived relative becomes: the
    /// relative alone, linked to the sponsor's case, with the history of
    /// their process (application, grant, travel, departure, arrival), so
    /// the ledger counts them on the day of arrival. Their municipality is
    /// the sponsor's, by default: they join the household.
    pub fn arrival_case(
        &self,
        index: usize,
        sponsor: &Case,
        id: CaseId,
        number: CaseNumber,
        permit_valid_until: Date,
        ctx: &Context,
    ) -> Result<NewCase, ReunificationError> {
        let r = self
            .relatives
            .get(index)
            .ok_or(ReunificationError::NoSuchRelative(index))?;
        let (Some(arrived), Some(travel), Some(granted)) = (r.arrived_on, &r.travel, r.decided_on)
        else {
            return Err(ReunificationError::NotAllowed {
                change: "arrive",
                status: r.status,
            });
        };
        let s = &sponsor.submission;
        let submission = Submission {
            case_number: number,
            unhcr_reference: format!("NAREIS-{}", self.id),
            host_country: s.host_country,
            priority: SubmissionPriority::Normal,
            primary_category: SubmissionCategory::FamilyReunification,
            secondary_category: None,
            programme: Programme::NationalQuota,
            track: Track::Dossier,
            family_reunification_of: Some(s.case_number.clone()),
            linked_cases: vec![],
            submitted_on: self.applied_on,
            members: vec![Member {
                id: r.id,
                given_name: r.given_name.clone(),
                family_name: r.family_name.clone(),
                date_of_birth: r.date_of_birth,
                sex: r.sex,
                nationality: r.nationality,
                relationship: Relationship::PrincipalApplicant,
                documents: vec![],
            }],
        };
        let at = |on: Date| Context {
            occurred_on: on,
            ..ctx.clone()
        };
        let mut new = Case::submit(id, submission, &at(self.applied_on))?;
        new.apply(Action::StartAssessment, &at(granted))?;
        new.apply(Action::accept(), &at(granted))?;
        if let Some(m) = sponsor.municipality() {
            new.apply(
                Action::AssignHousing {
                    municipality: m.to_string(),
                },
                &at(granted),
            )?;
        }
        new.apply(
            Action::StartPreDeparture {
                training: TrainingMode::Digital,
            },
            &at(travel.visa_issued_on),
        )?;
        new.apply(Action::Depart, &at(travel.departs_on))?;
        new.apply(
            Action::Arrive {
                permit: Permit {
                    valid_until: permit_valid_until,
                },
            },
            &at(arrived),
        )?;
        Ok(new)
    }

    /// The norms of the application on `today`: the window (met or missed on
    /// the day of the application), the decision term while relatives wait
    /// (or met or missed by the last decision), and travel for each granted
    /// relative. A check is at risk when at most `at_risk_days` are left.
    pub fn norms(
        &self,
        policy: &PolicySet,
        today: Date,
        at_risk_days: i64,
    ) -> Vec<ReunificationNormCheck> {
        let Some(terms) = self.terms(policy) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let mut push = |norm, relative, started, deadline, done, open| {
            if let Some((days_left, status)) = check_norm(deadline, done, open, today, at_risk_days)
            {
                out.push(ReunificationNormCheck {
                    norm,
                    relative,
                    started,
                    deadline,
                    days_left,
                    status,
                });
            }
        };
        let window = add_months(self.permit_issued_on, terms.application_window_months);
        push(
            ReunificationNorm::ApplicationWindow,
            None,
            self.permit_issued_on,
            window,
            Some(self.applied_on),
            false,
        );
        let due = self
            .applied_on
            .saturating_add(days(terms.decision_term_days))
            .saturating_add(days(self.decision_extended_days));
        let last_decision = self.relatives.iter().filter_map(|r| r.decided_on).max();
        let pending = self.pending();
        push(
            ReunificationNorm::DecisionTerm,
            None,
            self.applied_on,
            due,
            if pending { None } else { last_decision },
            pending,
        );
        for (i, r) in self.relatives.iter().enumerate() {
            let Some(granted) = r.decided_on.filter(|_| {
                matches!(
                    r.status,
                    RelativeStatus::Granted | RelativeStatus::Travel | RelativeStatus::Arrived
                )
            }) else {
                continue;
            };
            push(
                ReunificationNorm::TravelAfterGrant,
                Some(i),
                granted,
                granted.saturating_add(days(terms.travel_after_grant_days)),
                r.arrived_on,
                true,
            );
        }
        out
    }

    /// Builds the application a legacy family-reunification case stands
    /// for (the import): the case's members are the relatives, in the
    /// status the case has reached, with its dates; the sponsor's permit is
    /// taken as issued on the sponsor's arrival (the asylum permit is
    /// handed over on arrival).
    pub fn from_case(id: ApplicationId, case: &Case, sponsor: &Sponsor) -> Application {
        let permit = sponsor.arrived_on;
        let applied_on = case.submission.submitted_on;
        let decided_on = case.selected_on;
        let status = match case.state {
            CaseState::Submitted => RelativeStatus::Applied,
            CaseState::UnderAssessment => RelativeStatus::Evidence,
            CaseState::Rejected => RelativeStatus::Rejected,
            CaseState::Withdrawn => RelativeStatus::Withdrawn,
            CaseState::Accepted => RelativeStatus::Granted,
            CaseState::PreDeparture | CaseState::Departed => RelativeStatus::Travel,
            CaseState::Arrived
            | CaseState::Housed
            | CaseState::IntegrationGuidance
            | CaseState::Closed => {
                if case.arrived_on.is_some() {
                    RelativeStatus::Arrived
                } else {
                    // Closed after a refusal or withdrawal, never arrived.
                    RelativeStatus::Withdrawn
                }
            }
        };
        let travel = case.departed_on.map(|d| ReunificationTravel {
            visa_issued_on: decided_on.unwrap_or(d),
            departs_on: d,
            booking_reference: "imported".into(),
        });
        let relatives = case
            .submission
            .members
            .iter()
            .map(|m| AppliedRelative {
                id: m.id,
                given_name: m.given_name.clone(),
                family_name: m.family_name.clone(),
                date_of_birth: m.date_of_birth,
                sex: m.sex,
                nationality: m.nationality,
                // A legacy record relates its members to its own principal
                // applicant, whose tie to the sponsor it does not record.
                relationship: match m.relationship {
                    Relationship::PrincipalApplicant => Relationship::OtherRelative,
                    r => r,
                },
                status,
                evidence: Vec::new(),
                interviewed_on: None,
                decided_on: if status.undecided() {
                    None
                } else {
                    decided_on.or(case.closed_on)
                },
                grounds: Vec::new(),
                motivation: None,
                travel: travel.clone(),
                arrived_on: case.arrived_on,
                arrival_case: case.arrived_on.map(|_| case.submission.case_number.clone()),
                identity_withheld: false,
            })
            .collect();
        Application {
            id,
            sponsor_case_id: sponsor.id,
            sponsor_case_number: sponsor.case_number.clone(),
            permit_issued_on: permit.min(applied_on),
            applied_on,
            decision_extended_days: 0,
            relatives,
            version: 1,
            last_event_on: case.last_event_on.max(applied_on),
        }
    }

    /// The first event of an imported application: it came with `case`.
    pub fn imported_event(&self, case: &Case, actor: &str) -> ApplicationEvent {
        ApplicationEvent {
            seq: 1,
            change: ApplicationChange::Apply,
            occurred_on: self.applied_on,
            actor: actor.to_string(),
            reason: Some(format!(
                "imported with case {} ({})",
                case.submission.case_number, case.state
            )),
        }
    }
}

/// What an imported family-reunification case needs of its sponsor's case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sponsor {
    pub id: CaseId,
    pub case_number: CaseNumber,
    pub arrived_on: Date,
}

impl Sponsor {
    pub fn of(case: &Case) -> Option<Sponsor> {
        Some(Sponsor {
            id: case.id,
            case_number: case.submission.case_number.clone(),
            arrived_on: case.arrived_on?,
        })
    }
}

impl AppliedRelative {
    fn new(r: &NewRelative, born: DateOfBirth) -> Self {
        AppliedRelative {
            id: PersonId::generate(),
            given_name: r.given_name.trim().to_string(),
            family_name: r.family_name.trim().to_string(),
            date_of_birth: born,
            sex: r.sex,
            nationality: r.nationality,
            relationship: r.relationship,
            status: RelativeStatus::Applied,
            evidence: Vec::new(),
            interviewed_on: None,
            decided_on: None,
            grounds: Vec::new(),
            motivation: None,
            travel: None,
            arrived_on: None,
            arrival_case: None,
            identity_withheld: false,
        }
    }
}

/// The case number of the `n`-th family-reunification arrival with
/// `prefix` (the sponsor's three letters) in `year`: numbers from 900000
/// up are kept for these arrivals, which have no UNHCR number of their own.
pub fn arrival_case_number(prefix: &str, year: i32, n: u32) -> Option<CaseNumber> {
    if n >= 100_000 {
        return None;
    }
    CaseNumber::parse(&format!(
        "{prefix}-{:02}C{}",
        year.rem_euclid(100),
        900_000 + n
    ))
    .ok()
}

/// The longest name, whereabouts and reason (characters) a relative may have.
const NAME_MAX: usize = 100;
const WHEREABOUTS_MAX: usize = 200;
const REASON_MAX: usize = 500;

/// The longest motivation, evidence note and booking reference (characters).
const MOTIVATION_MAX: usize = 1000;
const BOOKING_MAX: usize = 64;

/// Checks the free texts of a change: within their length, with no control
/// or direction characters (a text must read as it is stored).
fn change_texts(change: &ApplicationChange, ctx: &Context) -> Result<(), ReunificationError> {
    let mut texts: Vec<(&str, &str, usize)> = Vec::new();
    if let Some(r) = &ctx.reason {
        texts.push(("reason", r, MOTIVATION_MAX));
    }
    match change {
        ApplicationChange::RecordEvidence { note, .. } => {
            texts.push(("note", note, MOTIVATION_MAX))
        }
        ApplicationChange::ArrangeTravel {
            booking_reference, ..
        } => texts.push(("bookingReference", booking_reference, BOOKING_MAX)),
        _ => {}
    }
    for (field, value, max) in texts {
        if !crate::text::within(value.trim(), max) {
            return Err(ReunificationError::Text {
                field: field.to_string(),
                max,
            });
        }
    }
    Ok(())
}

/// A name within [`NAME_MAX`], or the limit it breaks.
fn name_text(value: &str) -> Result<(), usize> {
    if crate::text::within(value.trim(), NAME_MAX) {
        Ok(())
    } else {
        Err(NAME_MAX)
    }
}

/// Checks a list of relatives left behind, naming the first bad field.
pub fn validate_left_behind(list: &[RelativeLeftBehind]) -> Result<(), ReunificationError> {
    for (i, r) in list.iter().enumerate() {
        for (field, value, max) in [
            ("givenName", &r.given_name, NAME_MAX),
            ("familyName", &r.family_name, NAME_MAX),
            ("whereabouts", &r.whereabouts, WHEREABOUTS_MAX),
            ("reasonStays", &r.reason_stays, REASON_MAX),
        ] {
            let field = format!("relatives[{i}].{field}");
            if value.trim().is_empty() {
                return Err(ReunificationError::Missing { field });
            }
            if !crate::text::within(value.trim(), max) {
                return Err(ReunificationError::Text { field, max });
            }
        }
        if r.relationship == Relationship::PrincipalApplicant {
            return Err(ReunificationError::LeftBehindPrincipal(i));
        }
    }
    Ok(())
}

mod pending;
mod problem;
mod seen;
pub use pending::{PendingApplications, pending_applications};
pub use seen::RelativeLeftBehindSeen;

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests;
