//! The dates of one case and the steps they turn into: from UNHCR's submission
//! through assessment, selection, cultural orientation and travel to arrival,
//! and after arrival housing, integration guidance and closure. Dates are drawn
//! so that every step follows the one before it, selection to arrival stays
//! within the six-month norm, and nothing happens after the last event day.

use crate::dice::Dice;
use crate::family::years_after;
use crate::{DemoError, LAST_EVENT_ON, places, reasons};
use resettle_domain::{
    Action, CaseState, Guidance, Housing, Permit, RejectionGround, SubmissionPriority, TrainingMode,
};
use time::macros::date;
use time::{Date, Duration};

/// One entry of a case's history after its submission.
#[derive(Debug, Clone)]
pub(crate) struct Step {
    pub on: Date,
    pub action: Action,
    pub reason: Option<String>,
}

impl Step {
    pub fn new(on: Date, action: Action) -> Self {
        Self {
            on,
            action,
            reason: None,
        }
    }

    pub fn because(mut self, reason: Option<&str>) -> Self {
        self.reason = reason.map(str::to_string);
        self
    }
}

/// When a case may be selected and may arrive.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Schedule {
    /// First day of the selection mission's interviews; `None` for dossier cases.
    pub mission_on: Option<Date>,
    /// Days on which the selection decision may fall.
    pub select: (Date, Date),
    /// Days on which the family may arrive.
    pub arrive: (Date, Date),
}

/// Fewest and most days from selection to arrival, by submission priority:
/// emergency cases travel within days, urgent within weeks, and normal cases
/// within the six-month norm (kept a few days short of 183).
pub(crate) fn selection_steps_to_arrival(priority: SubmissionPriority) -> (i64, i64) {
    match priority {
        SubmissionPriority::Emergency => (3, 14),
        SubmissionPriority::Urgent => (10, 60),
        SubmissionPriority::Normal => (21, 180),
    }
}

/// The dates of a case that is submitted, assessed, selected and travels.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Journey {
    pub submitted: Date,
    pub assessed: Date,
    /// Day of the decision: selection, or refusal for a refused case.
    pub decided: Date,
    pub pre_departure: Date,
    pub departed: Date,
    pub arrived: Date,
}

impl Journey {
    /// Draws a journey, starting from the day of arrival and working back.
    pub fn plan(
        dice: &mut Dice,
        schedule: &Schedule,
        priority: SubmissionPriority,
    ) -> Result<Self, DemoError> {
        let arrived = dice.date_between(schedule.arrive.0, schedule.arrive.1);
        let (fewest, most) = selection_steps_to_arrival(priority);
        let earliest = schedule.select.0.max(arrived - Duration::days(most));
        let latest = schedule.select.1.min(arrived - Duration::days(fewest));
        if earliest > latest {
            return Err(DemoError::plan(format!(
                "no selection day for an arrival on {arrived}"
            )));
        }
        let decided = dice.date_between(earliest, latest);
        // Flights often leave the evening before they land.
        let departed = if arrived > decided && dice.chance(0.3) {
            arrived - Duration::days(1)
        } else {
            arrived
        };
        let span = (departed - decided).whole_days();
        let pre_departure = decided + Duration::days(dice.between(span / 4, span * 2 / 3));
        let (assessed, submitted) = match schedule.mission_on {
            // UNHCR submits weeks ahead of a mission; interviews happen during it.
            Some(mission) => {
                let assessed = (mission + Duration::days(dice.between(0, 10))).min(decided);
                let submitted = (mission - Duration::days(dice.between(21, 90))).min(assessed);
                (assessed, submitted)
            }
            None => {
                let (assess, submit) = match priority {
                    SubmissionPriority::Emergency => ((0, 2), (0, 2)),
                    SubmissionPriority::Urgent => ((3, 21), (1, 10)),
                    SubmissionPriority::Normal => ((14, 60), (7, 45)),
                };
                let assessed = decided - Duration::days(dice.between(assess.0, assess.1));
                let submitted = assessed - Duration::days(dice.between(submit.0, submit.1));
                (assessed, submitted)
            }
        };
        Ok(Self {
            submitted,
            assessed,
            decided,
            pre_departure,
            departed,
            arrived,
        })
    }

