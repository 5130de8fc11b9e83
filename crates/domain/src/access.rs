//! Who may do what: roles, the permissions they hold, and which cases each
//! role sees. This table is the one place the permission matrix is declared;
//! the web layer turns it into narrowed capabilities handed to handlers.

use crate::lifecycle::{Action, ActionKind, Housing};
use crate::submission::vocabulary;

vocabulary!(
    /// The role of a personal account.
    Role {
        UnhcrLiaison = "unhcr-liaison",
        IndOfficer = "ind-officer",
        CoaOfficer = "coa-officer",
        MunicipalityOfficer = "municipality-officer",
        IntegrationOrganisation = "integration-organisation",
        PolicyAnalyst = "policy-analyst",
        Administrator = "administrator",
    }
);

vocabulary!(
    /// Special categories of personal data (GDPR art. 9 and 10) and the
    /// confidential parts of a submission.
    SpecialCategory {
        Religion = "religion",
        Health = "health",
        Ethnicity = "ethnicity",
        SexualOrientation = "sexual-orientation",
        CriminalRecord = "criminal-record",
        Confidential = "confidential",
    }
);

/// Something a role may be allowed to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// Read cases within the role's scope (list, detail, history).
    ReadCases,
    /// Take one lifecycle action.
    Act(ActionKind),
    /// Import UNHCR submissions.
    ImportSubmissions,
    /// See one special category of data.
    SeeSpecial(SpecialCategory),
    /// Aggregated figures and reports, no personal data.
    ReadReports,
    /// Create and remove accounts.
    ManageUsers,
    /// Read the audit trail.
    ReadAudit,
    /// Record a family's consent to share, or override its absence with a reason.
    RecordConsent,
    /// Read the policy: frameworks, quotas, pledges, plans.
    ReadPolicy,
    /// Change the policy.
    ManagePolicy,
    /// Propose placements of families in municipalities and confirm them.
    PlanPlacement,
    /// See selection missions, the dossier track, the plan and holds (no personal data).
    ReadMissions,
    /// Plan missions, change their status, select cases on them.
    ManageMissions,
    /// Read the request for submissions of a mission and the country-policy notes.
    ReadSubmissionRequests,
    /// Record country-policy notes.
    ManageCountryPolicy,
    /// Record interviews (which kinds, per role: see `may_interview`).
    RecordInterview,
    /// See a case's interviews, profile, orientation and travel.
    ReadPreparation,
    /// Write the resettlement profile, orientation attendance and travel.
    ManagePreparation,
    /// Put departures on hold, release them, log the messages sent while waiting.
    ManageHolds,
    /// Read family-reunification applications within the role's scope (a
    /// municipality: relatives joining families it houses).
    ReadReunification,
    /// Register a sponsor's application, record evidence and interviews,
    /// decide per relative (the IND).
    DecideReunification,
    /// Arrange a granted relative's travel and record the arrival (COA).
    ArrangeReunificationTravel,
    /// Record the relatives a family leaves behind (at the interview or the
    /// dossier assessment).
    RecordRelativesLeftBehind,
}

/// How much of a case a role sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseView {
    /// Everything the role's special-category permissions allow.
    Full,
    /// What housing and integration need: members, housing, guidance;
    /// no identity documents, no history reasons.
    Placement,
}

