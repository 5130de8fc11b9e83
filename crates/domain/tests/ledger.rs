//! Properties of the ledger over arbitrary arrivals and a policy of three
//! consecutive frameworks with allocation plans; and the composition and
//! allocation reports against figures worked out by hand.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use proptest::prelude::*;
use resettle_domain::ledger::{self, PersonGroup, round_to_tens};
use resettle_domain::policy::{
    AllocationPlan, Cap, Deduction, EuProgramme, Framework, FrameworkKind, FundingCategory,
    FundingRule, MissionPlaces, POLICY_FORMAT, Pledge, PolicySet,
};
use resettle_domain::{
    CountryCode, Nationality, Programme, SubmissionCategory, SubmissionPriority, Track,
};
use time::macros::date;
use time::{Date, Duration};

fn policy(c1: u64, deduct: u64, c2: u64, c3: u64) -> PolicySet {
    let fw =
        |id: &str, start: Date, end: Date, commitment: u64, deductions: Vec<Deduction>| Framework {
            id: id.into(),
            name: id.into(),
            name_en: None,
            kind: FrameworkKind::MultiYear,
            start,
            end,
            commitment,
            deductions,
        };
    PolicySet {
        format: POLICY_FORMAT.into(),
        frameworks: vec![
            fw(
                "b",
                date!(2022 - 01 - 01),
                date!(2022 - 12 - 31),
                c2,
                vec![],
            ),
            fw(
                "a",
                date!(2020 - 01 - 01),
                date!(2021 - 12 - 31),
                c1,
                vec![Deduction {
                    places: deduct.min(c1),
                    reason: "r".into(),
                    reason_en: None,
                    on: date!(2020 - 09 - 01),
                }],
            ),
            fw(
                "c",
                date!(2023 - 01 - 01),
                date!(2023 - 12 - 31),
                c3,
                vec![],
            ),
        ],
        quota_changes: vec![],
        suspensions: vec![],
        eu_programmes: vec![EuProgramme {
            id: "eu".into(),
            name: "eu".into(),
            name_en: None,
            start: date!(2021 - 01 - 01),
            end: date!(2022 - 12 - 31),
            pledges: vec![
                Pledge {
                    programme: Programme::NationalQuota,
                    places: 100,
                    note: String::new(),
                    note_en: None,
                },
                Pledge {
                    programme: Programme::EuTurkey,
                    places: 100,
                    note: String::new(),
                    note_en: None,
                },
            ],
            funding: vec![FundingRule {
                category: FundingCategory::Resettled,
                eur_per_person: 10_000,
            }],
        }],
        allocation_plans: vec![
            AllocationPlan {
                framework: "b".into(),
                year: 2022,
                missions: vec![mission("LBN", 10), mission("JOR", 6)],
                unearmarked: 4,
                caps: vec![
                    cap(Some(SubmissionPriority::Emergency), None, 3),
                    cap(None, Some(SubmissionCategory::MedicalNeeds), 4),
                    cap(
                        Some(SubmissionPriority::Urgent),
                        Some(SubmissionCategory::WomenGirlsAtRisk),
                        2,
                    ),
                ],
            },
            AllocationPlan {
                framework: "c".into(),
                year: 2023,
                missions: vec![mission("EGY", 50)],
                unearmarked: 5,
                caps: vec![],
            },
        ],
        family_reunification: vec![],
    }
}

fn mission(host: &str, places: u64) -> MissionPlaces {
    MissionPlaces {
        host_country: CountryCode::parse(host).unwrap(),
        places,
    }
}

fn cap(
    priority: Option<SubmissionPriority>,
    category: Option<SubmissionCategory>,
    max: u64,
) -> Cap {
    Cap {
        priority,
        category,
        max,
    }
}

const HOSTS: [&str; 5] = ["LBN", "JOR", "KEN", "EGY", "TUR"];
const NATIONALITIES: [&str; 5] = ["SYR", "AFG", "ERI", "SSD", "XXA"];