    /// Assessment, selection, cultural orientation, departure and arrival with
    /// an asylum permit valid for five years.
    pub fn steps_to_arrival(
        &self,
        dice: &mut Dice,
        priority: SubmissionPriority,
        depart_reason: Option<&str>,
    ) -> Vec<Step> {
        let (training, training_reason) = training(dice, self.pre_departure, priority);
        vec![
            Step::new(self.assessed, Action::StartAssessment),
            Step::new(self.decided, Action::accept()),
            Step::new(self.pre_departure, Action::StartPreDeparture { training })
                .because(training_reason),
            Step::new(self.departed, Action::Depart).because(depart_reason),
            Step::new(self.arrived, arrive(self.arrived)),
        ]
    }

    /// Assessment and refusal, the file closed some weeks later.
    pub fn refused(&self, dice: &mut Dice) -> Result<Vec<Step>, DemoError> {
        let grounds = grounds(dice)?;
        let motivation = reasons::refusal_motivation(&grounds);
        let closed = self.decided + Duration::days(dice.between(14, 90));
        Ok(vec![
            Step::new(self.assessed, Action::StartAssessment),
            Step::new(self.decided, Action::Reject { grounds }).because(Some(motivation)),
            Step::new(closed, Action::Close).because(Some(reasons::CLOSED_WITHOUT_ARRIVAL)),
        ])
    }

    /// The steps up to `stage`, then a withdrawal for `reason` before the next
    /// step would have happened, the file closed some weeks later.
    pub fn withdrawn(
        &self,
        dice: &mut Dice,
        stage: CaseState,
        reason: &str,
    ) -> Result<Vec<Step>, DemoError> {
        // How many steps were taken before the withdrawal, and between which days it falls.
        let (taken, from, to) = match stage {
            CaseState::Submitted => (0, self.submitted, self.assessed),
            CaseState::UnderAssessment => (1, self.assessed, self.decided),
            CaseState::Accepted => (2, self.decided, self.pre_departure),
            CaseState::PreDeparture => (3, self.pre_departure, self.departed),
            other => {
                return Err(DemoError::plan(format!("cannot withdraw from {other}")));
            }
        };
        let mut steps: Vec<Step> = [
            Step::new(self.assessed, Action::StartAssessment),
            Step::new(self.decided, Action::accept()),
            Step::new(
                self.pre_departure,
                Action::StartPreDeparture {
                    training: TrainingMode::InPerson,
                },
            ),
        ]
        .into_iter()
        .take(taken)
        .collect();
        let withdrawn = dice.date_between(from, to);
        let closed = withdrawn + Duration::days(dice.between(30, 120));
        steps.push(Step::new(withdrawn, Action::Withdraw).because(Some(reason)));
        steps.push(Step::new(closed, Action::Close).because(Some(reasons::CLOSED_WITHOUT_ARRIVAL)));
        Ok(steps)
    }
}

