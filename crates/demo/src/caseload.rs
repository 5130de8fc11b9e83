//! The generator's state as it walks the plan: the seeded dice, the case
//! numbers already given out, and the cases built so far. Every case is built
//! through the domain API (`Case::submit`, then `NewCase::apply` per step), so
//! a history the domain would refuse stops generation with an error.

use crate::dice::Dice;
use crate::family::{self, Household};
use crate::history::{Batch, PERIODS, Period, SUSPENSION};
use crate::journey::{self, Journey, Reception, Schedule, Step, after_arrival};
use crate::missions::Selected;
use crate::{DemoError, hosts, places, reasons};
use resettle_domain::{
    Action, Case, CaseId, CaseKind, CaseNumber, CaseState, Context, CountryCode, Housing, Member,
    Nationality, NewCase, Programme, Relationship, Sex, Submission, SubmissionCategory,
    SubmissionPriority, Track,
};
use std::collections::BTreeSet;
use time::{Date, Duration, Month};

/// Everything about a case before it is submitted: the submission's fields
/// and the steps its history will hold.
pub(crate) struct Draft {
    pub case_number: CaseNumber,
    pub host: CountryCode,
    pub programme: Programme,
    pub track: Track,
    pub priority: SubmissionPriority,
    pub categories: (SubmissionCategory, Option<SubmissionCategory>),
    pub family_reunification_of: Option<CaseNumber>,
    pub linked_cases: Vec<CaseNumber>,
    pub submitted_on: Date,
    pub members: Vec<Member>,
    pub steps: Vec<Step>,
}

/// How a case comes in: under which programme, in which batch, with which
/// submission priority.
#[derive(Clone, Copy)]
pub(crate) struct Selection<'b> {
    pub programme: Programme,
    pub batch: &'b Batch,
    pub priority: SubmissionPriority,
}

pub(crate) struct Caseload<'a> {
    pub dice: Dice,
    ctx: &'a Context,
    numbers: BTreeSet<String>,
    cases: Vec<NewCase>,
    /// Where each case of a batch was selected.
    selections: Vec<(CaseId, Selected)>,
}

impl<'a> Caseload<'a> {
    pub fn new(seed: u64, ctx: &'a Context) -> Self {
        Self {
            dice: Dice::new(seed),
            ctx,
            numbers: BTreeSet::new(),
            cases: Vec::new(),
            selections: Vec::new(),
        }
    }

    /// The cases, and where those of a batch were selected.
    pub fn into_parts(self) -> (Vec<NewCase>, Vec<(CaseId, Selected)>) {
        (self.cases, self.selections)
    }

    /// Every period of the plan, in order, then the EU-Turkey cases the
    /// suspension stopped.
    pub fn add_history(&mut self) -> Result<(), DemoError> {
        for period in PERIODS {
            self.add_period(period)?;
        }
        self.add_suspended()
    }

    /// The period's persons, split over its batches by share; later-arriving
    /// family members (2 to 9 persons, "fewer than 10 a year") take their
    /// places from the same total.
    fn add_period(&mut self, period: &Period) -> Result<(), DemoError> {
        let reunited = match period.family_reunification {
            Some(_) => usize::try_from(self.dice.between(2, 9)).unwrap_or(2),
            None => 0,
        };
        let resettled = period.persons.checked_sub(reunited).ok_or_else(|| {
            DemoError::plan(format!("{}: fewer persons than reunited", period.name))
        })?;
        let shares: Vec<u32> = period.batches.iter().map(|b| b.share).collect();
        for (batch, persons) in period.batches.iter().zip(apportion(resettled, &shares)) {
            self.add_batch(period.programme, batch, persons)?;
        }
        if let Some(window) = period.family_reunification {
            self.add_family_reunification(window, reunited)?;
        }
        Ok(())
    }

