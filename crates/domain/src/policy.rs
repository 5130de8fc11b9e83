//! Policy as data: frameworks and their commitments, deductions, quota changes,
//! suspensions of migration cooperation, EU programmes with pledges and
//! funding rules, and allocation plans. The figures live in policy files
//! (docs/policy-nl.json), never in code.

use crate::country::CountryCode;
use crate::rule::{FieldProblem, Rule};
use crate::submission::{Programme, SubmissionCategory, SubmissionPriority, vocabulary};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use time::Date;

/// The format name and version a policy file carries.
pub const POLICY_FORMAT: &str = "resettle-policy/1";

vocabulary!(
    /// How a framework runs.
    FrameworkKind {
        MultiYear = "multi-year",
        OneYear = "one-year",
        UnionPlan = "union-plan",
    }
);

vocabulary!(
    /// Categories of an EU funding rule (Regulation (EU) 2024/1350 art. 14).
    FundingCategory {
        Resettled = "resettled",
        HumanitarianAdmission = "humanitarian-admission",
        Vulnerable = "vulnerable",
    }
);

/// The whole policy: every figure the ledger counts against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PolicySet {
    pub format: String,
    pub frameworks: Vec<Framework>,
    #[serde(default)]
    pub quota_changes: Vec<QuotaChange>,
    #[serde(default)]
    pub suspensions: Vec<Suspension>,
    #[serde(default)]
    pub eu_programmes: Vec<EuProgramme>,
    #[serde(default)]
    pub allocation_plans: Vec<AllocationPlan>,
    /// The terms of family reunification for refugees (nareis), each valid
    /// for a period: the application window and the IND's decision term.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub family_reunification: Vec<ReunificationTerms>,
}

/// The terms of family reunification for refugees in force for applications
/// made from `valid_from` to `valid_until` (inclusive; open while absent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReunificationTerms {
    pub valid_from: Date,
    pub valid_until: Option<Date>,
    /// Months after the sponsor's permit within which the favourable
    /// conditions apply (no income or integration requirement).
    pub application_window_months: u32,
    /// Days the IND has to decide, from the application.
    pub decision_term_days: u32,
    /// The longest extension of the decision term.
    pub decision_extension_days: u32,
    /// Days from a grant to arrival that the process aims for (a norm).
    pub travel_after_grant_days: u32,
    /// Where the terms come from (law, policy rule).
    pub source: String,
}

/// The longest term or window a policy may state, in days or months: beyond
/// it, a typing error.
pub const MAX_TERM: u32 = 3650;

/// A national policy framework with its commitment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Framework {
    /// Short id, e.g. `2020-2023`.
    pub id: String,
    pub name: String,
    /// The name on English pages; the Dutch `name` while absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_en: Option<String>,
    pub kind: FrameworkKind,
    pub start: Date,
    pub end: Date,
    /// Places committed before deductions.
    pub commitment: u64,
    #[serde(default)]
    pub deductions: Vec<Deduction>,
}

/// Places deducted from a commitment (e.g. relocation counted against it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Deduction {
    pub places: u64,
    pub reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_en: Option<String>,
    pub on: Date,
}

/// A change of the annual national quota from a date, with its reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct QuotaChange {
    pub effective_from: Date,
    pub places_per_year: u64,
    pub reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_en: Option<String>,
    #[serde(default)]
    pub until_further_notice: bool,
}

/// A period in which a programme admits nobody (e.g. EU-Turkey, reception crisis).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Suspension {
    pub programme: Programme,
    pub from: Date,
    /// The last day of the suspension; open while absent.
    pub until: Option<Date>,
    pub reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_en: Option<String>,
}

/// An EU programme: each programme's pledge and the funding per person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EuProgramme {
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_en: Option<String>,
    pub start: Date,
    pub end: Date,
    pub pledges: Vec<Pledge>,
    pub funding: Vec<FundingRule>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Pledge {
    pub programme: Programme,
    pub places: u64,
    #[serde(default)]
    pub note: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note_en: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FundingRule {
    pub category: FundingCategory,
    pub eur_per_person: u64,
}

/// The plan of one framework year: places per selection mission and the
/// unearmarked reservation for urgent and emergency dossier cases.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AllocationPlan {
    pub framework: String,
    pub year: i32,
    pub missions: Vec<MissionPlaces>,
    pub unearmarked: u64,
    #[serde(default)]
    pub caps: Vec<Cap>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MissionPlaces {
    pub host_country: CountryCode,
    pub places: u64,
}

/// A maximum for a priority or a category (e.g. emergency at most 150).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Cap {
    pub priority: Option<SubmissionPriority>,
    pub category: Option<SubmissionCategory>,
    pub max: u64,
}