/// How a family is received after arrival.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Reception<'a> {
    /// Straight into a dwelling in a municipality.
    Municipality(&'a str),
    /// First a COA reception location, for the reason given, then a municipality.
    CoaFirst(&'a str),
}

/// Housing, integration guidance for 18 to 24 months, and closure when the
/// guidance has ended, starting on the day of arrival.
pub(crate) fn after_arrival(
    dice: &mut Dice,
    arrived: Date,
    reception: Reception<'_>,
) -> Result<Vec<Step>, DemoError> {
    let mut steps = Vec::new();
    let (municipality, housed) = match reception {
        Reception::Municipality(municipality) => {
            (municipality, arrived + Duration::days(dice.between(0, 2)))
        }
        Reception::CoaFirst(reason) => {
            let location = dice.pick(places::COA_LOCATIONS)?.to_string();
            steps.push(Step::new(
                arrived,
                Action::House {
                    housing: Housing::CoaReception {
                        location,
                        reason: reason.to_string(),
                    },
                },
            ));
            let municipality = dice.weighted(places::MUNICIPALITIES)?;
            (
                municipality,
                arrived + Duration::days(dice.between(30, 200)),
            )
        }
    };
    steps.push(Step::new(
        housed,
        Action::House {
            housing: Housing::Municipality {
                municipality: municipality.to_string(),
            },
        },
    ));
    let started = housed + Duration::days(dice.between(7, 30));
    let until = started + Duration::days(dice.between(548, 730));
    steps.push(Step::new(
        started,
        Action::StartIntegrationGuidance {
            guidance: Guidance {
                organisation: dice.weighted(places::GUIDANCE)?.to_string(),
                until,
                sponsor_group: None,
            },
        },
    ));
    let closed = until + Duration::days(dice.between(0, 30));
    steps.push(Step::new(closed, Action::Close).because(Some(reasons::GUIDANCE_ENDED)));
    Ok(steps)
}

/// The steps that have happened by the last event day. Steps are in date
/// order, so this is where the case stands on that day.
pub(crate) fn so_far(steps: Vec<Step>) -> Vec<Step> {
    steps
        .into_iter()
        .take_while(|s| s.on <= LAST_EVENT_ON)
        .collect()
}

/// The arrival action: the asylum permit is handed over, valid five years.
pub(crate) fn arrive(on: Date) -> Action {
    Action::Arrive {
        permit: Permit {
            valid_until: years_after(on, 5),
        },
    }
}

/// Cultural orientation: at a distance during the pandemic and for emergency
/// cases that leave within days, otherwise mostly in person.
pub(crate) fn training(
    dice: &mut Dice,
    on: Date,
    priority: SubmissionPriority,
) -> (TrainingMode, Option<&'static str>) {
    let pandemic = (date!(2020 - 03 - 15)..=date!(2021 - 12 - 31)).contains(&on);
    if pandemic {
        (TrainingMode::Digital, Some(reasons::PANDEMIC_TRAINING))
    } else if priority == SubmissionPriority::Emergency || dice.chance(0.1) {
        (TrainingMode::Digital, None)
    } else {
        (TrainingMode::InPerson, None)
    }
}

/// One or two grounds for a refusal, most often no basis in national policy.
pub(crate) fn grounds(dice: &mut Dice) -> Result<Vec<RejectionGround>, DemoError> {
    const WEIGHTS: &[(RejectionGround, u32)] = &[
        (RejectionGround::NoNationalPolicyBasis, 50),
        (RejectionGround::PublicOrderOrSecurity, 15),
        (RejectionGround::Exclusion, 8),
        (RejectionGround::ProtectionAvailableElsewhere, 10),
        (RejectionGround::AlreadyProtectedInMemberState, 5),
        (RejectionGround::EntryBan, 3),
        (RejectionGround::Other, 9),
    ];
    let first = dice.weighted(WEIGHTS)?;
    let mut grounds = vec![first];
    if dice.chance(0.2) {
        let second = dice.weighted(WEIGHTS)?;
        if second != first {
            grounds.push(second);
        }
    }
    Ok(grounds)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn journeys_are_in_order_and_within_the_norm() {
        let schedule = Schedule {
            mission_on: Some(date!(2022 - 02 - 07)),
            select: (date!(2022 - 02 - 14), date!(2022 - 03 - 18)),
            arrive: (date!(2022 - 04 - 04), date!(2022 - 08 - 31)),
        };
        let mut dice = Dice::new(3);
        for _ in 0..500 {
            let j = Journey::plan(&mut dice, &schedule, SubmissionPriority::Normal).unwrap();
            assert!(j.submitted <= j.assessed && j.assessed <= j.decided);
            assert!(j.decided <= j.pre_departure && j.pre_departure <= j.departed);
            assert!(j.departed <= j.arrived);
            assert!((j.arrived - j.decided).whole_days() <= 183);
            assert!(j.decided >= schedule.select.0 && j.decided <= schedule.select.1);
        }
    }

    #[test]
    fn steps_after_the_last_event_day_are_dropped() {
        let mut dice = Dice::new(4);
        let steps = after_arrival(
            &mut dice,
            date!(2026 - 06 - 01),
            Reception::Municipality("Utrecht"),
        )
        .unwrap();
        assert_eq!(steps.len(), 3);
        let kept = so_far(steps);
        assert!(kept.iter().all(|s| s.on <= LAST_EVENT_ON));
        assert!(kept.len() < 3);
    }
}