    /// Cases of one batch until exactly `persons` have arrived. Along the way
    /// some submissions are refused or withdrawn; they take no place.
    fn add_batch(
        &mut self,
        programme: Programme,
        batch: &Batch,
        persons: usize,
    ) -> Result<(), DemoError> {
        let mut remaining = persons;
        while remaining > 0 {
            let roll = self.dice.between(0, 99);
            if roll < 6 {
                self.add_not_travelling(programme, batch, CaseState::Rejected)?;
                continue;
            }
            if roll < 9 {
                self.add_not_travelling(programme, batch, CaseState::Withdrawn)?;
                continue;
            }
            let size = self.family_size()?.min(remaining);
            // Now and then relatives (an adult sibling's household) are
            // submitted as a linked case and travel together.
            let linked = if batch.mission_on.is_some() && remaining > size && self.dice.chance(0.05)
            {
                let n = usize::try_from(self.dice.between(1, 4)).unwrap_or(1);
                Some(n.min(remaining - size))
            } else {
                None
            };
            self.add_arriving(programme, batch, size, linked)?;
            remaining -= size + linked.unwrap_or(0);
        }
        Ok(())
    }

    /// A family of `size` that is selected and travels, with an optional
    /// linked case of `linked` relatives on the same journey.
    fn add_arriving(
        &mut self,
        programme: Programme,
        batch: &Batch,
        size: usize,
        linked: Option<usize>,
    ) -> Result<(), DemoError> {
        let priority = self.dice.weighted(batch.priorities())?;
        let selection = Selection {
            programme,
            batch,
            priority,
        };
        let journey = Journey::plan(&mut self.dice, &batch.schedule(), priority)?;
        let (host, nationality) = self.origin(batch)?;
        let number = self.case_number(host, journey.submitted)?;
        let household = Household {
            size,
            nationality,
            host,
            on: journey.submitted,
            family_name: None,
        };
        let members = family::household(&mut self.dice, &household)?;
        let relatives = match linked {
            Some(size) => {
                let number = self.case_number(host, journey.submitted)?;
                let household = Household {
                    size,
                    family_name: members.first().map(|m| m.family_name.clone()),
                    ..household
                };
                Some((number, family::household(&mut self.dice, &household)?))
            }
            None => None,
        };
        let links = relatives.iter().map(|(n, _)| n.clone()).collect();
        let draft = self.travelling(selection, host, number.clone(), members, &journey, links)?;
        self.submit_in(draft, batch)?;
        if let Some((linked_number, members)) = relatives {
            let draft = self.travelling(
                selection,
                host,
                linked_number,
                members,
                &journey,
                vec![number],
            )?;
            self.submit_in(draft, batch)?;
        }
        Ok(())
    }

    /// The draft of a case that arrives on its journey and settles.
    fn travelling(
        &mut self,
        selection: Selection<'_>,
        host: CountryCode,
        case_number: CaseNumber,
        members: Vec<Member>,
        journey: &Journey,
        linked_cases: Vec<CaseNumber>,
    ) -> Result<Draft, DemoError> {
        let Selection {
            programme,
            batch,
            priority,
        } = selection;
        let mut steps = journey.steps_to_arrival(&mut self.dice, priority, batch.depart_reason);
        let reception = self.reception(programme)?;
        steps.extend(after_arrival(&mut self.dice, journey.arrived, reception)?);
        Ok(Draft {
            case_number,
            host,
            programme,
            track: batch.track(),
            priority,
            categories: self.categories(&members)?,
            family_reunification_of: None,
            linked_cases,
            submitted_on: journey.submitted,
            members,
            steps,
        })
    }

    /// A case of the batch that is refused, or withdrawn at some stage.
    fn add_not_travelling(
        &mut self,
        programme: Programme,
        batch: &Batch,
        outcome: CaseState,
    ) -> Result<(), DemoError> {
        let priority = self.dice.weighted(batch.priorities())?;
        let journey = Journey::plan(&mut self.dice, &batch.schedule(), priority)?;
        let steps = if outcome == CaseState::Rejected {
            journey.refused(&mut self.dice)?
        } else {
            let stage = self.dice.weighted(&[
                (CaseState::Submitted, 2),
                (CaseState::UnderAssessment, 3),
                (CaseState::Accepted, 3),
                (CaseState::PreDeparture, 2),
            ])?;
            let reason = self.dice.pick(reasons::WITHDRAWALS)?;
            journey.withdrawn(&mut self.dice, stage, reason)?
        };
        let (host, nationality) = self.origin(batch)?;
        let selection = Selection {
            programme,
            batch,
            priority,
        };
        let draft = self.draft(selection, host, nationality, journey.submitted, steps)?;
        self.submit_in(draft, batch)
    }