/// A policy text in the reader's language: the English beside a Dutch text
/// on English pages, the Dutch (the text of record) otherwise or while no
/// English is given.
pub fn text_in<'a>(dutch: &'a str, english: Option<&'a str>, in_english: bool) -> &'a str {
    match english {
        Some(en) if in_english && !en.trim().is_empty() => en,
        _ => dutch,
    }
}

/// More places than any framework could hold: a typing error, refused.
pub const MAX_PLACES: u64 = 1_000_000_000;

/// The Global Compact target: at least this share of places unallocated for
/// emergency and urgent cases (a policy norm, shown as a warning).
pub const UNEARMARKED_TARGET_PERCENT: u64 = 10;

impl Framework {
    /// The commitment after deductions.
    pub fn adjusted_commitment(&self) -> u64 {
        self.commitment.saturating_sub(
            self.deductions
                .iter()
                .fold(0u64, |s, d| s.saturating_add(d.places)),
        )
    }

    pub fn contains(&self, day: Date) -> bool {
        self.start <= day && day <= self.end
    }
}

impl AllocationPlan {
    pub fn total(&self) -> u64 {
        self.missions
            .iter()
            .fold(self.unearmarked, |sum, m| sum.saturating_add(m.places))
    }

    /// The unearmarked share of the planned places, in whole percent.
    pub fn unearmarked_percent(&self) -> u64 {
        let share = (u128::from(self.unearmarked) * 100)
            .checked_div(u128::from(self.total()))
            .unwrap_or(0);
        u64::try_from(share).unwrap_or(u64::MAX)
    }

    /// Whether the unearmarked share falls below the Global Compact target.
    pub fn below_unearmarked_target(&self) -> bool {
        u128::from(self.unearmarked) * 100
            < u128::from(self.total()) * u128::from(UNEARMARKED_TARGET_PERCENT)
    }
}

impl PolicySet {
    /// Frameworks in order of their start.
    pub fn frameworks_in_order(&self) -> Vec<&Framework> {
        let mut f: Vec<&Framework> = self.frameworks.iter().collect();
        f.sort_by_key(|f| f.start);
        f
    }

    /// The framework in force on `day`.
    pub fn framework_on(&self, day: Date) -> Option<&Framework> {
        self.frameworks.iter().find(|f| f.contains(day))
    }

    /// The annual quota in force on `day` (the latest change on or before it).
    pub fn quota_on(&self, day: Date) -> Option<&QuotaChange> {
        self.quota_changes
            .iter()
            .filter(|q| q.effective_from <= day)
            .max_by_key(|q| q.effective_from)
    }

    /// Whether `programme` was suspended on `day`.
    pub fn suspended_on(&self, programme: Programme, day: Date) -> Option<&Suspension> {
        self.suspensions
            .iter()
            .find(|s| s.programme == programme && s.from <= day && s.until.is_none_or(|u| day <= u))
    }

    /// The family-reunification terms in force on `day` (an application's day).
    pub fn reunification_terms_on(&self, day: Date) -> Option<&ReunificationTerms> {
        self.family_reunification
            .iter()
            .find(|t| t.valid_from <= day && t.valid_until.is_none_or(|u| day <= u))
    }

    /// The days on which a counting rule can change its answer: starts of
    /// frameworks and EU programmes, and the days after their ends. With the
    /// first day of each year, these let dates be grouped without changing
    /// any report (see `ledger::bucket`).
    pub fn boundaries(&self) -> Vec<Date> {
        let mut days: Vec<Date> = Vec::new();
        for f in &self.frameworks {
            days.push(f.start);
            days.extend(f.end.next_day());
        }
        for e in &self.eu_programmes {
            days.push(e.start);
            days.extend(e.end.next_day());
        }
        days.sort();
        days.dedup();
        days
    }