prop_compose! {
    fn group()(selected in 0i64..1700, travel in 0i64..200, arrived in prop::bool::weighted(0.9),
               family in prop::bool::weighted(0.1), turkey in prop::bool::weighted(0.2), persons in 1u64..9,
               host in prop::sample::select(HOSTS.to_vec()),
               nationality in prop::sample::select(NATIONALITIES.to_vec()),
               category in prop::sample::select(SubmissionCategory::ALL.to_vec()),
               priority in prop::sample::select(SubmissionPriority::ALL.to_vec()),
               track in prop::sample::select(Track::ALL.to_vec()))
               -> PersonGroup {
        let selected_on = date!(2019 - 10 - 01) + Duration::days(selected);
        PersonGroup {
            programme: if turkey { Programme::EuTurkey } else { Programme::NationalQuota },
            family_reunification: family,
            selected_on: Some(selected_on),
            arrived_on: arrived.then(|| selected_on + Duration::days(travel)),
            host_country: CountryCode::parse(host).unwrap(),
            nationality: Nationality::parse(nationality).unwrap(),
            primary_category: category,
            priority,
            track,
            persons,
        }
    }
}

prop_compose! {
    /// The fixed policy with the 2022 plan's missions, reservation and caps drawn.
    fn planned_policy()(missions in prop::sample::subsequence(HOSTS.to_vec(), 0..4),
                        places in prop::collection::vec(0u64..40, 4), unearmarked in 0u64..20,
                        emergency in 0u64..30, medical in prop::option::of(0u64..30))
                        -> PolicySet {
        let mut p = policy(300, 20, 100, 100);
        let plan = &mut p.allocation_plans[0];
        plan.missions = missions.iter().zip(&places).map(|(h, n)| mission(h, *n)).collect();
        plan.unearmarked = unearmarked;
        plan.caps = std::iter::once(cap(Some(SubmissionPriority::Emergency), None, emergency))
            .chain(medical.map(|m| cap(None, Some(SubmissionCategory::MedicalNeeds), m)))
            .collect();
        p
    }
}