impl Role {
    /// The permission matrix.
    pub fn allows(self, permission: Permission) -> bool {
        use ActionKind as A;
        use Permission as P;
        use Role as R;
        use SpecialCategory as S;
        match (self, permission) {
            (R::Administrator, P::ManageUsers | P::ReadAudit | P::ManagePolicy | P::ReadPolicy) => {
                true
            }
            // Missions, plans, holds and requests hold no personal data: analysts
            // and administrators read them; UNHCR reads the requests sent to it.
            (R::PolicyAnalyst | R::Administrator, P::ReadMissions | P::ReadSubmissionRequests) => {
                true
            }
            (R::UnhcrLiaison, P::ReadSubmissionRequests) => true,
            (
                R::IndOfficer | R::CoaOfficer,
                P::ReadMissions
                | P::ManageMissions
                | P::ReadSubmissionRequests
                | P::RecordInterview
                | P::ReadPreparation,
            ) => true,
            (R::IndOfficer, P::ManageCountryPolicy) => true,
            (R::CoaOfficer, P::ManagePreparation | P::ManageHolds) => true,
            (R::PolicyAnalyst, P::ReadReports | P::ReadPolicy) => true,
            (R::UnhcrLiaison, P::ReadCases | P::ImportSubmissions | P::Act(A::Withdraw)) => true,
            (R::IndOfficer, P::ReadCases | P::ReadReports | P::ReadPolicy) => true,
            (R::IndOfficer, P::Act(A::StartAssessment | A::Accept | A::Reject | A::Withdraw)) => {
                true
            }
            // IND decides on country policy (religion, ethnicity, sexual orientation),
            // exclusion (criminal record) and medical grounds.
            (R::IndOfficer, P::SeeSpecial(_)) => true,
            (
                R::CoaOfficer,
                P::ReadCases
                | P::ReadReports
                | P::ImportSubmissions
                | P::RecordConsent
                | P::PlanPlacement,
            ) => true,
            (
                R::CoaOfficer,
                P::Act(
                    A::StartPreDeparture
                    | A::Depart
                    | A::Arrive
                    | A::House
                    | A::StartIntegrationGuidance
                    | A::Close
                    | A::Withdraw
                    | A::CancelHousingAssignment,
                ),
            ) => true,
            // COA prepares housing and care: health, and the confidential profile.
            (R::CoaOfficer, P::SeeSpecial(S::Health | S::Confidential)) => true,
            // Family reunification is not a UNHCR submission: UNHCR has no
            // part in it. The IND decides, COA arranges travel and housing, the
            // municipality sees the relatives joining families it houses.
            (
                R::IndOfficer | R::CoaOfficer,
                P::ReadReunification | P::RecordRelativesLeftBehind,
            ) => true,
            (R::IndOfficer, P::DecideReunification) => true,
            (R::CoaOfficer, P::ArrangeReunificationTravel) => true,
            (R::MunicipalityOfficer, P::ReadReunification) => true,
            (R::MunicipalityOfficer | R::IntegrationOrganisation, P::ReadCases) => true,
            // Only with the family's consent, checked per case.
            (R::MunicipalityOfficer | R::IntegrationOrganisation, P::SeeSpecial(S::Health)) => true,
            _ => false,
        }
    }

    /// Whether this role holds interviews of `kind`: the IND its own and the
    /// medical check (its medical advisers), COA the social intake.
    pub fn may_interview(self, kind: crate::operations::InterviewKind) -> bool {
        use crate::operations::InterviewKind as K;
        matches!(
            (self, kind),
            (Role::IndOfficer, K::Ind | K::Medical) | (Role::CoaOfficer, K::CoaIntake)
        )
    }

    /// Whether accounts of this role must belong to an organisation
    /// (their municipality, their organisation, their UNHCR office).
    pub fn needs_organisation(self) -> bool {
        matches!(
            self,
            Role::MunicipalityOfficer | Role::IntegrationOrganisation | Role::UnhcrLiaison
        )
    }

    /// Whether accounts of this role must log in with a second factor.
    pub fn requires_second_factor(self) -> bool {
        self == Role::Administrator
    }

    pub fn case_view(self) -> CaseView {
        match self {
            Role::MunicipalityOfficer | Role::IntegrationOrganisation => CaseView::Placement,
            _ => CaseView::Full,
        }
    }

    /// The actions this role may take.
    pub fn actions(self) -> Vec<ActionKind> {
        ActionKind::ALL
            .iter()
            .copied()
            .filter(|a| self.allows(Permission::Act(*a)))
            .collect()
    }
}