    /// A new case of the batch's kind with a household of random size.
    pub fn draft(
        &mut self,
        selection: Selection<'_>,
        host: CountryCode,
        nationality: Nationality,
        submitted_on: Date,
        steps: Vec<Step>,
    ) -> Result<Draft, DemoError> {
        let size = self.family_size()?;
        let household = Household {
            size,
            nationality,
            host,
            on: submitted_on,
            family_name: None,
        };
        let members = family::household(&mut self.dice, &household)?;
        Ok(Draft {
            case_number: self.case_number(host, submitted_on)?,
            host,
            programme: selection.programme,
            track: selection.batch.track(),
            priority: selection.priority,
            categories: self.categories(&members)?,
            family_reunification_of: None,
            linked_cases: Vec::new(),
            submitted_on,
            members,
            steps,
        })
    }

    /// Later-arriving family members of resettled refugees, `persons` in all,
    /// arriving in `window`. Each joins a national-quota family that arrived
    /// at least three months earlier, and is housed in its municipality.
    fn add_family_reunification(
        &mut self,
        window: (Date, Date),
        persons: usize,
    ) -> Result<(), DemoError> {
        let mut remaining = persons;
        while remaining > 0 {
            let size = usize::try_from(self.dice.between(1, 4))
                .unwrap_or(1)
                .min(remaining);
            let arrives = self.dice.date_between(window.0, window.1);
            let anchors: Vec<usize> = self
                .cases
                .iter()
                .enumerate()
                .filter(|(_, c)| {
                    c.case.submission.programme == Programme::NationalQuota
                        && c.case.kind() == CaseKind::Resettlement
                        && c.case
                            .arrived_on
                            .is_some_and(|a| a + Duration::days(90) <= arrives)
                })
                .map(|(i, _)| i)
                .collect();
            let index = self.dice.pick(&anchors)?;
            let anchor = self
                .cases
                .get(index)
                .map(|c| c.case.clone())
                .ok_or_else(|| DemoError::plan("no family to join"))?;
            let anchor_arrived = anchor.arrived_on.unwrap_or(arrives);
            let year_start = Date::from_calendar_date(arrives.year(), Month::January, 1)
                .map_err(DemoError::invalid)?;
            // Selected after the family they join arrived, in the year they arrive.
            let schedule = Schedule {
                mission_on: None,
                select: (
                    (anchor_arrived + Duration::days(30))
                        .max(arrives - Duration::days(150))
                        .max(year_start),
                    arrives - Duration::days(30),
                ),
                arrive: (arrives, arrives),
            };
            let priority = SubmissionPriority::Normal;
            let journey = Journey::plan(&mut self.dice, &schedule, priority)?;
            let members = family::reunion(&mut self.dice, &anchor, size, journey.submitted)?;
            let size = members.len();
            let host = anchor.submission.host_country;
            let municipality = match &anchor.housing {
                Some(Housing::Municipality { municipality }) => municipality.clone(),
                _ => self.dice.weighted(places::MUNICIPALITIES)?.to_string(),
            };
            let mut steps = journey.steps_to_arrival(&mut self.dice, priority, None);
            steps.extend(after_arrival(
                &mut self.dice,
                journey.arrived,
                Reception::Municipality(&municipality),
            )?);
            let secondary = if self.dice.chance(0.3) {
                Some(SubmissionCategory::LegalPhysicalProtection)
            } else {
                None
            };
            let draft = Draft {
                case_number: self.case_number(host, journey.submitted)?,
                host,
                programme: Programme::NationalQuota,
                track: Track::Dossier,
                priority,
                categories: (SubmissionCategory::FamilyReunification, secondary),
                family_reunification_of: Some(anchor.submission.case_number.clone()),
                linked_cases: Vec::new(),
                submitted_on: journey.submitted,
                members,
                steps,
            };
            self.submit(draft)?;
            remaining = remaining.saturating_sub(size);
        }
        Ok(())
    }