proptest! {
    #[test]
    fn totals_do_not_depend_on_the_order_of_records(groups in prop::collection::vec(group(), 0..80), seed in any::<u64>()) {
        let p = policy(300, 20, 100, 100);
        let mut shuffled = groups.clone();
        // A deterministic shuffle from the seed.
        let n = shuffled.len();
        for i in 0..n {
            let j = (seed.wrapping_mul(6364136223846793005).wrapping_add(i as u64) % (n as u64)) as usize;
            shuffled.swap(i, j);
        }
        prop_assert_eq!(ledger::frameworks(&p, &groups), ledger::frameworks(&p, &shuffled));
        prop_assert_eq!(ledger::eu(&p, &groups), ledger::eu(&p, &shuffled));
        prop_assert_eq!(ledger::composition(&p, &groups), ledger::composition(&p, &shuffled));
        prop_assert_eq!(ledger::allocation(&p, &groups), ledger::allocation(&p, &shuffled));
    }

    #[test]
    fn composition_breaks_down_exactly_the_persons_each_framework_attributes(groups in prop::collection::vec(group(), 0..80)) {
        let p = policy(300, 20, 100, 100);
        let attributed = ledger::frameworks(&p, &groups);
        let composition = ledger::composition(&p, &groups);
        prop_assert_eq!(composition.frameworks.len(), attributed.frameworks.len());
        for (c, f) in composition.frameworks.iter().zip(&attributed.frameworks) {
            prop_assert_eq!(&c.framework, &f.id);
            prop_assert_eq!(c.persons, f.attributed);
            for (name, breakdown) in [("host", &c.by_host_country), ("nationality", &c.by_nationality),
                                      ("category", &c.by_category), ("priority", &c.by_priority)] {
                prop_assert_eq!(breakdown.iter().map(|k| k.persons).sum::<u64>(), c.persons, "{}", name);
                // Shown cells largest first, each key once, none under five
                // persons; the small ones counted together at the end, five
                // or more unless that is everybody.
                let (shown, hidden): (Vec<_>, Vec<_>) = breakdown.iter().partition(|k| k.key != ledger::SUPPRESSED);
                prop_assert!(shown.windows(2).all(|w| w[0].persons >= w[1].persons && w[0].key != w[1].key), "{}", name);
                prop_assert!(shown.iter().all(|k| k.persons >= ledger::SMALL_CELL), "{}", name);
                prop_assert!(hidden.len() <= 1, "{}", name);
                prop_assert!(hidden.is_empty() || breakdown.last().is_some_and(|k| k.key == ledger::SUPPRESSED), "{}", name);
                prop_assert!(hidden.iter().all(|k| k.persons >= ledger::SMALL_CELL || shown.is_empty()), "{}", name);
            }
        }
    }

    #[test]
    fn allocation_counts_each_selection_of_the_plan_year_in_exactly_one_line(
        p in planned_policy(), groups in prop::collection::vec(group(), 0..80),
    ) {
        let report = ledger::allocation(&p, &groups);
        let plan = &p.allocation_plans[0];
        let line = &report.plans[0];
        let selected: Vec<&PersonGroup> = groups.iter()
            .filter(|g| g.programme == Programme::NationalQuota && !g.family_reunification)
            .filter(|g| g.selected_on.is_some_and(|d| d.year() == 2022))
            .collect();
        let persons = |f: &dyn Fn(&PersonGroup) -> bool| selected.iter().filter(|g| f(g)).map(|g| g.persons).sum::<u64>();
        prop_assert_eq!(line.selected_total, persons(&|_| true));
        prop_assert_eq!(line.planned_total, plan.missions.iter().map(|m| m.places).sum::<u64>() + plan.unearmarked);
        let keys: Vec<&str> = line.lines.iter().map(|l| l.key.as_str()).collect();
        let mut expected: Vec<String> = plan.missions.iter().map(|m| m.host_country.to_string()).collect();
        let elsewhere = persons(&|g| g.track == Track::SelectionMission && !plan.missions.iter().any(|m| m.host_country == g.host_country));
        if elsewhere > 0 {
            expected.push("other-missions".into());
        }
        expected.push("unearmarked".into());
        prop_assert_eq!(keys, expected);
        for l in &line.lines {
            let want = match l.key.as_str() {
                "unearmarked" => persons(&|g| g.track == Track::Dossier),
                "other-missions" => elsewhere,
                host => persons(&|g| g.track == Track::SelectionMission && g.host_country.as_str() == host),
            };
            prop_assert_eq!(l.selected, want, "{}", l.key);
        }
        for (c, limit) in line.caps.iter().zip(&plan.caps) {
            let used = persons(&|g| limit.priority.is_none_or(|x| g.priority == x) && limit.category.is_none_or(|x| g.primary_category == x));
            prop_assert_eq!((c.used, c.max, c.exceeded), (used, limit.max, used > limit.max));
        }
        // The other plan's year has its own selections.
        prop_assert_eq!(report.plans[1].year, 2023);
    }

    #[test]
    fn every_counted_arrival_is_attributed_to_exactly_one_framework(groups in prop::collection::vec(group(), 0..80)) {
        let p = policy(300, 20, 100, 100);
        let r = ledger::frameworks(&p, &groups);
        let counted: u64 = groups.iter().filter(|g| g.counts_national()).map(|g| g.persons).sum();
        let attributed: u64 = r.frameworks.iter().map(|f| f.attributed).sum();
        prop_assert_eq!(attributed + r.unattributed, counted);
        for f in &r.frameworks {
            prop_assert_eq!(f.years.iter().map(|y| y.resettled_arrivals + y.family_reunification_arrivals).sum::<u64>(), f.attributed);
        }
    }

    #[test]
    fn the_excess_carried_forward_is_what_exceeds_the_adjusted_commitment(
        groups in prop::collection::vec(group(), 0..80), c1 in 0u64..400, d in 0u64..100, c2 in 0u64..200, c3 in 0u64..200,
    ) {
        let p = policy(c1, d, c2, c3);
        let r = ledger::frameworks(&p, &groups);
        let mut carried = 0;
        for (i, f) in r.frameworks.iter().enumerate() {
            prop_assert_eq!(f.carried_in, carried);
            prop_assert_eq!(f.counted_total, f.attributed + f.carried_in);
            prop_assert_eq!(f.excess, f.counted_total.saturating_sub(f.adjusted_commitment));
            prop_assert_eq!(f.met, f.shortfall == 0);
            let last = i + 1 == r.frameworks.len();
            prop_assert_eq!(f.carried_out_to.is_some(), f.excess > 0 && !last);
            carried = if f.carried_out_to.is_some() { f.excess } else { 0 };
        }
    }

    #[test]
    fn the_eu_count_never_includes_family_reunification(groups in prop::collection::vec(group(), 0..80)) {
        let p = policy(300, 20, 100, 100);
        let without: Vec<PersonGroup> = groups.iter().filter(|g| !g.family_reunification).cloned().collect();
        let a = ledger::eu(&p, &groups).programmes.remove(0);
        let b = ledger::eu(&p, &without).programmes.remove(0);
        prop_assert_eq!(a.realised_total, b.realised_total);
        prop_assert_eq!(a.funding_eur, a.realised_total * 10_000);
        prop_assert_eq!(b.family_reunification_excluded, 0);
    }
}

