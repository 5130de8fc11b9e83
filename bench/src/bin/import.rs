//! Times the import on SQLite and PostgreSQL, two ways:
//! - **end to end**, as `resettle import submissions FILE` does it: a
//!   `resettle-submissions/1` file of varied cases (host countries,
//!   nationalities, categories, priorities, tracks, programmes, family sizes,
//!   family reunification, every state from submitted to integration guidance,
//!   dates over six years) is read, parsed, validated and stored into a
//!   database with the letter's policy loaded (so the ledger's buckets are
//!   kept per framework and year);
//! - **store only** (`Store::import_cases` of cases built in memory: housed
//!   families of four, identical but for ids and names, no policy), the
//!   figure of earlier rounds, kept to compare.
//!
//! `cargo run --release -p resettle-bench --bin import -- --cases 100000 --postgres postgres://postgres@127.0.0.1:5432/test`

use anyhow::{Result, anyhow};
use clap::Parser;
use resettle_bench::{CATEGORIES, HOSTS, NATIONALITIES, Target};
use resettle_domain::import::{ImportFile, validate_file};
use resettle_domain::policy::PolicySet;
use resettle_domain::{Case, CaseId, Context, NewCase, PersonId, sample};
use resettle_store::policy::PolicyStore;
use resettle_store::{SqlStore, Store};
use serde_json::{Value, json};
use std::path::Path;
use std::time::Instant;
use time::{Date, Duration, OffsetDateTime};

const POLICY: &str = include_str!("../../../docs/policy-nl.json");

#[derive(Parser)]
struct Args {
    #[arg(long, default_value_t = 100_000)]
    cases: u32,
    #[arg(long)]
    postgres: Option<String>,
    /// Give cases and persons random (v4) ids instead of the product's
    /// time-ordered ones, to measure what id order costs the indexes.
    #[arg(long)]
    v4_ids: bool,
}

/// Arrived families of four with a full history, each with its own case number.
fn caseload(n: u32, v4_ids: bool) -> Result<Vec<NewCase>> {
    let on = time::macros::date!(2024 - 01 - 08);
    let ctx = |d| Context {
        occurred_on: d,
        recorded_at: time::macros::datetime!(2025-01-01 0:00 UTC),
        actor: "bench".into(),
        reason: None,
    };
    let mut out = Vec::with_capacity(n as usize);
    for i in 0..n {
        let number = format!("BEN-{:02}C{:06}", 10 + i / 1_000_000, i % 1_000_000);
        let s = sample::submission(&number, 4, on).ok_or_else(|| anyhow::anyhow!("sample"))?;
        let mut c = Case::submit(CaseId::generate(), s, &ctx(on))?;
        for (k, step) in sample::path_to(resettle_domain::CaseState::Housed)
            .into_iter()
            .enumerate()
        {
            let d = on + Duration::days(k as i64 + 1);
            c.apply(sample::action(step, d), &ctx(d))?;
        }
        if v4_ids {
            c.case.id = CaseId::from_uuid(uuid::Uuid::new_v4());
            for m in &mut c.case.submission.members {
                m.id = PersonId::from_uuid(uuid::Uuid::new_v4());
            }
        }
        out.push(c);
    }
    Ok(out)
}

/// The states a varied case ends in, as milestones name them, in order.
const PATH: [&str; 7] = [
    "under-assessment",
    "accepted",
    "pre-departure",
    "departed",
    "arrived",
    "housed",
    "integration-guidance",
];

/// A submissions file of `n` varied cases, as UNHCR would send it.
fn submissions_file(n: u32) -> Value {
    let priorities = ["normal", "normal", "normal", "urgent", "emergency"];
    let relationships = [
        "principal-applicant",
        "spouse",
        "child",
        "child",
        "parent",
        "sibling",
    ];
    let first = time::macros::date!(2020 - 01 - 06);
    let mut previous: Option<String> = None;
    let submissions: Vec<Value> = (0..n as usize)
        .map(|i| {
            let pick = |list: &[&str], salt: usize| list[(i / salt) % list.len()].to_string();
            let host = pick(HOSTS, 1);
            let number = format!("{host}-{:02}C{:06}", 10 + i / 1_000_000, i % 1_000_000);
            let priority = pick(&priorities, 3);
            // Dossier cases are urgent or emergency; about one in three of those.
            let track = if priority != "normal" && i % 3 == 0 { "dossier" } else { "selection-mission" };
            let reunites = (i % 10 == 9).then(|| previous.clone()).flatten();
            let submitted = first + Duration::days(((i * 7919) % 2000) as i64);
            let members: Vec<Value> = (0..1 + i % 6)
                .map(|m| {
                    let born = Date::from_calendar_date(1960 + ((i + 7 * m) % 60) as i32, time::Month::March, 1 + (m as u8 % 28))
                        .unwrap_or(first);
                    json!({
                        "givenName": format!("Given{i}-{m}"), "familyName": format!("Family{i}"),
                        "dateOfBirth": born.to_string(), "sex": if (i + m) % 2 == 0 { "female" } else { "male" },
                        "nationality": NATIONALITIES[(i / 10 + m) % NATIONALITIES.len()],
                        "relationship": relationships[m.min(relationships.len() - 1)],
                    })
                })
                .collect();
            let mut on = submitted;
            let milestones: Vec<Value> = PATH[..i % (PATH.len() + 1)]
                .iter()
                .enumerate()
                .map(|(k, state)| {
                    on += Duration::days(5 + ((i + k * 13) % 60) as i64);
                    json!({
                        "state": state, "on": on.to_string(),
                        "permitValidUntil": (on + Duration::days(5 * 365)).to_string(),
                        "municipality": "Tilburg", "organisation": "VluchtelingenWerk",
                        "until": (on + Duration::days(2 * 365)).to_string(),
                    })
                })
                .collect();
            // Relatives can only join a family that has arrived (a refugee's
            // permit is what family reunification follows from).
            if i % (PATH.len() + 1) > PATH.iter().position(|s| *s == "arrived").unwrap_or(PATH.len()) {
                previous = Some(number.clone());
            }
            json!({
                "caseNumber": number, "unhcrReference": format!("RRF-{i}"), "hostCountry": host,
                "submissionPriority": priority, "primaryCategory": pick(CATEGORIES, 7),
                "programme": if i % 8 == 5 { "eu-turkey" } else { "national-quota" },
                "track": track, "submittedOn": submitted.to_string(),
                "familyReunificationOf": reunites,
                "members": members, "milestones": milestones,
            })
        })
        .collect();
    json!({ "format": "resettle-submissions/1", "submissions": submissions })
}