    /// EU-Turkey cases accepted in summer 2022 and withdrawn when the
    /// programme was suspended, before they could travel.
    fn add_suspended(&mut self) -> Result<(), DemoError> {
        let s = &SUSPENSION;
        for _ in 0..s.cases {
            let priority = SubmissionPriority::Normal;
            let journey = Journey::plan(&mut self.dice, &s.batch.schedule(), priority)?;
            let withdrawn = self.dice.date_between(s.withdrawn.0, s.withdrawn.1);
            let closed = withdrawn + Duration::days(self.dice.between(30, 120));
            let mut steps: Vec<Step> = journey
                .steps_to_arrival(&mut self.dice, priority, None)
                .into_iter()
                .take(3) // assessment, selection, cultural orientation
                .take_while(|step| step.on <= withdrawn)
                .collect();
            steps.push(Step::new(withdrawn, Action::Withdraw).because(Some(s.reason)));
            steps.push(
                Step::new(closed, Action::Close).because(Some(reasons::CLOSED_WITHOUT_ARRIVAL)),
            );
            let (host, nationality) = self.origin(&s.batch)?;
            let selection = Selection {
                programme: Programme::EuTurkey,
                batch: &s.batch,
                priority,
            };
            let draft = self.draft(selection, host, nationality, journey.submitted, steps)?;
            self.submit_in(draft, &s.batch)?;
        }
        Ok(())
    }

    /// Registers the submission and applies every step that has happened by
    /// the last event day, each through the domain.
    pub fn submit(&mut self, draft: Draft) -> Result<(), DemoError> {
        let number = draft.case_number.to_string();
        let refused = |error| DemoError::Domain {
            case_number: number.clone(),
            error,
        };
        let submission = Submission {
            case_number: draft.case_number,
            unhcr_reference: format!("RRF-{number}"),
            host_country: draft.host,
            priority: draft.priority,
            primary_category: draft.categories.0,
            secondary_category: draft.categories.1,
            programme: draft.programme,
            track: draft.track,
            family_reunification_of: draft.family_reunification_of,
            linked_cases: draft.linked_cases,
            submitted_on: draft.submitted_on,
            members: draft.members,
        };
        let id = CaseId::from_uuid(self.dice.uuid());
        let mut case = Case::submit(id, submission, &self.context(draft.submitted_on, None))
            .map_err(refused)?;
        for step in journey::so_far(draft.steps) {
            let ctx = self.context(step.on, step.reason);
            case.apply(step.action, &ctx).map_err(refused)?;
        }
        self.cases.push(case);
        Ok(())
    }

    /// Submits a case of `batch` (see [`Caseload::submit`]) and remembers
    /// that it was selected there.
    pub fn submit_in(&mut self, draft: Draft, batch: &Batch) -> Result<(), DemoError> {
        let selected = Selected::of(batch, draft.host, draft.programme);
        self.submit(draft)?;
        if let Some(c) = self.cases.last() {
            self.selections.push((c.case.id, selected));
        }
        Ok(())
    }

    fn context(&self, occurred_on: Date, reason: Option<String>) -> Context {
        Context {
            occurred_on,
            recorded_at: self.ctx.recorded_at,
            actor: self.ctx.actor.clone(),
            reason,
        }
    }

    /// A unique case number `XXX-YYCNNNNN`: the UNHCR office (the host
    /// country) and the two-digit year of submission.
    pub fn case_number(&mut self, host: CountryCode, on: Date) -> Result<CaseNumber, DemoError> {
        let year = on.year().rem_euclid(100);
        for _ in 0..1000 {
            let raw = format!("{host}-{year:02}C{:05}", self.dice.between(1, 99_999));
            if self.numbers.insert(raw.clone()) {
                return CaseNumber::parse(&raw).map_err(DemoError::invalid);
            }
        }
        Err(DemoError::plan(format!(
            "no free case number for {host} in {year:02}"
        )))
    }

