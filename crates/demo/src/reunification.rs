//! Family reunification in the demo: relatives left behind by resettled
//! families (recorded at selection; among them those who came later), and pending applications of sponsors in
//! every state before arrival (the arrived relatives are the demo's
//! family-reunification cases, which the import turns into applications).
//! Nothing here adds an arrival, so the demo's yearly arrivals stay those of
//! the letter. Every application is built through the domain API.

use crate::DemoError;
use resettle_domain::policy::PolicySet;
use resettle_domain::reunification::{
    Application, ApplicationChange, ApplicationEvent, ApplicationId, DecisionKind, EvidenceKind,
    NewApplication, NewRelative, RelativeLeftBehind, RelativeStatus, ReunificationGround,
};
use resettle_domain::{Case, CaseId, Context, NewCase, Relationship, Sex};
use time::{Date, Duration};

/// One application as it moved: the state after each change, with the
/// change's event (the first is the application itself).
pub type Snapshots = Vec<(Application, ApplicationEvent)>;

/// Resettled families that arrived at least this long before today sponsor
/// the demo's applications, so that every step lies in the past.
const SETTLED_DAYS: i64 = 200;

/// Arrived resettlement cases, latest arrival first.
fn settled(cases: &[NewCase], today: Date) -> Vec<&Case> {
    let mut out: Vec<&Case> = cases
        .iter()
        .map(|c| &c.case)
        .filter(|c| c.submission.family_reunification_of.is_none())
        .filter(|c| {
            c.arrived_on
                .is_some_and(|d| d <= today - Duration::days(SETTLED_DAYS))
        })
        .collect();
    out.sort_by_key(|c| {
        (
            std::cmp::Reverse(c.arrived_on),
            c.submission.case_number.clone(),
        )
    });
    out
}

/// Relatives left behind, as recorded at each family's selection: those who
/// later came as family reunification (named as they arrived, most of them
/// expected to apply), and a parent of every twelfth settled family who
/// stays in the host country and does not come. So the forecast has both
/// to learn from, back to 2020.
pub fn left_behind(cases: &[NewCase], today: Date) -> Vec<(CaseId, Vec<RelativeLeftBehind>)> {
    const WHY: [&str; 3] = [
        "te zwak om te reizen; verzorgd door een getrouwde dochter",
        "blijft bij een zoon die niet werd hervestigd",
        "wilde de woonplaats van de familie niet verlaten",
    ];
    let mut out: Vec<(CaseId, Vec<RelativeLeftBehind>)> = came_later(cases);
    for (i, c) in settled(cases, today).into_iter().step_by(12).enumerate() {
        let family = c
            .submission
            .members
            .first()
            .map_or("Demo", |m| m.family_name.as_str());
        let relative = RelativeLeftBehind {
            given_name: ["Amal", "Hassan", "Mariam"][i % 3].to_string(),
            family_name: family.to_string(),
            relationship: Relationship::Parent,
            whereabouts: dutch_country(c.submission.host_country),
            reason_stays: WHY[i % 3].to_string(),
            expected_to_apply: i.is_multiple_of(2),
        };
        match out.iter_mut().find(|(id, _)| *id == c.id) {
            Some((_, list)) => list.push(relative),
            None => out.push((c.id, vec![relative])),
        }
    }
    out
}