    /// Checks the document, listing every problem.
    pub fn validate(&self) -> Result<(), Vec<FieldProblem>> {
        let mut p = Vec::new();
        if self.format != POLICY_FORMAT {
            p.push(
                FieldProblem::new(
                    "format",
                    Rule::PolicyFormat,
                    format!(
                        "'{}' is not a known format; expected '{POLICY_FORMAT}'",
                        self.format
                    ),
                )
                .with("value", &self.format)
                .with("expected", POLICY_FORMAT),
            );
        }
        let ends_before = |field: String, end: Date, start: Date| {
            FieldProblem::new(
                &field,
                Rule::EndsBeforeStart,
                format!("{end} lies before the start {start}"),
            )
            .with("end", end)
            .with("start", start)
        };
        let believable = |field: String, places: u64| {
            FieldProblem::new(
                &field,
                Rule::PlacesBelievable,
                format!("{places} is not a believable number of places"),
            )
            .with("places", places)
        };
        let mut ids = HashSet::new();
        for (i, f) in self.frameworks.iter().enumerate() {
            let at = |n: &str| format!("frameworks[{i}].{n}");
            if f.id.trim().is_empty() || !ids.insert(f.id.as_str()) {
                p.push(
                    FieldProblem::new(
                        &at("id"),
                        Rule::FrameworkId,
                        format!("'{}' is empty or used twice", f.id),
                    )
                    .with("value", &f.id),
                );
            }
            if f.end < f.start {
                p.push(ends_before(at("end"), f.end, f.start));
            }
            if f.commitment > MAX_PLACES {
                p.push(believable(at("commitment"), f.commitment));
            }
            if f.deductions
                .iter()
                .fold(0u64, |s, d| s.saturating_add(d.places))
                > f.commitment
            {
                p.push(
                    FieldProblem::new(
                        &at("deductions"),
                        Rule::DeductionsExceedCommitment,
                        "the deductions exceed the commitment",
                    )
                    .with("commitment", f.commitment),
                );
            }
            for (j, d) in f.deductions.iter().enumerate() {
                if d.reason.trim().is_empty() {
                    p.push(FieldProblem::new(
                        &at(&format!("deductions[{j}].reason")),
                        Rule::DeductionNeedsReason,
                        "say why places are deducted",
                    ));
                }
            }
        }
        let ordered = self.frameworks_in_order();
        for pair in ordered.windows(2) {
            if let [a, b] = pair
                && b.start <= a.end
            {
                p.push(
                    FieldProblem::new(
                        "frameworks",
                        Rule::FrameworksOverlap,
                        format!("frameworks {} and {} overlap", a.id, b.id),
                    )
                    .with("first", &a.id)
                    .with("second", &b.id),
                );
            }
        }
        for (i, q) in self.quota_changes.iter().enumerate() {
            if q.reason.trim().is_empty() {
                p.push(FieldProblem::new(
                    &format!("quotaChanges[{i}].reason"),
                    Rule::QuotaChangeNeedsReason,
                    "say why the quota changes",
                ));
            }
        }
        for (i, s) in self.suspensions.iter().enumerate() {
            if let Some(until) = s.until.filter(|u| *u < s.from) {
                p.push(ends_before(
                    format!("suspensions[{i}].until"),
                    until,
                    s.from,
                ));
            }
        }
        for (i, e) in self.eu_programmes.iter().enumerate() {
            if e.end < e.start {
                p.push(ends_before(
                    format!("euProgrammes[{i}].end"),
                    e.end,
                    e.start,
                ));
            }
        }
        self.validate_reunification(&mut p);
        for (i, a) in self.allocation_plans.iter().enumerate() {
            if a.total() > MAX_PLACES {
                p.push(believable(format!("allocationPlans[{i}]"), a.total()));
            }
            if !ids.contains(a.framework.as_str()) {
                p.push(
                    FieldProblem::new(
                        &format!("allocationPlans[{i}].framework"),
                        Rule::NoSuchFramework,
                        format!("there is no framework '{}'", a.framework),
                    )
                    .with("value", &a.framework),
                );
            }
        }
        if p.is_empty() { Ok(()) } else { Err(p) }
    }

    fn validate_reunification(&self, p: &mut Vec<FieldProblem>) {
        for (i, t) in self.family_reunification.iter().enumerate() {
            let at = |n: &str| format!("familyReunification[{i}].{n}");
            if let Some(until) = t.valid_until.filter(|u| *u < t.valid_from) {
                p.push(
                    FieldProblem::new(
                        &at("validUntil"),
                        Rule::EndsBeforeStart,
                        format!("{until} lies before the start {}", t.valid_from),
                    )
                    .with("end", until)
                    .with("start", t.valid_from),
                );
            }
            for (name, value, min) in [
                ("applicationWindowMonths", t.application_window_months, 1),
                ("decisionTermDays", t.decision_term_days, 1),
                ("decisionExtensionDays", t.decision_extension_days, 0),
                ("travelAfterGrantDays", t.travel_after_grant_days, 1),
            ] {
                if !(min..=MAX_TERM).contains(&value) {
                    p.push(
                        FieldProblem::new(
                            &at(name),
                            Rule::NumberRange,
                            format!("'{value}' is not a whole number from {min} to {MAX_TERM}"),
                        )
                        .with("value", value)
                        .with("min", min)
                        .with("max", MAX_TERM),
                    );
                }
            }
        }
        let mut ordered: Vec<&ReunificationTerms> = self.family_reunification.iter().collect();
        ordered.sort_by_key(|t| t.valid_from);
        for pair in ordered.windows(2) {
            if let [a, b] = pair
                && a.valid_until.is_none_or(|u| b.valid_from <= u)
            {
                p.push(
                    FieldProblem::new(
                        "familyReunification",
                        Rule::ReunificationTermsOverlap,
                        format!(
                            "the terms valid from {} and from {} overlap",
                            a.valid_from, b.valid_from
                        ),
                    )
                    .with("first", a.valid_from)
                    .with("second", b.valid_from),
                );
            }
        }
    }
}
