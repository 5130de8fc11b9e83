//! The placement problem from live data: accepted families not yet housed
//! (their room from their members), municipalities with the room left after
//! confirmed assignments, and scores from the placement model
//! (`docs/placement-model.json`), whose parts explain each score.

use resettle_domain::{Case, CaseId, CaseNumber, CaseState};
use resettle_placement::explain::ScorePart;
use resettle_placement::instance::{FamilyInput, Instance, MunicipalityInput, ScoreInput};
use resettle_placement::model::{Features, ScoreModel};
use resettle_placement::{InvalidInstance, Problem};
use resettle_store::placement::{DIMENSIONS, HousingAssignment, Municipality};
use resettle_store::{CaseFilter, PageRequest, Store, StoreError};
use std::collections::HashSet;
use time::Date;

/// The placement model in force; its coefficients are data.
pub const MODEL: &str = include_str!("../../../docs/placement-model.json");

/// States in which a family waits for a municipality.
pub const WAITING: [CaseState; 4] = [
    CaseState::Accepted,
    CaseState::PreDeparture,
    CaseState::Departed,
    CaseState::Arrived,
];

/// Age from which a child counts for a school place, and up to which.
const SCHOOL_AGES: std::ops::RangeInclusive<i32> = 4..=17;

/// A family waiting for a municipality.
#[derive(Debug, Clone)]
pub struct Family {
    pub case_id: CaseId,
    pub case_number: CaseNumber,
    pub persons: u32,
    pub children: u32,
    /// Room it needs, in [`DIMENSIONS`].
    pub room: [u32; 3],
    pub features: Features,
    /// Still on its way (not arrived) while room is kept for later
    /// arrivals: placed only so that its room is kept, not proposed.
    pub expected: bool,
}

/// Everything a proposal is made from.
pub struct Plan {
    pub families: Vec<Family>,
    pub municipalities: Vec<Municipality>,
    /// Room left per municipality, in [`DIMENSIONS`].
    pub room_left: Vec<[f64; 3]>,
    pub model: ScoreModel,
    pub problem: Problem,
    /// Only arrived families are proposed; room is kept for those on their way.
    pub keep_room: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the placement model cannot be used: {0}")]
    Model(#[from] resettle_placement::model::ModelError),
    #[error("the placement model is not valid JSON: {0}")]
    ModelFormat(#[from] serde_json::Error),
    #[error(transparent)]
    Instance(#[from] InvalidInstance),
}

pub fn family(case: &Case, today: Date) -> Family {
    let ages: Vec<i32> = case
        .submission
        .members
        .iter()
        .map(|m| m.date_of_birth.age_on(today))
        .collect();
    let persons = ages.len() as u32;
    let children = ages.iter().filter(|a| SCHOOL_AGES.contains(a)).count() as u32;
    let adults = ages.iter().filter(|a| (18..65).contains(*a)).count() as f64;
    let older = ages.iter().filter(|a| **a >= 65).count() as f64;
    let features: Features = [
        ("persons".to_string(), f64::from(persons)),
        ("adults".to_string(), adults),
        ("children".to_string(), f64::from(children)),
        ("older".to_string(), older.min(1.0)),
        (
            "largeFamily".to_string(),
            if persons >= 5 { 1.0 } else { 0.0 },
        ),
        (
            "singleAdult".to_string(),
            if persons == 1 && adults == 1.0 {
                1.0
            } else {
                0.0
            },
        ),
    ]
    .into();
    Family {
        case_id: case.id,
        case_number: case.submission.case_number.clone(),
        persons,
        children,
        room: [persons, u32::from(persons >= 5), children],
        features,
        expected: false,
    }
}

/// Reads the waiting families, the municipalities and the assignments, and
/// builds the problem. With `keep_room`, only arrived families are to be
/// proposed; those still on their way are placed with them to keep their room.
pub async fn plan(
    store: &dyn Store,
    scope: Option<resettle_domain::CaseScope>,
    today: Date,
    keep_room: bool,
) -> Result<Plan, PlanError> {
    let assigned: Vec<HousingAssignment> = store.housing_assignments().await?;
    let taken: HashSet<CaseId> = assigned.iter().map(|a| a.case_id).collect();
    let mut families = Vec::new();
    for state in WAITING {
        let filter = CaseFilter {
            state: Some(state),
            scope: scope.clone(),
            ..CaseFilter::default()
        };
        // Every waiting family, page by page along the list's cursors.
        let mut request = PageRequest::new(1, PageRequest::MAX_SIZE);
        loop {
            let page = store.list_cases(&filter, request.clone()).await?;
            for summary in page.items.iter().filter(|s| !taken.contains(&s.id)) {
                if let Some(case) = store.case(summary.id).await? {
                    families.push(Family {
                        expected: keep_room && state != CaseState::Arrived,
                        ..family(&case, today)
                    });
                }
            }
            let Some(next) = page.next else {
                break;
            };
            request = request.with_cursor(Some(next));
        }
    }
    families.sort_by(|a, b| a.case_number.as_str().cmp(b.case_number.as_str()));
    let municipalities = store.municipalities().await?;
    let room_left: Vec<[f64; 3]> = municipalities
        .iter()
        .map(|m| {
            let mut left = m.room.map(f64::from);
            for a in assigned.iter().filter(|a| a.municipality == m.code) {
                for (l, r) in left.iter_mut().zip(a.room) {
                    *l -= f64::from(r);
                }
            }
            left.map(|v| v.max(0.0))
        })
        .collect();
    let model: ScoreModel = serde_json::from_str(MODEL)?;
    model.validate()?;
    let mut scores = Vec::with_capacity(families.len() * municipalities.len());
    for f in &families {
        for m in &municipalities {
            let score = model.score(
                (f.case_number.as_str(), &f.features),
                (&m.code, &m.features),
            )?;
            scores.push(ScoreInput {
                family: f.case_number.to_string(),
                municipality: m.code.clone(),
                score,
            });
        }
    }
    let instance = Instance {
        dimensions: DIMENSIONS.iter().map(|d| d.to_string()).collect(),
        municipalities: municipalities
            .iter()
            .zip(&room_left)
            .map(|(m, left)| MunicipalityInput {
                id: m.code.clone(),
                capacity: left.to_vec(),
            })
            .collect(),
        families: families
            .iter()
            .map(|f| FamilyInput {
                id: f.case_number.to_string(),
                demand: f.room.map(f64::from).to_vec(),
                expected: f.expected,
            })
            .collect(),
        scores,
    };
    let problem = instance.validate()?;
    Ok(Plan {
        families,
        municipalities,
        room_left,
        model,
        problem,
        keep_room,
    })
}

impl Plan {
    /// The parts of the score of family `f` in municipality `m` (by position).
    pub fn parts(&self, f: usize, m: usize) -> Vec<ScorePart> {
        let (family, place) = (&self.families[f], &self.municipalities[m]);
        self.model
            .parts(
                (family.case_number.as_str(), &family.features),
                (&place.code, &place.features),
            )
            .unwrap_or_default()
    }
}