/// Free text officers write on a case. Text can carry anything, health or
/// religion included, so each field has a declared audience: the roles that
/// see every special category the text may carry, in the full view. The
/// table is derived from the permission matrix, never kept apart from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FreeText {
    /// The reason given with a transition (a withdrawal, an arrival …).
    HistoryReason,
    /// Why a family is housed at a COA location first.
    HousingReason,
    /// Why needs are shared without the family's consent.
    ConsentOverrideReason,
    /// Why a case is accepted beyond a mission's places.
    PlaceOverride,
    /// The country-policy basis of an acceptance (may name religion,
    /// ethnicity or sexual orientation).
    PolicyBasis,
}

impl FreeText {
    /// The special categories this text may carry.
    pub fn may_carry(self) -> &'static [SpecialCategory] {
        use SpecialCategory as S;
        match self {
            FreeText::PolicyBasis => SpecialCategory::ALL,
            _ => &[S::Health, S::Confidential],
        }
    }
}

impl Role {
    /// Whether this role reads free text of kind `text` (written by others).
    pub fn reads(self, text: FreeText) -> bool {
        self.case_view() == CaseView::Full
            && text
                .may_carry()
                .iter()
                .all(|c| self.allows(Permission::SeeSpecial(*c)))
    }
}

/// The history as `reader` (with `role`) may see it: free text only for its
/// audience (see [`FreeText`]), and reasons the reader wrote itself.
pub fn redact_history(
    mut history: Vec<crate::Transition>,
    role: Role,
    reader: &str,
) -> Vec<crate::Transition> {
    for t in &mut history {
        if t.actor != reader && !role.reads(FreeText::HistoryReason) {
            t.reason = None;
        }
        match &mut t.action {
            Action::Accept {
                policy_basis,
                place_override,
            } => {
                if !role.reads(FreeText::PolicyBasis) {
                    *policy_basis = None;
                }
                if !role.reads(FreeText::PlaceOverride) {
                    *place_override = None;
                }
            }
            Action::House {
                housing: Housing::CoaReception { reason, .. },
            } if !role.reads(FreeText::HousingReason) => reason.clear(),
            _ => {}
        }
    }
    history
}

/// Which cases an account sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseScope {
    /// Every case.
    All,
    /// Cases submitted by this organisation (a UNHCR office).
    SubmittedBy(String),
    /// Families housed, or proposed for housing, in this municipality.
    Municipality(String),
    /// Families this organisation guides.
    GuidedBy(String),
    /// No case at all.
    Nothing,
}

/// The case scope of an account with `role` in `organisation`.
pub fn case_scope(role: Role, organisation: Option<&str>) -> CaseScope {
    let org = organisation.map(str::to_string);
    match (role, org) {
        (Role::IndOfficer | Role::CoaOfficer, _) => CaseScope::All,
        (Role::UnhcrLiaison, Some(o)) => CaseScope::SubmittedBy(o),
        (Role::MunicipalityOfficer, Some(o)) => CaseScope::Municipality(o),
        (Role::IntegrationOrganisation, Some(o)) => CaseScope::GuidedBy(o),
        _ => CaseScope::Nothing,
    }
}

