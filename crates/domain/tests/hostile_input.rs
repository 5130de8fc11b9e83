//! Hostile input never panics: every parser answers with a value or an error,
//! whatever the bytes. (A light, always-on version of fuzzing; the domain
//! crate denies unwrap/expect/panic, this checks the arithmetic and slicing too.)
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use proptest::prelude::*;
use resettle_domain::import::{ImportFile, parse_date, validate_file};
use resettle_domain::{
    CaseNumber, CaseState, Context, CountryCode, Nationality, SubmissionCategory,
};
use time::macros::datetime;

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
    fn arbitrary_text_as_an_import_file_never_panics(s in ".{0,300}") {
        if let Ok(file) = serde_json::from_str::<ImportFile>(&s) {
            let _ = validate_file(&file, &ctx());
        }
    }

    #[test]
    fn structurally_valid_files_with_arbitrary_values_never_panic(
        number in ".{0,16}", host in ".{0,5}", dob in ".{0,12}", state in ".{0,20}", on in ".{0,12}",
        relationship in prop::sample::select(vec!["principal-applicant", "child", "x", ""]),
        member in prop::option::of(0usize..5),
    ) {
        let json = serde_json::json!({
            "format": "resettle-submissions/1",
            "submissions": [{
                "caseNumber": number, "unhcrReference": "r", "hostCountry": host, "submissionPriority": "urgent",
                "primaryCategory": "medical-needs", "programme": "national-quota", "track": "dossier",
                "submittedOn": on, "members": [{ "givenName": "a", "familyName": "b", "dateOfBirth": dob,
                "sex": "female", "nationality": host, "relationship": relationship }],
                "milestones": [{ "state": state, "on": on, "permitValidUntil": on, "municipality": "m", "until": on, "organisation": "o" }],
                "specialCategories": [{ "category": "health", "member": member, "value": "v" }]
            }]
        });
        let file: ImportFile = serde_json::from_value(json).unwrap();
        let _ = validate_file(&file, &ctx());
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

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Scenario figures come from users: none makes the forecast panic.
    #[test]
    fn scenarios_with_arbitrary_figures_never_panic(months in any::<u32>(), day in 0i64..200_000, commitment in any::<u64>(), runs in 1u32..4) {
        use resettle_domain::forecast::{CommitmentChange, ForecastInput, Pause, Scenario, forecast};
        let policy: resettle_domain::policy::PolicySet = serde_json::from_str(include_str!("../../../docs/policy-nl.json")).unwrap();
        let from = time::Date::MIN + time::Duration::days(day * 10);
        let scenario = Scenario {
            pause: Some(Pause { from, months }),
            commitments: vec![CommitmentChange { framework: "2024".into(), adjusted_commitment: commitment }],
            ..Scenario::default()
        };
        let input = ForecastInput {
            as_of: time::macros::date!(2024 - 01 - 01),
            horizon_months: 12,
            cohorts: vec![],
            durations: Default::default(),
            intake: vec![],
            ledger: resettle_domain::ledger::frameworks(&policy, &[]),
        };
        let _ = forecast(&input, &policy, &scenario, runs, 1);
    }
}
