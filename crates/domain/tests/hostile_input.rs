//! Hostile input never panics: every parser answers with a value or an error,
//! whatever the bytes. (A light, always-on version of fuzzing; the domain
//! crate denies unwrap/expect/panic, this checks the arithmetic and slicing too.)
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use resettle_domain::import::{ImportFile, ImportProblem, parse_date, validate_file};
use resettle_domain::{
    CaseNumber, CaseState, Context, CountryCode, Nationality, SubmissionCategory,
};
use serde_json::{Value, json};
use std::cell::Cell;
use time::macros::{date, datetime};
use time::{Date, Duration};

fn ctx() -> Context {
    Context {
        occurred_on: datetime!(2025-06-01 0:00 UTC).date(),
        recorded_at: datetime!(2025-06-01 12:00 UTC),
        actor: "fuzz".into(),
        reason: None,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn value_parsers_never_panic(s in ".{0,40}") {
        let _ = CaseNumber::parse(&s);
        let _ = CountryCode::parse(&s);
        let _ = Nationality::parse(&s);
        let _ = parse_date(&s);
        let _ = CaseState::parse(&s);
        let _ = SubmissionCategory::parse(&s);
        let _ = resettle_domain::account::lockout_after(s.len() as u32);
    }

    #[test]
    fn near_valid_case_numbers_never_panic(prefix in "[A-Za-z]{0,4}", sep in "[-_ ]?", digits in "[0-9]{0,8}", c in "[Cc ]?") {
        let s = format!("{prefix}{sep}{}{c}{digits}", digits.get(..2).unwrap_or(""));
        if let Ok(n) = CaseNumber::parse(&s) {
            prop_assert_eq!(CaseNumber::parse(n.as_str()).unwrap(), n.clone());
        }
    }

    #[test]
    fn policies_with_arbitrary_figures_never_panic(c in any::<u64>(), d in any::<u64>(), year in any::<i32>(), planned in any::<u64>()) {
        let mut p: resettle_domain::policy::PolicySet = serde_json::from_str(include_str!("../../../docs/policy-nl.json")).unwrap();
        p.frameworks[0].commitment = c;
        p.frameworks[0].deductions[0].places = d;
        p.allocation_plans[0].year = year;
        p.allocation_plans[0].unearmarked = planned / 2;
        let _ = p.validate();
        let _ = p.boundaries();
        let groups = vec![];
        let _ = resettle_domain::ledger::frameworks(&p, &groups);
        let _ = resettle_domain::ledger::allocation(&p, &groups);
    }
}

/// Scenario figures come from users: none makes the forecast panic. Pauses
/// are drawn mostly around the forecast window (before, across, inside,
/// after it) and sometimes anywhere; each kind is reached in every run. A
/// pause over the whole window stops every arrival of families waiting to
/// depart; a pause outside it changes nothing.
#[test]
fn scenarios_with_arbitrary_figures_never_panic_and_pauses_act_on_their_months() {
    use resettle_domain::forecast::{
        Cohort, CommitmentChange, ForecastInput, Pause, Scenario, Stage, forecast,
    };
    const CASES: u32 = 300;
    let policy: resettle_domain::policy::PolicySet =
        serde_json::from_str(include_str!("../../../docs/policy-nl.json")).unwrap();
    let as_of = date!(2024 - 01 - 01);
    let months_of = |d: Date| i64::from(d.year()) * 12 + i64::from(d.month() as u8) - 1;
    let (first, last) = (months_of(as_of), months_of(as_of) + 11);
    // Families selected and waiting to depart: only a pause holds them back.
    let input = ForecastInput {
        as_of,
        horizon_months: 12,
        cohorts: vec![Cohort {
            track: resettle_domain::Track::SelectionMission,
            priority: resettle_domain::SubmissionPriority::Normal,
            family_reunification: false,
            host_country: CountryCode::parse("LBN").unwrap(),
            stage: Stage::PreDeparture,
            selected_in: Some("2024".into()),
            cases: 40,
            persons: 160,
        }],
        durations: Default::default(),
        intake: vec![],
        ledger: resettle_domain::ledger::frameworks(&policy, &[]),
        relatives: None,
    };
    let pause = prop_oneof![
        4 => (-500i64..500, 0u32..40).prop_map(move |(d, m)| (as_of + Duration::days(d), m)),
        1 => (0i64..200_000, any::<u32>()).prop_map(|(d, m)| (Date::MIN + Duration::days(d * 10), m)),
    ];
    let (whole, none, partly) = (Cell::new(0u32), Cell::new(0u32), Cell::new(0u32));
    run(
        CASES,
        (pause, any::<u64>(), 1u32..4),
        |((from, months), commitment, runs)| {
            let commitments = vec![CommitmentChange {
                framework: "2024".into(),
                adjusted_commitment: commitment,
            }];
            let scenario = Scenario {
                pause: Some(Pause { from, months }),
                commitments: commitments.clone(),
                ..Scenario::default()
            };
            let paused = forecast(&input, &policy, &scenario, runs, 1);
            let start = months_of(from);
            let end = start + i64::from(months);
            let arrivals: u64 = paused.months.iter().map(|m| m.arrivals.p90).sum();
            if start <= first && end > last {
                assert_eq!(
                    arrivals, 0,
                    "a pause from {from} for {months} months lets families arrive"
                );
                whole.set(whole.get() + 1);
            } else if months == 0 || end <= first || start > last {
                let free = Scenario {
                    commitments,
                    ..Scenario::default()
                };
                assert_eq!(
                    paused,
                    forecast(&input, &policy, &free, runs, 1),
                    "a pause from {from} for {months} months"
                );
                none.set(none.get() + 1);
            } else {
                partly.set(partly.get() + 1);
            }
        },
    );
    let counts = (whole.get(), partly.get(), none.get());
    eprintln!("{CASES} pauses: (over the whole window, part of it, none of it) {counts:?}");
    for n in [counts.0, counts.1, counts.2] {
        assert!(
            n * 10 >= CASES,
            "{counts:?}: a kind of pause is rarely drawn"
        );
    }
    // Without a pause the waiting families do arrive.
    let free = forecast(&input, &policy, &Scenario::default(), 3, 1);
    assert!(free.months.iter().map(|m| m.arrivals.p50).sum::<u64>() > 0);
}

/// Mostly values the field accepts, some it refuses, some arbitrary text.
fn value(
    valid: &'static [&'static str],
    invalid: &'static [&'static str],
) -> BoxedStrategy<String> {
    prop_oneof![
        20 => prop::sample::select(valid).prop_map(str::to_string),
        2 => prop::sample::select(invalid).prop_map(str::to_string),
        1 => ".{0,12}",
    ]
    .boxed()
}