/// The members of every family-reunification case, recorded as left behind
/// by the family they joined; every fourth such case was not expected to
/// apply when it was recorded.
fn came_later(cases: &[NewCase]) -> Vec<(CaseId, Vec<RelativeLeftBehind>)> {
    const WHY: [&str; 3] = [
        "woonde in een andere stad en kon het gesprek niet bereiken",
        "had bij de selectie geen reisdocument",
        "lag in het ziekenhuis toen het gezin vertrok",
    ];
    let mut out: Vec<(CaseId, Vec<RelativeLeftBehind>)> = Vec::new();
    let joining = cases.iter().map(|c| &c.case).filter_map(|c| {
        let of = c.submission.family_reunification_of.as_ref()?;
        let sponsor = cases.iter().map(|s| &s.case).find(|s| {
            &s.submission.case_number == of && s.submission.family_reunification_of.is_none()
        })?;
        Some((c, sponsor))
    });
    for (i, (c, sponsor)) in joining.enumerate() {
        let relationships = relationships(c, sponsor);
        let relatives = c
            .submission
            .members
            .iter()
            .zip(relationships)
            .map(|(m, relationship)| RelativeLeftBehind {
                given_name: m.given_name.clone(),
                family_name: m.family_name.clone(),
                relationship,
                whereabouts: sponsor.submission.host_country.name().to_string(),
                reason_stays: WHY[i % 3].to_string(),
                expected_to_apply: i % 4 != 3,
            });
        match out.iter_mut().find(|(id, _)| *id == sponsor.id) {
            Some((_, list)) => list.extend(relatives),
            None => out.push((sponsor.id, relatives.collect())),
        }
    }
    out
}

/// How the members of a family-reunification case relate to the principal
/// applicant of the family they join: a spouse with the children, a parent
/// (with the other parent), or else the household of a sibling.
fn relationships(joining: &Case, sponsor: &Case) -> Vec<Relationship> {
    let members = &joining.submission.members;
    let with_children = members
        .iter()
        .any(|m| m.relationship == Relationship::Child);
    let born = |c: &Case| {
        c.submission
            .members
            .iter()
            .find(|m| m.relationship == Relationship::PrincipalApplicant)
            .map(|m| m.date_of_birth.date())
    };
    let older = match (born(joining), born(sponsor)) {
        (Some(a), Some(b)) => a + Duration::days(365 * 15) <= b,
        _ => false,
    };
    let head = if with_children {
        Relationship::Spouse
    } else if older {
        Relationship::Parent
    } else {
        Relationship::Sibling
    };
    members
        .iter()
        .map(|m| match (m.relationship, head) {
            (Relationship::PrincipalApplicant, _) => head,
            (Relationship::Child, Relationship::Spouse) => Relationship::Child,
            (Relationship::Spouse, Relationship::Parent) => Relationship::Parent,
            _ => Relationship::OtherRelative,
        })
        .collect()
}

/// The statuses the demo's pending applications end in, one application each.
pub const STATES: [RelativeStatus; 7] = [
    RelativeStatus::Applied,
    RelativeStatus::Evidence,
    RelativeStatus::Interview,
    RelativeStatus::Granted,
    RelativeStatus::Rejected,
    RelativeStatus::Withdrawn,
    RelativeStatus::Travel,
];

/// One application per state of [`STATES`], each for a spouse of a recently
/// settled family; the last is applied for after the window (flagged late).
pub fn applications(
    cases: &[NewCase],
    policy: &PolicySet,
    ctx: &Context,
) -> Result<Vec<Snapshots>, DemoError> {
    let today = ctx.recorded_at.date();
    let sponsors = settled(cases, today);
    STATES
        .iter()
        .zip(sponsors)
        .enumerate()
        .map(|(i, (state, sponsor))| application(i, *state, sponsor, policy, ctx))
        .collect()
}