proptest! {
    /// Grouping dates into policy buckets changes no report.
    #[test]
    fn bucketed_dates_give_the_same_reports(groups in prop::collection::vec(group(), 0..80), c1 in 0u64..400, planned in planned_policy()) {
        let mut p = planned;
        p.frameworks[1].commitment = c1;
        let bucketed = ledger::bucket(&groups, &p.boundaries());
        prop_assert!(bucketed.len() <= groups.len());
        prop_assert_eq!(ledger::frameworks(&p, &groups), ledger::frameworks(&p, &bucketed));
        prop_assert_eq!(ledger::eu(&p, &groups), ledger::eu(&p, &bucketed));
        prop_assert_eq!(ledger::composition(&p, &groups), ledger::composition(&p, &bucketed));
        prop_assert_eq!(ledger::allocation(&p, &groups), ledger::allocation(&p, &bucketed));
    }
}

#[test]
fn rounding_to_tens_happens_half_up() {
    assert_eq!(
        [0, 4, 5, 14, 15, 1916, 1925].map(round_to_tens),
        [0, 0, 10, 10, 20, 1920, 1930]
    );
}

#[test]
fn the_letter_s_policy_file_is_valid_and_bad_policies_list_every_problem() {
    let p: PolicySet = serde_json::from_str(include_str!("../../../docs/policy-nl.json")).unwrap();
    p.validate().unwrap();
    assert!(
        p.allocation_plans
            .iter()
            .all(|a| !a.below_unearmarked_target())
    );
    let mut bad = p.clone();
    bad.format = "x".into();
    bad.frameworks[1].start = date!(2023 - 06 - 01);
    bad.frameworks[2].deductions.push(Deduction {
        places: 999,
        reason: " ".into(),
        reason_en: None,
        on: date!(2025 - 01 - 01),
    });
    bad.allocation_plans[0].framework = "nope".into();
    let fields: Vec<String> = bad
        .validate()
        .unwrap_err()
        .into_iter()
        .map(|p| p.field)
        .collect();
    for f in [
        "format",
        "frameworks",
        "frameworks[2].deductions",
        "frameworks[2].deductions[0].reason",
        "allocationPlans[0].framework",
    ] {
        assert!(fields.iter().any(|x| x == f), "{f} missing in {fields:?}");
    }
    let mut low = p.allocation_plans[0].clone();
    low.unearmarked = 10;
    assert!(low.below_unearmarked_target());
}