/// The way through the lifecycle, as milestones name its states.
const PATH: [&str; 7] = [
    "under-assessment",
    "accepted",
    "pre-departure",
    "departed",
    "arrived",
    "housed",
    "integration-guidance",
];

/// Dates of birth the date parser reads but the rule refuses (today is 1 June 2025).
const BIRTH_REFUSED: [&str; 3] = ["2025-06-02", "2031-01-01", "1899-12-31"];

/// Milestones: mostly a prefix of the way through the lifecycle on days that
/// follow each other from the day of submission (sometimes one steps back);
/// else random states on random days.
fn milestones(submitted: Date) -> BoxedStrategy<Vec<Value>> {
    let step = prop_oneof![12 => 0i64..20, 1 => -40i64..0];
    let along_the_path = (0usize..=PATH.len(), prop::collection::vec(step, PATH.len())).prop_map(
        move |(n, steps)| {
            let mut on = submitted;
            PATH[..n]
                .iter()
                .zip(steps)
                .map(|(state, step)| {
                    on += Duration::days(step);
                    milestone(state, on)
                })
                .collect()
        },
    );
    let anywhere = prop::collection::vec(
        (
            value(
                &PATH,
                &["submitted", "closed", "rejected", "withdrawn", "x"],
            ),
            -3000i64..3000,
        )
            .prop_map(move |(state, day)| milestone(&state, submitted + Duration::days(day))),
        0..6,
    );
    prop_oneof![4 => along_the_path, 1 => anywhere].boxed()
}

fn milestone(state: &str, on: Date) -> Value {
    json!({
        "state": state, "on": on.to_string(),
        "permitValidUntil": (on + Duration::days(5 * 365)).to_string(),
        "municipality": "Tilburg", "organisation": "VluchtelingenWerk",
        "until": (on + Duration::days(2 * 365)).to_string(),
    })
}

/// One submission whose every field is drawn from accepted and refused values.
fn submission() -> impl Strategy<Value = Value> {
    (
        value(&["EGY-24C00101", "LBN-25C00007", "JOR-23C12345"], &["", "EGY24C00101", "EGY-24C0010"]),
        value(&["EGY", "LBN", "JOR"], &["XXA", "E1Y", ""]),
        value(&["normal", "urgent", "emergency"], &["high", ""]),
        value(&["selection-mission", "dossier"], &["mission"]),
        prop::sample::select(vec![date!(2024 - 02 - 12), date!(2025 - 01 - 06)]),
        value(&["1986-04-02", "2015-09-20", "2025-06-01"], &BIRTH_REFUSED),
        value(&["SDN", "SYR", "XXA"], &["SUD", "1"]),
        value(&["principal-applicant"], &["cousin", "child"]),
        prop_oneof![4 => Just(None), 4 => Just(Some(0usize)), 1 => Just(Some(3))],
    )
        .prop_flat_map(
            |(number, host, priority, track, submitted, born, nationality, relationship, member)| {
                milestones(submitted).prop_map(move |milestones| {
                    json!({
                        "caseNumber": number, "unhcrReference": "RRF-1", "hostCountry": host,
                        "submissionPriority": priority, "primaryCategory": "medical-needs",
                        "programme": "national-quota", "track": track, "submittedOn": submitted.to_string(),
                        "members": [{ "givenName": "Amira", "familyName": "Example", "dateOfBirth": born,
                                      "sex": "female", "nationality": nationality, "relationship": relationship }],
                        "milestones": milestones,
                        "specialCategories": [{ "category": "health", "member": member, "value": "asthma" }]
                    })
                })
            },
        )
}

