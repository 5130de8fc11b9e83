//! Synthetic country-policy notes and the one demo mission that selected
//! nobody, after the letter's story (DOMAIN.md section 3): the pilot mission to
//! Ethiopia, postponed and then cancelled (Tigray). The missions that selected
//! the demo's cases come from its history (see `missions`).
//! The policy notes are invented examples, marked as such; they are not Dutch policy.

use resettle_domain::country_policy::{NewPolicyNote, PolicyNote, PolicyNoteKind};
use resettle_domain::mission::{Mission, MissionChange, MissionKind, Modality, NewMission};
use resettle_domain::{MissionId, PolicyNoteId, Programme};
use time::macros::date;
use uuid::Uuid;

/// A fixed id for the demo's `n`-th record of `kind`, so every seed gives the same ids.
pub(crate) fn id(kind: u8, n: u8) -> Uuid {
    Uuid::from_bytes([
        0xde, 0x30, kind, n, 0, 0, 0x40, 0, 0x80, 0, 0, 0, 0, 0, 0, n,
    ])
}

/// The missions that selected no case, each with the changes it went through
/// (to be applied in order).
pub fn missions() -> Vec<(Mission, Vec<MissionChange>)> {
    let ethiopia = NewMission {
        kind: MissionKind::Selection,
        programme: Programme::NationalQuota,
        name: "Pilot Ethiopië".into(),
        host_country: Some("ETH".into()),
        populations: vec!["ERI".into(), "SSD".into()],
        starts_on: date!(2020 - 10 - 05),
        ends_on: date!(2020 - 10 - 16),
        team: vec!["IND".into(), "COA".into()],
        places: 100,
        modality: Modality::InPerson,
        remote_case_kinds: vec![],
    };
    let changes = vec![
        MissionChange::Postpone {
            starts_on: date!(2021 - 02 - 01),
            ends_on: date!(2021 - 02 - 12),
            reason: "reisbeperkingen (pandemie)".into(),
        },
        MissionChange::Cancel {
            reason: "veiligheidssituatie (conflict in Tigray)".into(),
        },
    ];
    ethiopia
        .validate(MissionId::from_uuid(id(1, 2)))
        .ok()
        .map(|m| (m, changes))
        .into_iter()
        .collect()
}

/// Invented country-policy notes (marked synthetic), with validity dates.
pub fn policy_notes() -> Vec<PolicyNote> {
    let note = |n: u8, nationality: &str, group: Option<&str>, kind, summary: &str, from, until| {
        NewPolicyNote {
            nationality: nationality.into(),
            group: group.map(str::to_string),
            kind,
            summary: format!("Synthetische demonotitie: {summary}"),
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
            "reëel risico op ernstige schade in de conflictgebieden",
            date!(2023 - 06 - 01),
            None,
        ),
        note(
            2,
            "ERI",
            Some("Christenen"),
            PolicyNoteKind::RiskProfile,
            "leden van niet-erkende kerken vormen een risicogroep",
            date!(2022 - 01 - 01),
            None,
        ),
        note(
            3,
            "SSD",
            None,
            PolicyNoteKind::RiskProfile,
            "eerder risicoprofiel, vervangen",
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
        assert_eq!(ms.len(), 1);
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
