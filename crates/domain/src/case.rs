//! A case as UNHCR submits it (a principal applicant and the family members who
//! travel together), and what the process adds to it.

use crate::access::{CaseScope, SpecialCategory};
use crate::country::CountryCode;
use crate::ids::CaseId;
use crate::lifecycle::{
    Action, ActionKind, CaseState, Context, FieldRule, Guidance, Housing, Permit, Transition,
    TransitionError, check, check_context, problems,
};
use crate::person::Member;
use crate::submission::{CaseNumber, Programme, SubmissionCategory, SubmissionPriority, Track};
use serde::{Deserialize, Serialize};
use time::Date;

/// What UNHCR submitted: the fields that do not change as the case moves on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Submission {
    pub case_number: CaseNumber,
    /// Reference of the Resettlement Registration Form.
    pub unhcr_reference: String,
    pub host_country: CountryCode,
    pub priority: SubmissionPriority,
    pub primary_category: SubmissionCategory,
    pub secondary_category: Option<SubmissionCategory>,
    pub programme: Programme,
    pub track: Track,
    /// Set for later-arriving family members of a resettled case ("nareis").
    pub family_reunification_of: Option<CaseNumber>,
    pub linked_cases: Vec<CaseNumber>,
    pub submitted_on: Date,
    pub members: Vec<Member>,
}

/// Whether a case is a resettlement case or family reunification with one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum CaseKind {
    Resettlement,
    FamilyReunification,
}

/// A case with its current state and the dates the process added.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Case {
    pub id: CaseId,
    #[serde(flatten)]
    pub submission: Submission,
    pub state: CaseState,
    /// Incremented by every transition; a change made against an older version is refused.
    pub version: i64,
    /// Date of the last event in the history; no event may be dated before it.
    pub last_event_on: Date,
    pub selected_on: Option<Date>,
    pub departed_on: Option<Date>,
    pub arrived_on: Option<Date>,
    pub permit: Option<Permit>,
    pub housing: Option<Housing>,
    /// The municipality COA assigned the family to (a confirmed placement),
    /// until the assignment is undone; it sees the family from then on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assigned_municipality: Option<String>,
    pub guidance: Option<Guidance>,
    pub closed_on: Option<Date>,
    /// The UNHCR office that submitted the case; scopes what UNHCR liaisons see.
    pub submitted_by: Option<String>,
    /// Special-category data: stored encrypted, shown only to roles that need it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub special: Vec<SpecialItem>,
    /// Consent to share the family's needs with a municipality or organisation.
    #[serde(default)]
    pub consents: Vec<Consent>,
}

/// One special-category fact about a case or one of its members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SpecialItem {
    pub category: SpecialCategory,
    /// Position of the member in `members`; absent for the case as a whole.
    pub member: Option<usize>,
    pub value: String,
}

/// Consent to share a family's needs, or an authorised override without it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Consent {
    /// The municipality or organisation; absent means any service provider
    /// (the signed declaration of the Resettlement Registration Form).
    pub recipient: Option<String>,
    pub given_on: Date,
    /// Set when an authorised user shares without consent; says why.
    pub override_reason: Option<String>,
    pub recorded_by: String,
}

/// A new case with the history that brought it to its current state (for an
/// import of legacy records, more than the submission).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCase {
    pub case: Case,
    pub history: Vec<Transition>,
}

impl Case {
    /// Registers UNHCR's submission: a case in state `submitted`, version 1.
    pub fn submit(
        id: CaseId,
        submission: Submission,
        ctx: &Context,
    ) -> Result<NewCase, TransitionError> {
        let mut ctx = ctx.clone();
        ctx.occurred_on = submission.submitted_on;
        check_context(submission.submitted_on, &ctx)?;
        let case = Case {
            id,
            last_event_on: submission.submitted_on,
            submission,
            state: CaseState::Submitted,
            version: 1,
            selected_on: None,
            departed_on: None,
            arrived_on: None,
            permit: None,
            housing: None,
            assigned_municipality: None,
            guidance: None,
            closed_on: None,
            submitted_by: None,
            special: Vec::new(),
            consents: Vec::new(),
        };
        let first = Transition {
            seq: 1,
            from: None,
            to: CaseState::Submitted,
            action: Action::Submit,
            occurred_on: ctx.occurred_on,
            recorded_at: ctx.recorded_at,
            actor: ctx.actor,
            reason: ctx.reason,
            previous_version: 0,
        };
        Ok(NewCase {
            case,
            history: vec![first],
        })
    }

    pub fn kind(&self) -> CaseKind {
        if self.submission.family_reunification_of.is_some() {
            CaseKind::FamilyReunification
        } else {
            CaseKind::Resettlement
        }
    }

    /// The municipality the family lives in, once housed there.
    pub fn housed_municipality(&self) -> Option<&str> {
        match &self.housing {
            Some(Housing::Municipality { municipality }) => Some(municipality),
            _ => None,
        }
    }