fn application(
    i: usize,
    state: RelativeStatus,
    sponsor: &Case,
    policy: &PolicySet,
    ctx: &Context,
) -> Result<Snapshots, DemoError> {
    let permit = sponsor
        .arrived_on
        .ok_or_else(|| DemoError::plan("a sponsor without arrival"))?;
    // Within the window, but the last one four months after the permit.
    let late = i + 1 == STATES.len();
    let applied_on = permit + Duration::days(if late { 120 } else { 30 });
    let family = sponsor
        .submission
        .members
        .first()
        .map_or("Demo", |m| m.family_name.as_str());
    let new = NewApplication {
        sponsor_case_id: sponsor.id,
        permit_issued_on: permit,
        applied_on,
        relatives: vec![NewRelative {
            given_name: ["Samir", "Omar", "Karim", "Yusuf", "Nabil", "Tarek", "Fadi"][i % 7]
                .to_string(),
            family_name: family.to_string(),
            date_of_birth: applied_on - Duration::days(365 * 35),
            sex: Sex::Male,
            nationality: sponsor
                .submission
                .members
                .first()
                .map(|m| m.nationality)
                .ok_or_else(|| DemoError::plan("a sponsor without members"))?,
            relationship: Relationship::Spouse,
        }],
    };
    let at = |on: Date, reason: Option<&str>| Context {
        occurred_on: on,
        reason: reason.map(str::to_string),
        ..ctx.clone()
    };
    let bad = |e: resettle_domain::reunification::ReunificationError| DemoError::invalid(e);
    let (mut a, first) = Application::apply(
        ApplicationId::from_uuid(uuid_for(sponsor.id, i)),
        &new,
        sponsor,
        &at(applied_on, None),
    )
    .map_err(bad)?;
    let mut out = vec![(a.clone(), first)];
    let evidence = ApplicationChange::RecordEvidence {
        relative: 0,
        kind: if i.is_multiple_of(2) {
            EvidenceKind::Documents
        } else {
            EvidenceKind::DnaOffered
        },
        note: String::new(),
    };
    let decide = |decision, grounds| ApplicationChange::Decide {
        relative: 0,
        decision,
        grounds,
    };
    let steps: Vec<(ApplicationChange, i64, Option<&str>)> = match state {
        RelativeStatus::Applied | RelativeStatus::Arrived => vec![],
        RelativeStatus::Evidence => vec![(evidence, 10, None)],
        RelativeStatus::Interview => vec![
            (evidence, 10, None),
            (ApplicationChange::Interview { relative: 0 }, 30, None),
        ],
        RelativeStatus::Granted => vec![
            (evidence, 10, None),
            (decide(DecisionKind::Grant, vec![]), 60, None),
        ],
        RelativeStatus::Rejected => vec![
            (evidence, 10, None),
            (
                decide(
                    DecisionKind::Reject,
                    vec![ReunificationGround::FamilyTiesNotEstablished],
                ),
                80,
                Some(
                    "het huwelijk is niet met documenten aangetoond en het aangeboden DNA-onderzoek is geweigerd",
                ),
            ),
        ],
        RelativeStatus::Withdrawn => vec![(
            decide(DecisionKind::Withdrawn, vec![]),
            20,
            Some("de referent heeft de aanvraag ingetrokken"),
        )],
        RelativeStatus::Travel => vec![
            (evidence, 10, None),
            (decide(DecisionKind::Grant, vec![]), 50, None),
            (
                ApplicationChange::ArrangeTravel {
                    relative: 0,
                    visa_issued_on: applied_on + Duration::days(70),
                    departs_on: applied_on + Duration::days(100),
                    booking_reference: format!("IOM-DEMO-{i}"),
                },
                70,
                None,
            ),
        ],
    };
    for (change, after, reason) in steps {
        let event = a
            .change(
                change,
                policy,
                &at(applied_on + Duration::days(after), reason),
            )
            .map_err(bad)?;
        out.push((a.clone(), event));
    }
    Ok(out)
}

/// A stable id for the demo's `i`-th application (the same seed gives the same ids).
fn uuid_for(sponsor: CaseId, i: usize) -> uuid::Uuid {
    let mut bytes = *sponsor.as_uuid().as_bytes();
    bytes[15] ^= 0x5a ^ (i as u8);
    bytes[14] ^= 0xa5;
    uuid::Uuid::from_bytes(bytes)
}