fn file(submissions: Vec<Value>) -> Value {
    json!({ "format": "resettle-submissions/1", "submissions": submissions })
}

/// Runs `test` on `cases` values of `strategy`; a failure fails the test.
fn run<S: Strategy>(cases: u32, strategy: S, test: impl Fn(S::Value)) {
    let mut runner = TestRunner::new(Config::with_cases(cases));
    runner
        .run(&strategy, |v| {
            test(v);
            Ok(())
        })
        .unwrap();
}

/// Text as an import file: whole files drawn as above, the same text cut or
/// with a character changed, and arbitrary text. At least a tenth of the
/// texts parse and reach validation, some validate, and nothing panics.
#[test]
fn text_as_an_import_file_reaches_validation_and_never_panics() {
    const CASES: u32 = 1000;
    let files = || prop::collection::vec(submission(), 1..3).prop_map(|s| file(s).to_string());
    let text = prop_oneof![
        3 => files(),
        1 => (files(), any::<prop::sample::Index>()).prop_map(|(t, i)| {
            let cut = i.index(t.chars().count());
            t.chars().take(cut).collect::<String>()
        }),
        1 => (files(), any::<prop::sample::Index>(), any::<char>()).prop_map(|(t, i, c)| {
            let mut t: Vec<char> = t.chars().collect();
            let at = i.index(t.len());
            t[at] = c;
            t.into_iter().collect::<String>()
        }),
        1 => ".{0,300}".prop_map(|s: String| s),
    ];
    let (parsed, valid) = (Cell::new(0u32), Cell::new(0u32));
    run(CASES, text, |s| {
        if let Ok(file) = serde_json::from_str::<ImportFile>(&s) {
            parsed.set(parsed.get() + 1);
            if validate_file(&file, &ctx()).is_ok() {
                valid.set(valid.get() + 1);
            }
        }
    });
    let (parsed, valid) = (parsed.get(), valid.get());
    eprintln!("{CASES} texts: {parsed} parsed as import files, {valid} valid");
    assert!(
        parsed * 10 >= CASES,
        "only {parsed} of {CASES} texts reached validation"
    );
    assert!(
        valid * 50 >= CASES,
        "only {valid} of {CASES} texts were valid files"
    );
}

/// What validation answered about one submission.
fn problem_at<'a>(problems: &'a [ImportProblem], field: &str) -> Option<&'a ImportProblem> {
    problems.iter().find(|p| p.field.ends_with(field))
}

/// Drawn submissions reach each rule of validation: the lifecycle replay
/// (valid milestones give a case in the last milestone's state), the order of
/// dates and the date-of-birth rule, in every run.
#[test]
fn drawn_submissions_reach_the_replay_the_date_order_and_the_birth_rule() {
    const CASES: u32 = 1500;
    let (replayed, out_of_order, birth_refused) =
        (Cell::new(0u32), Cell::new(0u32), Cell::new(0u32));
    run(CASES, submission(), |s| {
        let file: ImportFile = serde_json::from_value(self::file(vec![s.clone()])).unwrap();
        match validate_file(&file, &ctx()) {
            Ok(cases) => {
                let born = s["members"][0]["dateOfBirth"].as_str().unwrap();
                assert!(!BIRTH_REFUSED.contains(&born), "born {born} accepted");
                let case = &cases[0];
                let milestones = s["milestones"].as_array().unwrap();
                assert_eq!(case.history.len(), milestones.len() + 1);
                if let Some(last) = milestones.last() {
                    assert_eq!(case.case.state.as_str(), last["state"].as_str().unwrap());
                    if milestones.len() >= 4 {
                        replayed.set(replayed.get() + 1);
                    }
                }
            }
            Err(problems) => {
                if problem_at(&problems, ".on")
                    .is_some_and(|p| p.message.contains("before the previous event"))
                {
                    out_of_order.set(out_of_order.get() + 1);
                }
                let born = s["members"][0]["dateOfBirth"].as_str().unwrap();
                if BIRTH_REFUSED.contains(&born) {
                    assert!(
                        problem_at(&problems, "members[0].dateOfBirth").is_some(),
                        "{born} accepted: {problems:?}"
                    );
                    birth_refused.set(birth_refused.get() + 1);
                }
            }
        }
    });
    let counts = (replayed.get(), out_of_order.get(), birth_refused.get());
    eprintln!(
        "{CASES} submissions: (replayed 4+ milestones, dates out of order, births refused) {counts:?}"
    );
    for (n, what) in [
        (counts.0, "replayed"),
        (counts.1, "out of order"),
        (counts.2, "birth refused"),
    ] {
        assert!(n * 50 >= CASES, "only {n} of {CASES} submissions {what}");
    }
}