/// One group of persons for the hand-worked fixture.
#[allow(clippy::too_many_arguments)]
fn persons(
    programme: Programme,
    family_reunification: bool,
    selected_on: Option<Date>,
    arrived_on: Option<Date>,
    (host, nationality): (&str, &str),
    primary_category: SubmissionCategory,
    priority: SubmissionPriority,
    track: Track,
    persons: u64,
) -> PersonGroup {
    PersonGroup {
        programme,
        family_reunification,
        selected_on,
        arrived_on,
        host_country: CountryCode::parse(host).unwrap(),
        nationality: Nationality::parse(nationality).unwrap(),
        primary_category,
        priority,
        track,
        persons,
    }
}

/// Nine groups whose composition and allocation are worked out by hand in
/// the comments of the test below.
fn fixture() -> Vec<PersonGroup> {
    use Programme::*;
    use SubmissionCategory::*;
    use SubmissionPriority::*;
    use Track::*;
    let d = |y: i32, m: u8, day: u8| {
        Some(Date::from_calendar_date(y, time::Month::try_from(m).unwrap(), day).unwrap())
    };
    vec![
        // 1. selected and arrived in 2022 on the Lebanon mission
        persons(
            NationalQuota,
            false,
            d(2022, 3, 1),
            d(2022, 5, 1),
            ("LBN", "SYR"),
            MedicalNeeds,
            Normal,
            SelectionMission,
            4,
        ),
        // 2. selected in 2022, arrived in 2023: framework and plan of 2022
        persons(
            NationalQuota,
            false,
            d(2022, 6, 1),
            d(2023, 2, 1),
            ("LBN", "XXA"),
            LegalPhysicalProtection,
            Emergency,
            SelectionMission,
            2,
        ),
        // 3. selected in 2022 in Jordan, not arrived: in the plan, not in the composition
        persons(
            NationalQuota,
            false,
            d(2022, 7, 1),
            None,
            ("JOR", "IRQ"),
            WomenGirlsAtRisk,
            Urgent,
            SelectionMission,
            3,
        ),
        // 4. a mission to Kenya the plan did not foresee
        persons(
            NationalQuota,
            false,
            d(2022, 8, 1),
            d(2022, 10, 1),
            ("KEN", "SSD"),
            ChildrenAdolescentsAtRisk,
            Normal,
            SelectionMission,
            5,
        ),
        // 5. a dossier case from Egypt: the unearmarked reservation
        persons(
            NationalQuota,
            false,
            d(2022, 9, 1),
            d(2022, 9, 20),
            ("EGY", "ERI"),
            SurvivorsOfViolenceTorture,
            Emergency,
            Dossier,
            1,
        ),
        // 6. family reunification arriving in 2022, its principal's selection
        // date carried along: composition by arrival, never in a plan
        persons(
            NationalQuota,
            true,
            d(2022, 3, 15),
            d(2022, 4, 1),
            ("LBN", "SYR"),
            FamilyReunification,
            Normal,
            SelectionMission,
            2,
        ),
        // 7. EU-Turkey: in neither report
        persons(
            EuTurkey,
            false,
            d(2022, 2, 1),
            d(2022, 3, 1),
            ("TUR", "SYR"),
            LegalPhysicalProtection,
            Normal,
            SelectionMission,
            6,
        ),
        // 8. selected on the last day of framework a, arrived in 2022
        persons(
            NationalQuota,
            false,
            d(2021, 12, 31),
            d(2022, 1, 10),
            ("LBN", "SYR"),
            MedicalNeeds,
            Normal,
            SelectionMission,
            3,
        ),
        // 9. selected in 2022 in Lebanon, urgent but not women and girls at risk
        persons(
            NationalQuota,
            false,
            d(2022, 11, 1),
            d(2022, 12, 1),
            ("LBN", "AFG"),
            MedicalNeeds,
            Urgent,
            SelectionMission,
            1,
        ),
    ]
}