/// Where a relative stayed, as a Dutch officer writes it: the host
/// countries of the demo in Dutch (others by their English name).
fn dutch_country(c: resettle_domain::CountryCode) -> String {
    match c.as_str() {
        "EGY" => "Egypte",
        "LBN" => "Libanon",
        "JOR" => "Jordanië",
        "TUR" => "Turkije",
        "KEN" => "Kenia",
        "RWA" => "Rwanda",
        "NER" => "Niger",
        "MYS" => "Maleisië",
        "UGA" => "Oeganda",
        "IRQ" => "Irak",
        "LBY" => "Libië",
        "ETH" => "Ethiopië",
        "SDN" => "Soedan",
        "SYR" => "Syrië",
        _ => c.name(),
    }
    .to_string()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn the_demo_has_pending_applications_in_every_state_before_arrival_and_relatives_left_behind() {
        let ctx = Context {
            occurred_on: time::macros::date!(2026 - 12 - 01),
            recorded_at: datetime!(2026-12-01 12:00 UTC),
            actor: "demo".into(),
            reason: None,
        };
        let cases = crate::generate(2026, &ctx).unwrap();
        let policy: PolicySet =
            serde_json::from_str(include_str!("../../../docs/policy-nl.json")).unwrap();
        let apps = applications(&cases, &policy, &ctx).unwrap();
        let last: Vec<&Application> = apps.iter().map(|s| &s.last().unwrap().0).collect();
        let states: Vec<RelativeStatus> = last.iter().map(|a| a.relatives[0].status).collect();
        assert_eq!(states, STATES);
        assert_eq!(
            last.iter().map(|a| a.late(&policy)).collect::<Vec<_>>(),
            [false, false, false, false, false, false, true].map(Some)
        );
        // Versions follow one another: each snapshot is one saved change.
        for s in &apps {
            for (n, (a, e)) in s.iter().enumerate() {
                assert_eq!((a.version, e.seq), (n as i64 + 1, n as i64 + 1));
            }
        }
        // The imported family-reunification cases are the arrived ones.
        assert!(
            cases
                .iter()
                .any(|c| c.case.submission.family_reunification_of.is_some()
                    && c.case.arrived_on.is_some())
        );
        let left = left_behind(&cases, ctx.recorded_at.date());
        assert!(left.len() >= 3, "{}", left.len());
        assert!(
            left.iter()
                .all(|(_, l)| resettle_domain::reunification::validate_left_behind(l).is_ok())
        );
        // One list per family; every relative who came later was recorded by
        // the family they joined, and some recorded relatives never came.
        let ids: std::collections::BTreeSet<CaseId> = left.iter().map(|(id, _)| *id).collect();
        assert_eq!(ids.len(), left.len());
        let joining: Vec<&NewCase> = cases
            .iter()
            .filter(|c| c.case.submission.family_reunification_of.is_some())
            .collect();
        assert!(joining.len() > 10, "{}", joining.len());
        for c in &joining {
            let sponsor = cases
                .iter()
                .find(|s| {
                    Some(&s.case.submission.case_number)
                        == c.case.submission.family_reunification_of.as_ref()
                })
                .unwrap();
            let list = &left
                .iter()
                .find(|(id, _)| *id == sponsor.case.id)
                .unwrap()
                .1;
            for m in &c.case.submission.members {
                assert!(
                    list.iter()
                        .any(|r| r.given_name == m.given_name && r.family_name == m.family_name),
                    "{} not recorded for {}",
                    m.given_name,
                    sponsor.case.submission.case_number
                );
            }
        }
        let recorded: usize = left.iter().map(|(_, l)| l.len()).sum();
        let came: usize = joining
            .iter()
            .map(|c| c.case.submission.members.len())
            .sum();
        assert!(recorded > came + 20, "{recorded} recorded, {came} came");
        let flags: std::collections::BTreeSet<bool> = left
            .iter()
            .flat_map(|(_, l)| l.iter().map(|r| r.expected_to_apply))
            .collect();
        assert_eq!(flags.len(), 2);
    }
}
