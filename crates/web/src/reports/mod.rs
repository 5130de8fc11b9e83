//! The reports of the quota ledger, built from the policy in force and the
//! person groups of the case data, and rendered as tables (text, CSV,
//! Markdown, XLSX), JSON and SVG charts. Figures are exact; rounding to tens
//! happens only here, on output, when asked.

pub mod chart;
pub mod render;

use resettle_domain::ledger::{
    self, AllocationReport, CompositionReport, EuReport, FrameworkReport, PersonGroup,
    round_to_tens,
};
use resettle_domain::policy::PolicySet;
use serde_json::Value;

/// The reports the system produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportName {
    Frameworks,
    Eu,
    Composition,
    Allocation,
}

impl ReportName {
    pub const ALL: &'static [ReportName] = &[
        ReportName::Frameworks,
        ReportName::Eu,
        ReportName::Composition,
        ReportName::Allocation,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReportName::Frameworks => "frameworks",
            ReportName::Eu => "eu",
            ReportName::Composition => "composition",
            ReportName::Allocation => "allocation",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL.iter().copied().find(|r| r.as_str() == raw.trim()).ok_or_else(|| {
            format!("'{raw}' is not a report; choose one of: frameworks, eu, composition, allocation")
        })
    }
}

/// One built report.
pub enum Report {
    Frameworks(FrameworkReport),
    Eu(EuReport),
    Composition(CompositionReport),
    Allocation(AllocationReport),
}

pub fn build(name: ReportName, policy: &PolicySet, groups: &[PersonGroup]) -> Report {
    match name {
        ReportName::Frameworks => Report::Frameworks(ledger::frameworks(policy, groups)),
        ReportName::Eu => Report::Eu(ledger::eu(policy, groups)),
        ReportName::Composition => Report::Composition(ledger::composition(policy, groups)),
        ReportName::Allocation => Report::Allocation(ledger::allocation(policy, groups)),
    }
}

/// Fields that are not counts of persons, so never rounded.
const NOT_COUNTS: &[&str] = &["year", "eurPerPerson", "unearmarkedSharePercent", "max"];

fn round_value(v: &mut Value, key: Option<&str>) {
    match v {
        Value::Number(n) if key.is_none_or(|k| !NOT_COUNTS.contains(&k)) => {
            if let Some(u) = n.as_u64() {
                *v = Value::from(round_to_tens(u));
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| round_value(i, key)),
        Value::Object(map) => map.iter_mut().for_each(|(k, i)| round_value(i, Some(k))),
        _ => {}
    }
}

impl Report {
    /// The report as JSON, rounded to tens when asked (funding follows the rounded count).
    pub fn json(&self, round: bool) -> Value {
        let mut v = match self {
            Report::Frameworks(r) => serde_json::to_value(r),
            Report::Eu(r) => serde_json::to_value(r),
            Report::Composition(r) => serde_json::to_value(r),
            Report::Allocation(r) => serde_json::to_value(r),
        }
        .unwrap_or(Value::Null);
        if round {
            round_value(&mut v, None);
            if let Some(programmes) = v.get_mut("programmes").and_then(Value::as_array_mut) {
                for p in programmes {
                    let realised = p.get("realisedTotal").and_then(Value::as_u64).unwrap_or(0);
                    let per = p.get("eurPerPerson").and_then(Value::as_u64).unwrap_or(0);
                    p["fundingEur"] = Value::from(realised * per);
                }
            }
        }
        v
    }
}