/// What an account sees of one case: special-category items only where the
/// role needs them (and, for municipalities and organisations, only with the
/// family's consent to share with them); identity documents only in the full view.
/// Returns the redacted case and the categories that were shown, for the audit trail.
pub fn redact(
    case: &crate::Case,
    role: Role,
    organisation: Option<&str>,
) -> (crate::Case, Vec<SpecialCategory>) {
    let mut seen = case.clone();
    let consent = match role.case_view() {
        CaseView::Full => true,
        CaseView::Placement => organisation.is_some_and(|o| case.may_share_with(o)),
    };
    seen.special
        .retain(|item| consent && role.allows(Permission::SeeSpecial(item.category)));
    if role.case_view() == CaseView::Placement {
        for m in &mut seen.submission.members {
            m.documents.clear();
        }
    }
    if !role.reads(FreeText::HousingReason)
        && let Some(Housing::CoaReception { reason, .. }) = &mut seen.housing
    {
        reason.clear();
    }
    // Consents for other recipients are none of the reader's business; an
    // override stays visible as an override, without its reason.
    if role.case_view() == CaseView::Placement {
        seen.consents.retain(|c| {
            c.recipient
                .as_deref()
                .is_none_or(|r| organisation.is_some_and(|o| r.eq_ignore_ascii_case(o)))
        });
    }
    if !role.reads(FreeText::ConsentOverrideReason) {
        for c in &mut seen.consents {
            if let Some(reason) = &mut c.override_reason {
                reason.clear();
            }
        }
    }
    let mut shown: Vec<SpecialCategory> = seen.special.iter().map(|i| i.category).collect();
    shown.sort();
    shown.dedup();
    (seen, shown)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn analysts_and_administrators_see_no_case() {
        for role in [Role::PolicyAnalyst, Role::Administrator] {
            assert!(!role.allows(Permission::ReadCases));
            assert_eq!(case_scope(role, Some("x")), CaseScope::Nothing);
            assert!(role.actions().is_empty());
        }
    }

    #[test]
    fn every_action_has_a_role_and_decisions_are_the_ind_s() {
        // A housing assignment is made by confirming a placement
        // (PlanPlacement), which also records the room it takes.
        for a in ActionKind::ALL
            .iter()
            .filter(|a| !matches!(a, ActionKind::Submit | ActionKind::AssignHousing))
        {
            assert!(
                Role::ALL.iter().any(|r| r.allows(Permission::Act(*a))),
                "{a} has no role"
            );
        }
        let deciders: Vec<Role> = Role::ALL
            .iter()
            .copied()
            .filter(|r| r.allows(Permission::Act(ActionKind::Accept)))
            .collect();
        assert_eq!(deciders, vec![Role::IndOfficer]);
    }

    #[test]
    fn family_reunification_is_decided_by_the_ind_travelled_by_coa_and_never_seen_by_unhcr() {
        let holders = |p: Permission| -> Vec<Role> {
            Role::ALL.iter().copied().filter(|r| r.allows(p)).collect()
        };
        assert_eq!(
            holders(Permission::DecideReunification),
            vec![Role::IndOfficer]
        );
        assert_eq!(
            holders(Permission::ArrangeReunificationTravel),
            vec![Role::CoaOfficer]
        );
        assert_eq!(
            holders(Permission::ReadReunification),
            vec![
                Role::IndOfficer,
                Role::CoaOfficer,
                Role::MunicipalityOfficer
            ]
        );
        assert_eq!(
            holders(Permission::RecordRelativesLeftBehind),
            vec![Role::IndOfficer, Role::CoaOfficer]
        );
    }

    #[test]
    fn special_categories_are_shown_by_need_and_consent() {
        use crate::{Case, CaseId, Consent, SpecialItem, sample};
        use time::macros::{date, datetime};
        let ctx = crate::Context {
            occurred_on: date!(2025 - 01 - 06),
            recorded_at: datetime!(2025-06-01 12:00 UTC),
            actor: "t".into(),
            reason: None,
        };
        let s = sample::submission("LBN-25C00001", 2, ctx.occurred_on).unwrap();
        let case = &mut Case::submit(CaseId::generate(), s, &ctx).unwrap().case;
        case.special = vec![
            SpecialItem {
                category: SpecialCategory::Religion,
                member: Some(0),
                value: "x".into(),
            },
            SpecialItem {
                category: SpecialCategory::Health,
                member: None,
                value: "y".into(),
            },
        ];
        let shown = |case: &Case, role, org| redact(case, role, org).1;
        assert_eq!(
            shown(case, Role::IndOfficer, None),
            vec![SpecialCategory::Religion, SpecialCategory::Health]
        );
        assert_eq!(
            shown(case, Role::CoaOfficer, None),
            vec![SpecialCategory::Health]
        );
        assert_eq!(shown(case, Role::UnhcrLiaison, Some("UNHCR")), vec![]);
        assert_eq!(
            shown(case, Role::MunicipalityOfficer, Some("Zwolle")),
            vec![],
            "no consent yet"
        );
        case.consents.push(Consent {
            recipient: Some("Zwolle".into()),
            given_on: date!(2025 - 01 - 06),
            override_reason: None,
            recorded_by: "coa".into(),
        });
        assert_eq!(
            shown(case, Role::MunicipalityOfficer, Some("zwolle")),
            vec![SpecialCategory::Health]
        );
        assert_eq!(
            shown(case, Role::MunicipalityOfficer, Some("Utrecht")),
            vec![]
        );
    }

    /// Every permission there is.
    fn every_permission() -> Vec<Permission> {
        use Permission as P;
        let mut all = vec![
            P::ReadCases,
            P::ImportSubmissions,
            P::ReadReports,
            P::ManageUsers,
            P::ReadAudit,
            P::RecordConsent,
            P::ReadPolicy,
            P::ManagePolicy,
            P::PlanPlacement,
            P::ReadMissions,
            P::ManageMissions,
            P::ReadSubmissionRequests,
            P::ManageCountryPolicy,
            P::RecordInterview,
            P::ReadPreparation,
            P::ManagePreparation,
            P::ManageHolds,
        ];
        all.extend(ActionKind::ALL.iter().map(|a| P::Act(*a)));
        all.extend(SpecialCategory::ALL.iter().map(|c| P::SeeSpecial(*c)));
        all
    }

    /// The matrix of DESIGN.md, written out role by role: a change to any
    /// arm of `allows` shows here.
    #[test]
    fn each_role_holds_exactly_its_permissions() {
        let shared_case_work = "ReadMissions ManageMissions ReadSubmissionRequests RecordInterview ReadPreparation ReadCases ReadReports";
        let expected: [(Role, String); 7] = [
            (
                Role::UnhcrLiaison,
                "ReadSubmissionRequests ReadCases ImportSubmissions Act(Withdraw)".into(),
            ),
            (
                Role::IndOfficer,
                format!(
                    "{shared_case_work} ManageCountryPolicy ReadPolicy Act(StartAssessment) Act(Accept) Act(Reject) Act(Withdraw) \
                     SeeSpecial(Religion) SeeSpecial(Health) SeeSpecial(Ethnicity) SeeSpecial(SexualOrientation) \
                     SeeSpecial(CriminalRecord) SeeSpecial(Confidential)"
                ),
            ),
            (
                Role::CoaOfficer,
                format!(
                    "{shared_case_work} ManagePreparation ManageHolds ImportSubmissions RecordConsent PlanPlacement \
                     Act(Withdraw) Act(StartPreDeparture) Act(Depart) Act(Arrive) Act(House) Act(StartIntegrationGuidance) Act(Close) \
                     Act(CancelHousingAssignment) SeeSpecial(Health) SeeSpecial(Confidential)"
                ),
            ),
            (
                Role::MunicipalityOfficer,
                "ReadCases SeeSpecial(Health)".into(),
            ),
            (
                Role::IntegrationOrganisation,
                "ReadCases SeeSpecial(Health)".into(),
            ),
            (
                Role::PolicyAnalyst,
                "ReadMissions ReadSubmissionRequests ReadReports ReadPolicy".into(),
            ),
            (
                Role::Administrator,
                "ManageUsers ReadAudit ManagePolicy ReadPolicy ReadMissions ReadSubmissionRequests"
                    .into(),
            ),
        ];
        for (role, permissions) in expected {
            let mut want: Vec<&str> = permissions.split_whitespace().collect();
            want.sort();
            let mut got: Vec<String> = every_permission()
                .into_iter()
                .filter(|p| role.allows(*p))
                .map(|p| format!("{p:?}"))
                .collect();
            got.sort();
            assert_eq!(got, want, "{role}");
        }
        assert_eq!(
            Role::CoaOfficer.actions(),
            [
                ActionKind::Withdraw,
                ActionKind::StartPreDeparture,
                ActionKind::Depart,
                ActionKind::Arrive,
                ActionKind::House,
                ActionKind::StartIntegrationGuidance,
                ActionKind::Close,
                ActionKind::CancelHousingAssignment,
            ]
        );
    }

    #[test]
    fn interviews_organisations_second_factors_views_and_scopes_per_role() {
        use crate::operations::InterviewKind as K;
        let interviews: Vec<(Role, K)> = Role::ALL
            .iter()
            .flat_map(|r| K::ALL.iter().map(move |k| (*r, *k)))
            .filter(|(r, k)| r.may_interview(*k))
            .collect();
        assert_eq!(
            interviews,
            [
                (Role::IndOfficer, K::Ind),
                (Role::IndOfficer, K::Medical),
                (Role::CoaOfficer, K::CoaIntake),
            ]
        );
        let with = |f: fn(Role) -> bool| -> Vec<Role> {
            Role::ALL.iter().copied().filter(|r| f(*r)).collect()
        };
        assert_eq!(
            with(Role::needs_organisation),
            [
                Role::UnhcrLiaison,
                Role::MunicipalityOfficer,
                Role::IntegrationOrganisation
            ]
        );
        assert_eq!(with(Role::requires_second_factor), [Role::Administrator]);
        assert_eq!(
            with(|r| r.case_view() == CaseView::Placement),
            [Role::MunicipalityOfficer, Role::IntegrationOrganisation]
        );
        let scopes: Vec<CaseScope> = Role::ALL
            .iter()
            .map(|r| case_scope(*r, Some("O")))
            .collect();
        assert_eq!(
            scopes,
            [
                CaseScope::SubmittedBy("O".into()),
                CaseScope::All,
                CaseScope::All,
                CaseScope::Municipality("O".into()),
                CaseScope::GuidedBy("O".into()),
                CaseScope::Nothing,
                CaseScope::Nothing,
            ]
        );
    }

    #[test]
    fn the_placement_view_has_no_identity_documents() {
        use crate::{Case, CaseId, IdentityDocument, sample};
        use time::macros::{date, datetime};
        let ctx = crate::Context {
            occurred_on: date!(2025 - 01 - 06),
            recorded_at: datetime!(2025-06-01 12:00 UTC),
            actor: "t".into(),
            reason: None,
        };
        let s = sample::submission("LBN-25C00002", 2, ctx.occurred_on).unwrap();
        let mut case = Case::submit(CaseId::generate(), s, &ctx).unwrap().case;
        case.submission.members[0].documents = vec![IdentityDocument {
            kind: crate::person::DocumentKind::Passport,
            number: "P1".into(),
            issuing_country: Some(crate::CountryCode::parse("LBN").unwrap()),
            expires_on: None,
        }];
        for role in Role::ALL {
            let (seen, _) = redact(&case, *role, Some("Tilburg"));
            let documents = seen.submission.members[0].documents.len();
            let full = role.case_view() == CaseView::Full;
            assert_eq!(documents, usize::from(full), "{role}");
        }
    }

    #[test]
    fn scoped_roles_without_organisation_see_nothing() {
        assert_eq!(
            case_scope(Role::MunicipalityOfficer, None),
            CaseScope::Nothing
        );
        assert_eq!(
            case_scope(Role::MunicipalityOfficer, Some("Zwolle")),
            CaseScope::Municipality("Zwolle".into())
        );
    }
}