fn counts(pairs: &[(&str, u64)]) -> Vec<ledger::Count> {
    pairs
        .iter()
        .map(|(key, persons)| ledger::Count {
            key: key.to_string(),
            persons: *persons,
        })
        .collect()
}

#[test]
fn the_composition_of_a_worked_example() {
    let report = ledger::composition(&policy(300, 20, 100, 100), &fixture());
    let ids: Vec<&str> = report
        .frameworks
        .iter()
        .map(|f| f.framework.as_str())
        .collect();
    assert_eq!(ids, ["a", "b", "c"]);
    // a: only group 8 (selected 31 December 2021).
    let a = &report.frameworks[0];
    assert_eq!(a.persons, 3);
    // Three persons: every cell is under five, so all are counted together.
    for breakdown in [
        &a.by_host_country,
        &a.by_nationality,
        &a.by_category,
        &a.by_priority,
    ] {
        assert_eq!(*breakdown, counts(&[("suppressed", 3)]));
    }
    // b: groups 1, 2, 4, 5, 6 and 9 = 4 + 2 + 5 + 1 + 2 + 1 (3 has not arrived,
    // 7 is EU-Turkey); largest first, then by key. Cells under five persons
    // are counted together; when those are fewer than five, the next smallest
    // cells join them (LBN 9, KEN 5, EGY 1 shows LBN 9 and 6 suppressed).
    let b = &report.frameworks[1];
    assert_eq!(b.persons, 15);
    assert_eq!(b.by_host_country, counts(&[("LBN", 9), ("suppressed", 6)]));
    assert_eq!(b.by_nationality, counts(&[("SYR", 6), ("suppressed", 9)]));
    assert_eq!(
        b.by_category,
        counts(&[
            ("children-adolescents-at-risk", 5),
            ("medical-needs", 5),
            ("suppressed", 5),
        ])
    );
    assert_eq!(b.by_priority, counts(&[("suppressed", 15)]));
    // c: nobody selected in 2023.
    let c = &report.frameworks[2];
    assert_eq!(c.persons, 0);
    assert!(c.by_host_country.is_empty() && c.by_nationality.is_empty());
    assert!(c.by_category.is_empty() && c.by_priority.is_empty());
}

#[test]
fn the_allocation_of_a_worked_example() {
    let report = ledger::allocation(&policy(300, 20, 100, 100), &fixture());
    assert_eq!(report.plans.len(), 2);
    // 2022: selections of the national quota in 2022, no family reunification:
    // groups 1, 2, 3, 4, 5 and 9.
    let p = &report.plans[0];
    assert_eq!((p.framework.as_str(), p.year), ("b", 2022));
    let lines: Vec<(&str, u64, u64)> = p
        .lines
        .iter()
        .map(|l| (l.key.as_str(), l.planned, l.selected))
        .collect();
    assert_eq!(
        lines,
        [
            ("LBN", 10, 4 + 2 + 1),
            ("JOR", 6, 3),
            ("other-missions", 0, 5),
            ("unearmarked", 4, 1),
        ]
    );
    assert_eq!((p.planned_total, p.selected_total), (20, 16));
    assert_eq!(
        (p.unearmarked_share_percent, p.below_unearmarked_target),
        (20, false)
    );
    let caps: Vec<(&str, u64, u64, bool)> = p
        .caps
        .iter()
        .map(|c| (c.label.as_str(), c.max, c.used, c.exceeded))
        .collect();
    assert_eq!(
        caps,
        [
            // groups 2 and 5: at the cap, not over it
            ("emergency", 3, 3, false),
            // groups 1 and 9
            ("medical-needs", 4, 5, true),
            // group 3 only (9 is urgent but medical)
            ("urgent + women-girls-at-risk", 2, 3, true),
        ]
    );
    // 2023: 5 of 55 places unearmarked (9%), below the 10% target; nothing selected.
    let q = &report.plans[1];
    assert_eq!((q.framework.as_str(), q.year), ("c", 2023));
    let lines: Vec<(&str, u64, u64)> = q
        .lines
        .iter()
        .map(|l| (l.key.as_str(), l.planned, l.selected))
        .collect();
    assert_eq!(lines, [("EGY", 50, 0), ("unearmarked", 5, 0)]);
    assert_eq!((q.planned_total, q.selected_total), (55, 0));
    assert_eq!(
        (q.unearmarked_share_percent, q.below_unearmarked_target),
        (9, true)
    );
    assert!(q.caps.is_empty());
}