    /// The municipality responsible for the family: where it is housed, or
    /// else the one it is assigned to.
    pub fn municipality(&self) -> Option<&str> {
        self.housed_municipality()
            .or(self.assigned_municipality.as_deref())
    }

    /// The organisation that guides the family.
    pub fn guidance_organisation(&self) -> Option<&str> {
        self.guidance.as_ref().map(|g| g.organisation.as_str())
    }

    /// Whether the family's needs may be shared with `recipient`.
    pub fn may_share_with(&self, recipient: &str) -> bool {
        self.consents.iter().any(|c| {
            c.recipient
                .as_deref()
                .is_none_or(|r| r.eq_ignore_ascii_case(recipient))
        })
    }

    /// Whether the case lies within `scope`.
    pub fn in_scope(&self, scope: &CaseScope) -> bool {
        let same = |a: Option<&str>, b: &str| a.is_some_and(|a| a.eq_ignore_ascii_case(b));
        match scope {
            CaseScope::All => true,
            CaseScope::SubmittedBy(o) => same(self.submitted_by.as_deref(), o),
            CaseScope::Municipality(m) => same(self.municipality(), m),
            CaseScope::GuidedBy(o) => same(self.guidance_organisation(), o),
            CaseScope::Nothing => false,
        }
    }

    /// Number of persons in the case (every figure counts persons, not cases).
    pub fn persons(&self) -> usize {
        self.submission.members.len()
    }

    /// The actions that may be taken now: those of the current state, a
    /// housing assignment only while there is none, its undoing only while
    /// there is one.
    pub fn allowed_actions(&self) -> Vec<ActionKind> {
        let assigned = self.assigned_municipality.is_some();
        self.state
            .allowed_actions()
            .into_iter()
            .filter(|a| match a {
                ActionKind::AssignHousing => !assigned,
                ActionKind::CancelHousingAssignment => assigned,
                _ => true,
            })
            .collect()
    }

    /// Every problem of taking `action` now, not only the first: the state,
    /// the date, the actor and each field (for forms that list them all).
    pub fn problems(&self, action: &Action, ctx: &Context) -> Vec<TransitionError> {
        let mut out: Vec<TransitionError> =
            self.assignment_check(action).err().into_iter().collect();
        out.extend(problems(self.last_event_on, action, ctx));
        out
    }

    /// Whether the action is allowed from the state, and an assignment
    /// neither doubled nor undone when there is none.
    fn assignment_check(&self, action: &Action) -> Result<(), TransitionError> {
        let kind = action.kind();
        if !kind.allowed_from().contains(&self.state) {
            return Err(TransitionError::NotAllowed {
                action: kind.as_str(),
                from: self.state,
                allowed: kind.allowed_from().to_vec(),
            });
        }
        let rule = match (action, &self.assigned_municipality) {
            (Action::AssignHousing { .. }, Some(_)) => FieldRule::AlreadyAssigned,
            (Action::CancelHousingAssignment, None) => FieldRule::NotAssigned,
            _ => return Ok(()),
        };
        Err(TransitionError::InvalidField {
            field: "action",
            rule,
        })
    }

    /// Takes `action`, returning the history entry. The case is unchanged on error.
    pub fn apply(&mut self, action: Action, ctx: &Context) -> Result<Transition, TransitionError> {
        let to = check(self.state, self.last_event_on, &action, ctx)?;
        self.assignment_check(&action)?;
        let on = ctx.occurred_on;
        match &action {
            Action::Accept { .. } => self.selected_on = Some(on),
            Action::Depart => self.departed_on = Some(on),
            Action::Arrive { permit } => {
                self.arrived_on = Some(on);
                self.permit = Some(permit.clone());
            }
            Action::House { housing } => self.housing = Some(housing.clone()),
            Action::StartIntegrationGuidance { guidance } => self.guidance = Some(guidance.clone()),
            Action::Close => self.closed_on = Some(on),
            Action::AssignHousing { municipality } => {
                self.assigned_municipality = Some(municipality.trim().to_string())
            }
            Action::CancelHousingAssignment => self.assigned_municipality = None,
            Action::Submit
            | Action::StartAssessment
            | Action::Reject { .. }
            | Action::Withdraw
            | Action::StartPreDeparture { .. } => {}
        }
        let transition = Transition {
            seq: 0, // numbered by the history it is appended to
            from: Some(self.state),
            to,
            action,
            occurred_on: on,
            recorded_at: ctx.recorded_at,
            actor: ctx.actor.clone(),
            reason: ctx.reason.clone().filter(|r| !r.trim().is_empty()),
            previous_version: self.version,
        };
        self.state = to;
        self.version += 1;
        self.last_event_on = on;
        Ok(transition)
    }
}

impl NewCase {
    /// Applies `action` to the new case and appends it to its history.
    pub fn apply(&mut self, action: Action, ctx: &Context) -> Result<(), TransitionError> {
        let mut t = self.case.apply(action, ctx)?;
        t.seq = self.history.len() as i64 + 1;
        self.history.push(t);
        Ok(())
    }
}