/// File → parse → validate → store, as the command line imports, into a
/// database with the policy loaded; each stage timed.
async fn end_to_end(label: &str, store: &SqlStore, file: &Path) -> Result<()> {
    let policy: PolicySet = serde_json::from_str(POLICY)?;
    store
        .save_policy(
            &policy,
            None,
            "bench",
            OffsetDateTime::now_utc(),
            "the letter's policy",
        )
        .await?;
    let now = OffsetDateTime::now_utc();
    let ctx = Context {
        occurred_on: now.date(),
        recorded_at: now,
        actor: "bench".into(),
        reason: None,
    };
    let t = Instant::now();
    let text = std::fs::read_to_string(file)?;
    let read = t.elapsed().as_secs_f64();
    let parsed: ImportFile = serde_json::from_str(&text)?;
    let parse = t.elapsed().as_secs_f64() - read;
    let cases = validate_file(&parsed, &ctx)
        .map_err(|problems| anyhow!("{} problems, the first: {}", problems.len(), problems[0]))?;
    let validate = t.elapsed().as_secs_f64() - read - parse;
    store.import_cases(&cases, &|_| {}).await?;
    let total = t.elapsed().as_secs_f64();
    let persons: usize = cases.iter().map(|c| c.case.persons()).sum();
    let history: usize = cases.iter().map(|c| c.history.len()).sum();
    let buckets = store.person_groups().await?.len();
    println!(
        "{label} end to end: {} varied cases ({persons} persons, {history} history entries, {buckets} person groups in the ledger buckets) in {total:.1} s: {:.0} cases/s \
         (read {read:.2} s, parse {parse:.2} s, validate {validate:.2} s, store {:.1} s)",
        cases.len(),
        cases.len() as f64 / total,
        total - read - parse - validate
    );
    Ok(())
}

async fn store_only(label: &str, store: &SqlStore, cases: &[NewCase]) -> Result<()> {
    let t = Instant::now();
    store.import_cases(cases, &|_| {}).await?;
    let s = t.elapsed().as_secs_f64();
    println!(
        "{label} store only: {} cases built in memory (4 persons, 7 history entries each, no policy) in {s:.1} s: {:.0} cases/s",
        cases.len(),
        cases.len() as f64 / s
    );
    Ok(())
}

/// Both measures on one engine, each into a fresh database.
async fn run(label: &str, postgres: Option<&str>, file: &Path, cases: &[NewCase]) -> Result<()> {
    for end_to_end_first in [true, false] {
        let (target, store) = match postgres {
            Some(url) => Target::postgres(url).await?,
            None => Target::sqlite().await?,
        };
        if end_to_end_first {
            end_to_end(label, &store, file).await?;
        } else {
            store_only(label, &store, cases).await?;
        }
        target.finish(store).await?;
    }
    Ok(())
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let t = Instant::now();
    let cases = caseload(args.cases, args.v4_ids)?;
    println!(
        "ids: {}",
        if args.v4_ids {
            "random (v4)"
        } else {
            "time-ordered (v7)"
        }
    );
    println!(
        "built {} cases in memory in {:.1} s",
        cases.len(),
        t.elapsed().as_secs_f64()
    );
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("submissions.json");
    std::fs::write(&file, serde_json::to_vec(&submissions_file(args.cases))?)?;
    println!(
        "wrote a submissions file of {} cases ({:.0} MB)",
        args.cases,
        std::fs::metadata(&file)?.len() as f64 / 1e6
    );
    run("sqlite", None, &file, &cases).await?;
    if let Some(url) = &args.postgres {
        run("postgres", Some(url), &file, &cases).await?;
    }
    Ok(())
}