/// One group of `n` persons of `programme` arrived on `arrived` (selected the
/// month before), Syrians from Lebanon.
fn arrived(programme: Programme, family_reunification: bool, arrived: Date, n: u64) -> PersonGroup {
    persons(
        programme,
        family_reunification,
        Some(arrived - Duration::days(30)),
        Some(arrived),
        ("LBN", "SYR"),
        SubmissionCategory::LegalPhysicalProtection,
        SubmissionPriority::Normal,
        Track::SelectionMission,
        n,
    )
}

/// The EU count of the letter's policy (programme 2024-2025: 700 national,
/// 1,000 EU-Turkey) on arrivals at and just beyond its two ends: a day in
/// the period counts, a day outside does not, family reunification never,
/// and each pledge counts its own programme only. Survivors of cargo-mutants.
#[test]
fn the_eu_count_takes_exactly_the_period_s_arrivals_of_each_pledge_s_programme() {
    use Programme::*;
    let p: PolicySet = serde_json::from_str(include_str!("../../../docs/policy-nl.json")).unwrap();
    let groups = vec![
        arrived(NationalQuota, false, date!(2024 - 01 - 01), 1),
        arrived(NationalQuota, false, date!(2025 - 12 - 31), 2),
        arrived(NationalQuota, false, date!(2023 - 12 - 31), 4),
        arrived(NationalQuota, false, date!(2026 - 01 - 01), 8),
        arrived(NationalQuota, true, date!(2024 - 06 - 01), 16),
        arrived(EuTurkey, false, date!(2024 - 06 - 01), 32),
    ];
    let report = ledger::eu(&p, &groups);
    let realised: Vec<(Programme, u64)> = report.programmes[0]
        .pledges
        .iter()
        .map(|l| (l.programme, l.realised))
        .collect();
    assert_eq!(realised, vec![(NationalQuota, 3), (EuTurkey, 32)]);
}

/// The projection of cases into person groups: one person a member, cases
/// neither selected nor arrived left out, equal facts merged by adding.
#[test]
fn cases_become_person_groups_of_their_members() {
    use resettle_domain::{Case, CaseId, Context, sample};
    let ctx = |on: Date| Context {
        occurred_on: on,
        recorded_at: time::macros::datetime!(2025-06-01 12:00 UTC),
        actor: "t".into(),
        reason: None,
    };
    let case = |number: &str, members: usize| {
        let on = date!(2025 - 01 - 06);
        let s = sample::submission(number, members, on).unwrap();
        Case::submit(CaseId::generate(), s, &ctx(on)).unwrap().case
    };
    let (mut a, mut b, c) = (
        case("LBN-25C00005", 3),
        case("LBN-25C00006", 2),
        case("LBN-25C00007", 4),
    );
    a.selected_on = Some(date!(2025 - 03 - 01));
    b.arrived_on = Some(date!(2025 - 05 - 01));
    // `c` is neither selected nor arrived: it is not counted anywhere.
    let groups = ledger::groups_from_cases([&a, &b, &c]);
    let total: u64 = groups.iter().map(|g| g.persons).sum();
    assert_eq!(total, 5, "{groups:?}");
    let selected: u64 = groups
        .iter()
        .filter(|g| g.selected_on.is_some())
        .map(|g| g.persons)
        .sum();
    assert_eq!(selected, 3);
    assert!(groups.iter().all(|g| g.persons >= 1));
}

