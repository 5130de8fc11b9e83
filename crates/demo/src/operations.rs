//! Synthetic missions and country-policy notes for the demo, after the letter's
//! story (DOMAIN.md section 3): the 2025 mission to Egypt, the pilot mission to
//! Ethiopia postponed and then cancelled (Tigray), and the dossier track of 2025.
//! The policy notes are invented examples, marked as such; they are not Dutch policy.

use resettle_domain::country_policy::{NewPolicyNote, PolicyNote, PolicyNoteKind};
use resettle_domain::mission::{Mission, MissionChange, MissionKind, Modality, NewMission};
use resettle_domain::{MissionId, PolicyNoteId};
use time::macros::date;
use uuid::Uuid;

/// A fixed id for the demo's `n`-th record of `kind`, so every seed gives the same ids.
fn id(kind: u8, n: u8) -> Uuid {
    Uuid::from_bytes([
        0xde, 0x30, kind, n, 0, 0, 0x40, 0, 0x80, 0, 0, 0, 0, 0, 0, n,
    ])
}

/// The demo missions, each with the changes it went through (to be applied in order).
pub fn missions() -> Vec<(Mission, Vec<MissionChange>)> {
    let plan = |n: u8, new: NewMission| new.validate(MissionId::from_uuid(id(1, n))).ok();
    let egypt = NewMission {
        kind: MissionKind::Selection,
        name: "Cairo 2025".into(),
        host_country: Some("EGY".into()),
        populations: vec!["SDN".into(), "SSD".into(), "ERI".into()],
        starts_on: date!(2025 - 03 - 03),
        ends_on: date!(2025 - 03 - 14),
        team: vec!["IND".into(), "COA".into(), "BZ".into()],
        places: 140,
        modality: Modality::InPerson,
        remote_case_kinds: vec![],
    };
    let ethiopia = NewMission {
        kind: MissionKind::Selection,
        name: "Ethiopia pilot".into(),
        host_country: Some("ETH".into()),
        populations: vec!["ERI".into(), "SSD".into()],
        starts_on: date!(2020 - 10 - 05),
        ends_on: date!(2020 - 10 - 16),
        team: vec!["IND".into(), "COA".into()],
        places: 100,
        modality: Modality::InPerson,
        remote_case_kinds: vec![],
    };
    let dossier = NewMission {
        kind: MissionKind::Dossier,
        name: "Dossier 2025".into(),
        host_country: None,
        populations: vec![],
        starts_on: date!(2025 - 01 - 01),
        ends_on: date!(2025 - 12 - 31),
        team: vec!["IND".into()],
        places: 60,
        modality: Modality::InPerson,
        remote_case_kinds: vec![],
    };
    let mut out = Vec::new();
    if let Some(m) = plan(1, egypt) {
        out.push((
            m,
            vec![
                MissionChange::Confirm,
                MissionChange::Hold,
                MissionChange::Close,
            ],
        ));
    }
    if let Some(m) = plan(2, ethiopia) {
        out.push((
            m,
            vec![
                MissionChange::Postpone {
                    starts_on: date!(2021 - 02 - 01),
                    ends_on: date!(2021 - 02 - 12),
                    reason: "travel restrictions (pandemic)".into(),
                },
                MissionChange::Cancel {
                    reason: "security situation (conflict in Tigray)".into(),
                },
            ],
        ));
    }
    // The year of the dossier track is over: its selection is closed.
    if let Some(m) = plan(3, dossier) {
        out.push((
            m,
            vec![
                MissionChange::Confirm,
                MissionChange::Hold,
                MissionChange::Close,
            ],
        ));
    }
    out
}

/// Invented country-policy notes (marked synthetic), with validity dates.
pub fn policy_notes() -> Vec<PolicyNote> {
    let note = |n: u8, nationality: &str, group: Option<&str>, kind, summary: &str, from, until| {
        NewPolicyNote {
            nationality: nationality.into(),
            group: group.map(str::to_string),
            kind,
            summary: format!("Synthetic demo note: {summary}"),
            particular_attention: group.is_some(),
            valid_from: from,
            valid_until: until,
        }
        .validate(PolicyNoteId::from_uuid(id(2, n)))
        .ok()
    };
    [
        note(
            1,
            "SDN",
            None,
            PolicyNoteKind::SeriousHarm,
            "real risk of serious harm in the conflict areas",
            date!(2023 - 06 - 01),
            None,
        ),
        note(
            2,
            "ERI",
            Some("Christians"),
            PolicyNoteKind::RiskProfile,
            "members of unrecognised churches form a risk group",
            date!(2022 - 01 - 01),
            None,
        ),
        note(
            3,
            "SSD",
            None,
            PolicyNoteKind::RiskProfile,
            "earlier risk profile, replaced",
            date!(2019 - 01 - 01),
            Some(date!(2024 - 01 - 01)),
        ),
    ]
    .into_iter()
    .flatten()
    .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn every_demo_mission_goes_through_its_changes_and_ids_are_stable() {
        let ms = missions();
        assert_eq!(ms.len(), 3);
        for (m, changes) in &ms {
            let mut m = m.clone();
            for c in changes {
                m.apply(c).unwrap();
            }
            // A mission whose time is over is not left open.
            if m.ends_on < date!(2026 - 01 - 01) {
                assert!(
                    matches!(
                        m.status,
                        resettle_domain::mission::MissionStatus::Closed
                            | resettle_domain::mission::MissionStatus::Cancelled
                    ),
                    "{} ended on {} but is {}",
                    m.name,
                    m.ends_on,
                    m.status
                );
            }
        }
        assert_eq!(missions()[0].0.id, ms[0].0.id);
        assert_eq!(policy_notes().len(), 3);
    }
}
