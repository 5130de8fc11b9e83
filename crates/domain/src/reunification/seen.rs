//! What each reader sees of family reunification. The IND decides: it sees
//! everything. COA arranges travel and records relatives left behind: it
//! sees who the relatives are and where each stands, but not the IND's
//! grounds, motivations or evidence notes (a ground such as public order can
//! be criminal-law data, AVG art. 10). A municipality prepares housing for the
//! families it houses: it learns how many relatives may follow, how they are
//! related and how far their applications are, but a relative's name only
//! once the IND has granted them (they are then coming to live there), and
//! never where a relative left behind is or why they stayed (data
//! minimisation, AVG art. 5).

use super::{Application, ApplicationChange, ApplicationEvent, RelativeLeftBehind, RelativeStatus};
use crate::access::{Permission, Role};
use crate::person::Relationship;
use serde::Serialize;

/// A relative left behind as one reader may see them: the fields the reader
/// may not see are absent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct RelativeLeftBehindSeen {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    pub relationship: Relationship,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub whereabouts: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason_stays: Option<String>,
    pub expected_to_apply: bool,
}

impl RelativeLeftBehind {
    /// What `role` may see of this relative.
    pub fn seen_by(&self, role: Role) -> RelativeLeftBehindSeen {
        let full = role.allows(Permission::RecordRelativesLeftBehind);
        let shown = |v: &String| full.then(|| v.clone());
        RelativeLeftBehindSeen {
            given_name: shown(&self.given_name),
            family_name: shown(&self.family_name),
            relationship: self.relationship,
            whereabouts: shown(&self.whereabouts),
            reason_stays: shown(&self.reason_stays),
            expected_to_apply: self.expected_to_apply,
        }
    }
}

impl RelativeStatus {
    /// Granted and on the way, or arrived: the relative comes to live with
    /// the sponsor's household.
    pub fn coming(self) -> bool {
        matches!(self, Self::Granted | Self::Travel | Self::Arrived)
    }
}

/// The IND decides: only it reads the grounds, motivations and notes.
fn decides(role: Role) -> bool {
    role.allows(Permission::DecideReunification)
}

/// The IND and COA work the applications: they know who the relatives are.
fn works_it(role: Role) -> bool {
    decides(role) || role.allows(Permission::ArrangeReunificationTravel)
}

impl Application {
    /// What `role` may see of this application: the IND all of it; COA all
    /// but the IND's grounds, motivations and evidence notes; any other
    /// reader (a municipality) who is coming and when, with no evidence, and
    /// no name of a relative the IND has not granted.
    pub fn seen_by(mut self, role: Role) -> Application {
        if decides(role) {
            return self;
        }
        let named = works_it(role);
        for r in &mut self.relatives {
            r.grounds.clear();
            r.motivation = None;
            if named {
                r.evidence.iter_mut().for_each(|e| e.note.clear());
            } else {
                r.evidence.clear();
            }
            if !named && !r.status.coming() {
                r.given_name.clear();
                r.family_name.clear();
                r.identity_withheld = true;
            }
        }
        self
    }
}

impl ApplicationEvent {
    /// What `role` may see of this history entry: for all but the IND, no
    /// motivation, evidence note or grounds.
    pub fn seen_by(mut self, role: Role) -> ApplicationEvent {
        if decides(role) {
            return self;
        }
        self.reason = None;
        match &mut self.change {
            ApplicationChange::RecordEvidence { note, .. } => note.clear(),
            ApplicationChange::Decide { grounds, .. } => grounds.clear(),
            _ => {}
        }
        self
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn relative() -> RelativeLeftBehind {
        RelativeLeftBehind {
            given_name: "Amal".into(),
            family_name: "Haddad".into(),
            relationship: Relationship::Child,
            whereabouts: "Cairo".into(),
            reason_stays: "exams".into(),
            expected_to_apply: true,
        }
    }

    #[test]
    fn those_who_record_relatives_left_behind_see_them_whole() {
        for role in [Role::IndOfficer, Role::CoaOfficer] {
            let seen = relative().seen_by(role);
            assert_eq!(seen.given_name.as_deref(), Some("Amal"));
            assert_eq!(seen.whereabouts.as_deref(), Some("Cairo"));
            assert_eq!(seen.reason_stays.as_deref(), Some("exams"));
        }
    }

    #[test]
    fn a_municipality_learns_relationship_and_expectation_only() {
        let seen = relative().seen_by(Role::MunicipalityOfficer);
        assert_eq!(seen.given_name, None);
        assert_eq!(seen.family_name, None);
        assert_eq!(seen.whereabouts, None);
        assert_eq!(seen.reason_stays, None);
        assert_eq!(seen.relationship, Relationship::Child);
        assert!(seen.expected_to_apply);
        let json = serde_json::to_string(&seen).unwrap();
        assert!(!json.contains("Amal") && !json.contains("Cairo") && !json.contains("exams"));
    }

    #[test]
    fn only_the_ind_reads_the_history_s_motivations_notes_and_grounds() {
        use super::super::{DecisionKind, EvidenceKind, ReunificationGround};
        let event = |change| ApplicationEvent {
            seq: 2,
            change,
            occurred_on: time::macros::date!(2025 - 03 - 01),
            actor: "ind.officer".into(),
            reason: Some("DNA test declined".into()),
        };
        let decided = event(ApplicationChange::Decide {
            relative: 0,
            decision: DecisionKind::Reject,
            grounds: vec![ReunificationGround::PublicOrder],
        });
        let evidence = event(ApplicationChange::RecordEvidence {
            relative: 0,
            kind: EvidenceKind::Documents,
            note: "passport copy".into(),
        });
        for (e, role) in [&decided, &evidence]
            .into_iter()
            .flat_map(|e| [(e, Role::CoaOfficer), (e, Role::MunicipalityOfficer)])
        {
            assert_eq!(e.clone().seen_by(Role::IndOfficer), *e);
            let seen = e.clone().seen_by(role);
            let json = serde_json::to_string(&seen).unwrap();
            assert!(seen.reason.is_none(), "{json}");
            assert!(
                !json.contains("public-order") && !json.contains("passport"),
                "{json}"
            );
        }
    }

    #[test]
    fn only_granted_relatives_are_named_to_a_municipality() {
        for status in RelativeStatus::ALL {
            assert_eq!(
                status.coming(),
                matches!(
                    status,
                    RelativeStatus::Granted | RelativeStatus::Travel | RelativeStatus::Arrived
                ),
                "{status:?}"
            );
        }
    }
}