/// Bucketing merges groups whose dates fall between the same boundaries,
/// and moves each date to its bucket's day.
#[test]
fn bucketing_merges_dates_between_the_same_boundaries() {
    use Programme::*;
    let groups = vec![
        arrived(NationalQuota, false, date!(2024 - 03 - 01), 2),
        arrived(NationalQuota, false, date!(2024 - 04 - 01), 3),
        arrived(NationalQuota, false, date!(2025 - 02 - 01), 5),
    ];
    let boundaries = [
        date!(2024 - 01 - 01),
        date!(2025 - 01 - 01),
        date!(2026 - 01 - 01),
    ];
    let b = ledger::bucket(&groups, &boundaries);
    let mut sizes: Vec<u64> = b.iter().map(|g| g.persons).collect();
    sizes.sort();
    assert_eq!(sizes, vec![5, 5], "{b:?}");
    // The merged group's dates are one bucket day each, not the first group's own.
    let merged = b
        .iter()
        .find(|g| g.arrived_on < Some(date!(2025 - 01 - 01)))
        .unwrap();
    assert_ne!(merged.arrived_on, Some(date!(2024 - 03 - 01)), "{b:?}");
    assert_ne!(merged.selected_on, Some(date!(2024 - 01 - 31)), "{b:?}");
}

/// Each framework states the annual quota in force at its end.
#[test]
fn a_framework_states_the_quota_in_force_at_its_end() {
    let p: PolicySet = serde_json::from_str(include_str!("../../../docs/policy-nl.json")).unwrap();
    let report = ledger::frameworks(&p, &[]);
    let quota: Vec<(String, Option<u64>)> = report
        .frameworks
        .iter()
        .map(|f| (f.id.clone(), f.quota_per_year))
        .collect();
    assert_eq!(quota[0], ("2020-2023".into(), Some(500)), "{quota:?}");
    assert_eq!(quota[2], ("2025".into(), Some(200)), "{quota:?}");
}

/// The English beside a Dutch policy text is optional: a file without it
/// stays valid and its Dutch shows everywhere; with it, English readers get
/// the English, and the ledger's lines carry both.
#[test]
fn policy_texts_carry_an_optional_english_beside_the_dutch() {
    use resettle_domain::policy::text_in;
    let p: PolicySet = serde_json::from_str(include_str!("../../../docs/policy-nl.json")).unwrap();
    let f = &p.frameworks[0];
    assert_eq!(
        text_in(&f.name, f.name_en.as_deref(), false),
        "Beleidskader hervestiging 2020-2023"
    );
    assert_eq!(
        text_in(&f.name, f.name_en.as_deref(), true),
        "Resettlement policy framework 2020-2023"
    );
    let mut old: serde_json::Value =
        serde_json::from_str(include_str!("../../../docs/policy-nl.json")).unwrap();
    fn strip(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(m) => {
                m.retain(|k, _| !k.ends_with("En"));
                m.values_mut().for_each(strip);
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(strip),
            _ => {}
        }
    }
    strip(&mut old);
    let old: PolicySet = serde_json::from_value(old).unwrap();
    assert!(old.validate().is_ok());
    let f = &old.frameworks[0];
    assert_eq!(f.name_en, None);
    assert_eq!(
        text_in(&f.name, f.name_en.as_deref(), true),
        "Beleidskader hervestiging 2020-2023"
    );
    assert_eq!(text_in("Nederlands", Some(" "), true), "Nederlands");
    let report = ledger::frameworks(&p, &[]);
    assert_eq!(
        report.frameworks[0].deductions[0].reason_en.as_deref(),
        p.frameworks[0].deductions[0].reason_en.as_deref()
    );
    assert!(report.frameworks.iter().all(|l| l.name_en.is_some()));
}
