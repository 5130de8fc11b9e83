//! The demo's missions, made from its history: every batch of cases selected
//! together is a selection mission (one per host country it visited) or a
//! dossier track, and its cases are selected on it. A mission's places are
//! the persons it selected or still has to decide on; its places used are
//! those of the families it accepted that were not withdrawn. A mission whose
//! end has passed took place, and is closed once every case on it is decided.

use crate::DemoError;
use crate::history::Batch;
use crate::operations::id;
use resettle_domain::mission::{Mission, MissionChange, MissionKind, Modality, NewMission};
use resettle_domain::{Action, CaseId, CaseState, CountryCode, MissionId, NewCase, Programme};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use time::{Date, Duration};

/// The demo's allocation plan for 2026, the first year of the 2026-2027 Union
/// plan (synthetic figures; the letter gives none), added to the letter's
/// policy when the demo is loaded.
pub const ALLOCATION_PLAN_2026: &str = include_str!("allocation-plan-2026.json");

/// A selection mission takes two working weeks from its first interview day.
const MISSION_DAYS: i64 = 11;

/// Where a case was selected: its batch, and for a selection mission the host
/// country visited (a batch may send missions to several).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Selected {
    starts_on: Date,
    ends_on: Date,
    name: &'static str,
    host: Option<CountryCode>,
    /// The programme the batch selected for: the mission's, so EU-Turkey
    /// selections stay out of the national plan. Last, so that the order of
    /// the missions (and their ids) follows their start as before.
    programme: Programme,
}

impl Selected {
    pub fn of(batch: &Batch, host: CountryCode, programme: Programme) -> Self {
        match batch.mission_on {
            Some(on) => Self {
                starts_on: on,
                ends_on: on + Duration::days(MISSION_DAYS),
                name: batch.name,
                host: Some(host),
                programme,
            },
            None => Self {
                starts_on: batch.select.0,
                ends_on: batch.select.1,
                name: batch.name,
                host: None,
                programme,
            },
        }
    }
}

/// A demo mission: the mission as planned, the status changes it went
/// through (to apply in order), and its cases with the places each holds.
#[derive(Debug, Clone)]
pub struct DemoMission {
    pub mission: Mission,
    pub changes: Vec<MissionChange>,
    pub cases: Vec<(CaseId, i64)>,
}

/// The places a case holds: its persons while its acceptance stands.
pub fn places_held(c: &NewCase) -> i64 {
    let accepted = c
        .history
        .iter()
        .rev()
        .find_map(|t| match t.action {
            Action::Accept { .. } => Some(true),
            Action::Withdraw => Some(false),
            _ => None,
        })
        .unwrap_or(false);
    if accepted {
        i64::try_from(c.case.persons()).unwrap_or(i64::MAX)
    } else {
        0
    }
}

/// Whether the case was accepted at some time (and so took a place, perhaps given back).
fn ever_accepted(c: &NewCase) -> bool {
    c.history
        .iter()
        .any(|t| matches!(t.action, Action::Accept { .. }))
}

/// Whether the case still waits for the IND's decision.
fn undecided(c: &NewCase) -> bool {
    matches!(
        c.case.state,
        CaseState::Submitted | CaseState::UnderAssessment
    )
}

/// The missions of the selections made, as they stand on `today`. Missions
/// get the fixed ids `first_id`, `first_id + 1`, … in order of their start.
pub(crate) fn build(
    cases: &[NewCase],
    selections: &[(CaseId, Selected)],
    today: Date,
    first_id: u8,
) -> Result<Vec<DemoMission>, DemoError> {
    let by_id: HashMap<CaseId, &NewCase> = cases.iter().map(|c| (c.case.id, c)).collect();
    let mut groups: BTreeMap<&Selected, Vec<&NewCase>> = BTreeMap::new();
    for (case, selected) in selections {
        let c = by_id
            .get(case)
            .ok_or_else(|| DemoError::plan(format!("selected case {case} was not generated")))?;
        groups.entry(selected).or_default().push(c);
    }
    // Batches visiting a host more than once are told apart by their month.
    let mut visits: HashMap<(&str, Option<CountryCode>), usize> = HashMap::new();
    for s in groups.keys() {
        *visits.entry((s.name, s.host)).or_default() += 1;
    }
    let mut out = Vec::with_capacity(groups.len());
    for (n, (s, members)) in groups.into_iter().enumerate() {
        let mut name = capitalised(s.name);
        if visits.get(&(s.name, s.host)).is_some_and(|v| *v > 1) {
            name = format!(
                "{name}, {} {}",
                dutch_month(s.starts_on.month()),
                s.starts_on.year()
            );
        }
        let places: i64 = members
            .iter()
            .filter(|c| undecided(c) || ever_accepted(c))
            .map(|c| i64::try_from(c.case.persons()).unwrap_or(i64::MAX))
            .sum();
        let populations: BTreeSet<String> = members
            .iter()
            .filter_map(|c| c.case.submission.members.first())
            .map(|m| m.nationality.code().to_string())
            .collect();
        let new = NewMission {
            kind: if s.host.is_some() {
                MissionKind::Selection
            } else {
                MissionKind::Dossier
            },
            programme: s.programme,
            name,
            host_country: s.host.map(|h| h.as_str().to_string()),
            populations: populations.into_iter().collect(),
            starts_on: s.starts_on,
            ends_on: s.ends_on,
            team: if s.host.is_some() {
                vec!["IND".into(), "COA".into(), "BZ".into()]
            } else {
                vec!["IND".into()]
            },
            places: places.max(1),
            modality: Modality::InPerson,
            remote_case_kinds: vec![],
        };
        let number = u8::try_from(n)
            .ok()
            .and_then(|n| n.checked_add(first_id))
            .ok_or_else(|| DemoError::plan("more missions than the demo has ids for"))?;
        let mission = new
            .validate(MissionId::from_uuid(id(1, number)))
            .map_err(|p| DemoError::plan(format!("{}: {p:?}", s.name)))?;
        let mut changes = vec![MissionChange::Confirm];
        if s.ends_on < today {
            changes.push(MissionChange::Hold);
            if !members.iter().any(|c| undecided(c)) {
                changes.push(MissionChange::Close);
            }
        }
        let cases = members
            .iter()
            .map(|c| (c.case.id, places_held(c)))
            .collect();
        out.push(DemoMission {
            mission,
            changes,
            cases,
        });
    }
    Ok(out)
}

/// Demo missions are named as Dutch officers name them.
fn dutch_month(m: time::Month) -> &'static str {
    use time::Month::*;
    match m {
        January => "januari",
        February => "februari",
        March => "maart",
        April => "april",
        May => "mei",
        June => "juni",
        July => "juli",
        August => "augustus",
        September => "september",
        October => "oktober",
        November => "november",
        December => "december",
    }
}

fn capitalised(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