    /// Host country and nationality of a new case of the batch.
    pub fn origin(&mut self, batch: &Batch) -> Result<(CountryCode, Nationality), DemoError> {
        let host = self.dice.weighted(batch.hosts)?;
        let nationalities = batch
            .nationalities
            .unwrap_or_else(|| hosts::nationalities(host));
        let nationality = self.dice.weighted(nationalities)?;
        Ok((
            CountryCode::parse(host).map_err(DemoError::invalid)?,
            Nationality::parse(nationality).map_err(DemoError::invalid)?,
        ))
    }

    /// Households of one to eight persons, four on average.
    pub fn family_size(&mut self) -> Result<usize, DemoError> {
        self.dice.weighted(&[
            (1, 16),
            (2, 12),
            (3, 14),
            (4, 16),
            (5, 15),
            (6, 12),
            (7, 8),
            (8, 7),
        ])
    }

    /// Primary and sometimes a different secondary submission category,
    /// plausible for the household (women at risk need a woman at its head,
    /// children at risk need children).
    pub fn categories(
        &mut self,
        members: &[Member],
    ) -> Result<(SubmissionCategory, Option<SubmissionCategory>), DemoError> {
        use SubmissionCategory::*;
        let woman_heads = members.first().is_some_and(|m| m.sex == Sex::Female);
        let children = members
            .iter()
            .any(|m| m.relationship == Relationship::Child);
        let weights = [
            (LegalPhysicalProtection, 24),
            (SurvivorsOfViolenceTorture, 20),
            (WomenGirlsAtRisk, if woman_heads { 18 } else { 0 }),
            (ChildrenAdolescentsAtRisk, if children { 8 } else { 0 }),
            (MedicalNeeds, 13),
            (LackOfAlternativeDurableSolutions, 22),
        ];
        let primary = self.dice.weighted(&weights)?;
        let secondary = if self.dice.chance(0.5) {
            Some(self.dice.weighted(&weights)?).filter(|s| *s != primary)
        } else {
            None
        };
        Ok((primary, secondary))
    }

    /// National-quota families mostly go straight to a municipality; EU-Turkey
    /// arrivals are always received by COA first.
    fn reception(&mut self, programme: Programme) -> Result<Reception<'static>, DemoError> {
        Ok(match programme {
            Programme::EuTurkey => Reception::CoaFirst(reasons::EU_TURKEY_RECEPTION),
            Programme::NationalQuota if self.dice.chance(0.15) => {
                Reception::CoaFirst(self.dice.pick(reasons::COA_FIRST)?)
            }
            Programme::NationalQuota => {
                Reception::Municipality(self.dice.weighted(places::MUNICIPALITIES)?)
            }
        })
    }
}

/// Splits `total` over `shares` in proportion, exactly (largest remainders
/// first, earlier batches on ties).
fn apportion(total: usize, shares: &[u32]) -> Vec<usize> {
    let sum: u64 = shares.iter().map(|s| u64::from(*s)).sum();
    if sum == 0 {
        return vec![0; shares.len()];
    }
    let total64 = total as u64;
    let mut parts: Vec<(usize, u64)> = shares
        .iter()
        .map(|s| {
            let exact = total64 * u64::from(*s);
            (usize::try_from(exact / sum).unwrap_or(0), exact % sum)
        })
        .collect();
    let given: usize = parts.iter().map(|(p, _)| p).sum();
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by(|a, b| parts[*b].1.cmp(&parts[*a].1).then(a.cmp(b)));
    for i in order.into_iter().take(total.saturating_sub(given)) {
        parts[i].0 += 1;
    }
    parts.into_iter().map(|(p, _)| p).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apportion_is_exact_and_proportional() {
        assert_eq!(apportion(10, &[1, 1, 1]), vec![4, 3, 3]);
        assert_eq!(
            apportion(295, &[90, 50, 30, 60, 40, 15, 15])
                .iter()
                .sum::<usize>(),
            295
        );
        assert_eq!(apportion(5, &[0, 1]), vec![0, 5]);
        assert_eq!(apportion(5, &[0, 0]), vec![0, 0]);
    }
}
