//! Family reunification (nareis) on both engines: an application from the
//! sponsor to a relative's arrival, counted in the framework of the arrival
//! day and never in the EU count; a late application flagged; a rejection
//! with grounds; the municipality of the sponsor's family sees the
//! application, no other does; a legacy import brings its application.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use resettle_domain::audit::AuditResult;
use resettle_domain::ledger::{eu, frameworks, groups_from_cases};
use resettle_domain::policy::PolicySet;
use resettle_domain::reunification::{
    Application, ApplicationChange, ApplicationId, DecisionKind, EvidenceKind, NewApplication,
    NewRelative, RelativeLeftBehind, RelativeStatus, ReunificationGround,
};
use resettle_domain::{
    Case, CaseId, CaseScope, CaseState, Context, Nationality, NewCase, Relationship, Sex, sample,
};
use resettle_store::crypto::DataKeys;
use resettle_store::policy::PolicyStore;
use resettle_store::testing::{ScratchPostgres, postgres_url};
use resettle_store::{
    ApplicationFilter, AuditLog, AuditQuery, NewAuditEntry, PageRequest, Reunification, SqlStore,
    Store, StoreError,
};
use std::future::Future;
use std::sync::Arc;
use time::Date;
use time::macros::{date, datetime};

const POLICY: &str = include_str!("../../../docs/policy-nl.json");

fn ctx(on: Date) -> Context {
    Context {
        occurred_on: on,
        recorded_at: datetime!(2025-12-01 12:00 UTC),
        actor: "officer.test".into(),
        reason: None,
    }
}

fn because(on: Date, reason: &str) -> Context {
    Context {
        reason: Some(reason.into()),
        ..ctx(on)
    }
}

fn entry(action: &str, object: String) -> NewAuditEntry {
    NewAuditEntry {
        at: datetime!(2025-12-01 12:00 UTC),
        actor: "officer.test".into(),
        action: action.into(),
        object,
        result: AuditResult::Ok,
        origin: "test".into(),
    }
}

async fn on_every_backend<F, Fut>(story: F)
where
    F: Fn(Arc<SqlStore>) -> Fut,
    Fut: Future<Output = ()>,
{
    let keys = || DataKeys::parse(&DataKeys::generate_spec("t1")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let sqlite = SqlStore::connect(dir.path().join("t.db").to_str().unwrap())
        .await
        .unwrap()
        .with_data_keys(keys());
    story(Arc::new(sqlite)).await;
    if let Some(admin) = postgres_url().unwrap() {
        let scratch = ScratchPostgres::create(&admin)
            .await
            .expect("cannot reach PostgreSQL");
        let pg = Arc::new(
            SqlStore::connect(&scratch.url)
                .await
                .unwrap()
                .with_data_keys(keys()),
        );
        story(pg.clone()).await;
        pg.close().await;
        scratch.drop_database().await.unwrap();
    }
}

/// A family of `size` resettled in 2023 (selected 2023-10-03, arrived
/// 2023-10-06) and housed in Utrecht on 2023-10-07.
fn resettled(number: &str, size: usize) -> NewCase {
    family(number, size, CaseState::Housed)
}

/// A family submitted on 2023-10-01 taken to `state`, one step a day.
fn family(number: &str, size: usize, state: CaseState) -> NewCase {
    let on = date!(2023 - 10 - 01);
    let s = sample::submission(number, size, on).unwrap();
    let mut c = Case::submit(CaseId::generate(), s, &ctx(on)).unwrap();
    let mut day = on;
    for kind in sample::path_to(state) {
        day = day.next_day().unwrap();
        c.apply(sample::action(kind, day), &ctx(day)).unwrap();
    }
    c
}

fn relative(name: &str, relationship: Relationship) -> NewRelative {
    NewRelative {
        given_name: name.into(),
        family_name: "Testfamily".into(),
        date_of_birth: date!(1985 - 02 - 03),
        sex: Sex::Male,
        nationality: Nationality::parse("SYR").unwrap(),
        relationship,
    }
}

async fn setup(store: &SqlStore) -> (PolicySet, Case) {
    let policy: PolicySet = serde_json::from_str(POLICY).unwrap();
    store
        .save_policy(
            &policy,
            None,
            "analyst",
            datetime!(2025-06-01 10:00 UTC),
            "letter",
        )
        .await
        .unwrap();
    let sponsor = resettled("LBN-23C00001", 3);
    store
        .import_cases(std::slice::from_ref(&sponsor), &|_| {})
        .await
        .unwrap();
    (policy, sponsor.case)
}

async fn apply(
    store: &SqlStore,
    sponsor: &Case,
    permit: Date,
    on: Date,
    relatives: Vec<NewRelative>,
) -> Application {
    let new = NewApplication {
        sponsor_case_id: sponsor.id,
        permit_issued_on: permit,
        applied_on: on,
        relatives,
    };
    let (a, event) =
        Application::apply(ApplicationId::generate(), &new, sponsor, &ctx(on)).unwrap();
    store
        .create_application(
            &a,
            &event,
            &entry("apply-family-reunification", a.id.to_string()),
        )
        .await
        .unwrap();
    a
}

/// Changes the stored application and saves the change.
async fn change(
    store: &SqlStore,
    policy: &PolicySet,
    a: &mut Application,
    c: ApplicationChange,
    context: &Context,
) {
    let expected = a.version;
    let name = c.name();
    let event = a.change(c, policy, context).unwrap();
    store
        .save_application_change(a, expected, &event, &entry(name, a.id.to_string()))
        .await
        .unwrap();
}

async fn audited(store: &SqlStore, id: ApplicationId) -> i64 {
    let q = AuditQuery {
        object: Some(id.to_string()),
        ..Default::default()
    };
    store
        .search_audit(&q, PageRequest::default())
        .await
        .unwrap()
        .total
}

#[tokio::test]
async fn an_application_from_sponsor_to_arrival_counts_in_the_arrival_days_framework_and_never_for_the_eu()
 {
    on_every_backend(|store| async move {
        let (policy, sponsor) = setup(&store).await;
        let mut a = apply(
            &store,
            &sponsor,
            date!(2023 - 10 - 06),
            date!(2023 - 12 - 01),
            vec![relative("Husband", Relationship::Spouse)],
        )
        .await;
        assert_eq!(a.late(&policy), Some(false));
        let steps = [
            (
                ApplicationChange::RecordEvidence {
                    relative: 0,
                    kind: EvidenceKind::DnaOffered,
                    note: "no marriage certificate".into(),
                },
                date!(2023 - 12 - 10),
            ),
            (
                ApplicationChange::Interview { relative: 0 },
                date!(2023 - 12 - 20),
            ),
            (
                ApplicationChange::Decide {
                    relative: 0,
                    decision: DecisionKind::Grant,
                    grounds: vec![],
                },
                date!(2023 - 12 - 28),
            ),
            (
                ApplicationChange::ArrangeTravel {
                    relative: 0,
                    visa_issued_on: date!(2024 - 01 - 15),
                    departs_on: date!(2024 - 02 - 09),
                    booking_reference: "IOM-2024-77".into(),
                },
                date!(2024 - 01 - 15),
            ),
        ];
        for (c, on) in steps {
            change(&store, &policy, &mut a, c, &ctx(on)).await;
        }
        // The arrival: the relative becomes a family-reunification case, in one transaction.
        let expected = a.version;
        let on = date!(2024 - 02 - 10);
        let event = a
            .change(
                ApplicationChange::Arrive {
                    relative: 0,
                    permit_valid_until: date!(2029 - 02 - 10),
                },
                &policy,
                &ctx(on),
            )
            .unwrap();
        let snapshot = a.clone();
        let of = sponsor.clone();
        let build = move |number| {
            snapshot.arrival_case(
                0,
                &of,
                CaseId::generate(),
                number,
                date!(2029 - 02 - 10),
                &ctx(on),
            )
        };
        let arrived = store
            .save_arrival(
                &a,
                expected,
                &event,
                0,
                &build,
                &entry("arrive", a.id.to_string()),
            )
            .await
            .unwrap();
        assert_eq!(
            arrived.case.submission.case_number.as_str(),
            "LBN-24C900000"
        );

        let stored = store.application(a.id).await.unwrap().unwrap();
        assert_eq!(stored.application.version, 6);
        assert_eq!(
            stored.application.relatives[0].status,
            RelativeStatus::Arrived
        );
        assert_eq!(
            stored.application.relatives[0].arrival_case,
            Some(arrived.case.submission.case_number.clone())
        );
        assert_eq!(stored.sponsor_municipality.as_deref(), Some("Utrecht"));
        let history = store.application_history(a.id).await.unwrap();
        assert_eq!(
            history.iter().map(|e| e.change.name()).collect::<Vec<_>>(),
            [
                "apply",
                "record-evidence",
                "interview",
                "decide",
                "arrange-travel",
                "arrive"
            ]
        );
        assert_eq!(audited(&store, a.id).await, 6, "every write audited");

        let case = store
            .case_by_number(&arrived.case.submission.case_number)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(case.state, CaseState::Arrived);
        assert_eq!(case.arrived_on, Some(on));
        assert_eq!(
            case.submission.family_reunification_of,
            Some(sponsor.submission.case_number.clone())
        );
        assert_eq!(case.assigned_municipality.as_deref(), Some("Utrecht"));

        // Counted from the store's buckets: the sponsor's three in 2020-2023
        // (selected then), the relative in 2024 (arrived then); the EU
        // programme of 2024-2025 counts nobody and names the relative excluded.
        let groups = store.person_groups().await.unwrap();
        let report = frameworks(&policy, &groups);
        let line = |id: &str| {
            report
                .frameworks
                .iter()
                .find(|f| f.id == id)
                .unwrap()
                .clone()
        };
        assert_eq!(line("2020-2023").attributed, 3);
        assert_eq!(line("2024").attributed, 1);
        assert_eq!(
            line("2024")
                .years
                .iter()
                .map(|y| (y.year, y.family_reunification_arrivals))
                .collect::<Vec<_>>(),
            [(2024, 1)]
        );
        let eu = eu(&policy, &groups);
        assert_eq!(eu.programmes[0].realised_total, 0);
        assert_eq!(eu.programmes[0].family_reunification_excluded, 1);
        // The buckets equal the pure projection of the cases.
        let pure = groups_from_cases([&sponsor, &case]);
        assert_eq!(frameworks(&policy, &pure), report);
    })
    .await;
}

#[tokio::test]
async fn a_late_application_is_stored_flagged_and_listed_as_pending_only_where_it_may_be_seen() {
    on_every_backend(|store| async move {
        let (policy, sponsor) = setup(&store).await;
        // The permit on 2023-10-06 (the arrival): the window ended on 2024-01-06.
        let late = apply(
            &store,
            &sponsor,
            date!(2023 - 10 - 06),
            date!(2024 - 01 - 08),
            vec![relative("Mother", Relationship::Parent)],
        )
        .await;
        let stored = store.application(late.id).await.unwrap().unwrap();
        assert_eq!(stored.application.late(&policy), Some(true));
        assert_eq!(stored.application, late);
        let list = |scope: CaseScope, pending: Option<bool>| {
            let store = store.clone();
            async move {
                store
                    .applications(&ApplicationFilter {
                        scope,
                        pending,
                        sponsor_case: None,
                    })
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|s| s.application.id)
                    .collect::<Vec<_>>()
            }
        };
        assert_eq!(list(CaseScope::All, Some(true)).await, [late.id]);
        assert!(list(CaseScope::All, Some(false)).await.is_empty());
        assert_eq!(
            list(CaseScope::Municipality("utrecht".into()), None).await,
            [late.id],
            "the municipality housing the sponsor's family"
        );
        assert!(
            list(CaseScope::Municipality("Amersfoort".into()), None)
                .await
                .is_empty()
        );
        assert!(
            list(CaseScope::SubmittedBy("UNHCR Beirut".into()), None)
                .await
                .is_empty()
        );
        // A stale change is refused and writes nothing.
        let mut a = late.clone();
        let event = a
            .change(
                ApplicationChange::Interview { relative: 0 },
                &policy,
                &ctx(date!(2024 - 02 - 01)),
            )
            .unwrap();
        assert!(matches!(
            store
                .save_application_change(&a, 0, &event, &entry("interview", a.id.to_string()))
                .await,
            Err(StoreError::ApplicationConflict { expected: 0, .. })
        ));
        assert_eq!(store.application_history(a.id).await.unwrap().len(), 1);
        assert_eq!(audited(&store, a.id).await, 1);
        // An application for a family that has not arrived is refused.
        let waiting = family("LBN-23C00002", 2, CaseState::Accepted);
        store
            .import_cases(std::slice::from_ref(&waiting), &|_| {})
            .await
            .unwrap();
        let mut bogus = late.clone();
        bogus.id = ApplicationId::generate();
        bogus.sponsor_case_id = waiting.case.id;
        let first = store.application_history(late.id).await.unwrap().remove(0);
        assert!(matches!(
            store
                .create_application(&bogus, &first, &entry("apply", bogus.id.to_string()))
                .await,
            Err(StoreError::Invalid { .. })
        ));
        assert!(store.application(bogus.id).await.unwrap().is_none());
    })
    .await;
}

#[tokio::test]
async fn a_rejection_is_stored_with_its_grounds_and_motivation() {
    on_every_backend(|store| async move {
        let (policy, sponsor) = setup(&store).await;
        let mut a = apply(
            &store,
            &sponsor,
            date!(2023 - 10 - 06),
            date!(2023 - 11 - 01),
            vec![
                relative("Husband", Relationship::Spouse),
                relative("Brother", Relationship::Sibling),
            ],
        )
        .await;
        change(
            &store,
            &policy,
            &mut a,
            ApplicationChange::Decide {
                relative: 1,
                decision: DecisionKind::Reject,
                grounds: vec![ReunificationGround::NotAnEligibleRelative],
            },
            &because(date!(2024 - 01 - 10), "an adult brother who is not dependent"),
        )
        .await;
        let stored = store.application(a.id).await.unwrap().unwrap().application;
        let brother = &stored.relatives[1];
        assert_eq!(brother.status, RelativeStatus::Rejected);
        assert_eq!(brother.grounds, [ReunificationGround::NotAnEligibleRelative]);
        assert_eq!(
            brother.motivation.as_deref(),
            Some("an adult brother who is not dependent")
        );
        assert_eq!(stored.relatives[0].status, RelativeStatus::Applied);
        assert!(stored.pending(), "the husband still waits");
        let history = store.application_history(a.id).await.unwrap();
        assert_eq!(
            history[1].reason.as_deref(),
            Some("an adult brother who is not dependent")
        );
        assert!(matches!(
            &history[1].change,
            ApplicationChange::Decide { decision: DecisionKind::Reject, grounds, .. } if grounds == &[ReunificationGround::NotAnEligibleRelative]
        ));
        assert_eq!(audited(&store, a.id).await, 2);
    })
    .await;
}

#[tokio::test]
async fn a_legacy_family_reunification_import_brings_its_application() {
    on_every_backend(|store| async move {
        let (_, sponsor) = setup(&store).await;
        let on = date!(2024 - 03 - 01);
        let mut s = sample::submission("LBN-24C00009", 2, on).unwrap();
        s.family_reunification_of = Some(sponsor.submission.case_number.clone());
        let mut joined = Case::submit(CaseId::generate(), s, &ctx(on)).unwrap();
        let mut day = on;
        for kind in sample::path_to(CaseState::Arrived) {
            day = day.next_day().unwrap();
            joined.apply(sample::action(kind, day), &ctx(day)).unwrap();
        }
        let waiting = {
            let mut s = sample::submission("LBN-24C00010", 1, on).unwrap();
            s.family_reunification_of = Some(sponsor.submission.case_number.clone());
            Case::submit(CaseId::generate(), s, &ctx(on)).unwrap()
        };
        store
            .import_cases(&[joined.clone(), waiting], &|_| {})
            .await
            .unwrap();
        let all = store.applications(&ApplicationFilter::all()).await.unwrap();
        assert_eq!(all.len(), 2);
        let arrived = all
            .iter()
            .find(|a| a.application.relatives.len() == 2)
            .unwrap();
        assert!(arrived.application.relatives.iter().all(|r| {
            r.status == RelativeStatus::Arrived
                && r.arrived_on == joined.case.arrived_on
                && r.arrival_case.as_ref() == Some(&joined.case.submission.case_number)
        }));
        assert_eq!(arrived.application.sponsor_case_id, sponsor.id);
        let history = store
            .application_history(arrived.application.id)
            .await
            .unwrap();
        assert_eq!(history.len(), 1);
        assert!(
            history[0]
                .reason
                .as_deref()
                .unwrap()
                .contains("LBN-24C00009")
        );
        let pending = store
            .applications(&ApplicationFilter {
                pending: Some(true),
                ..ApplicationFilter::all()
            })
            .await
            .unwrap();
        assert_eq!(pending.len(), 1);
        assert_eq!(
            pending[0].application.relatives[0].status,
            RelativeStatus::Applied
        );
    })
    .await;
}

#[tokio::test]
async fn relatives_left_behind_are_kept_per_case_with_a_version_and_audited() {
    on_every_backend(|store| async move {
        let (_, sponsor) = setup(&store).await;
        assert_eq!(
            store
                .relatives_left_behind(sponsor.id)
                .await
                .unwrap()
                .version,
            0
        );
        let list = vec![RelativeLeftBehind {
            given_name: "Amal".into(),
            family_name: "Testfamily".into(),
            relationship: Relationship::Parent,
            whereabouts: "Tripoli, Lebanon".into(),
            reason_stays: "stays with a married daughter".into(),
            expected_to_apply: true,
        }];
        let v = store
            .set_relatives_left_behind(
                sponsor.id,
                0,
                &list,
                &entry("left-behind", sponsor.id.to_string()),
            )
            .await
            .unwrap();
        assert_eq!(v, 1);
        let read = store.relatives_left_behind(sponsor.id).await.unwrap();
        assert_eq!((read.version, read.relatives), (1, list.clone()));
        assert!(matches!(
            store
                .set_relatives_left_behind(
                    sponsor.id,
                    0,
                    &[],
                    &entry("left-behind", sponsor.id.to_string())
                )
                .await,
            Err(StoreError::Conflict { .. })
        ));
        assert_eq!(
            store
                .relatives_left_behind(sponsor.id)
                .await
                .unwrap()
                .relatives,
            list
        );
        store
            .set_relatives_left_behind(
                sponsor.id,
                1,
                &[],
                &entry("left-behind", sponsor.id.to_string()),
            )
            .await
            .unwrap();
        let q = AuditQuery {
            object: Some(sponsor.id.to_string()),
            ..Default::default()
        };
        assert_eq!(
            store
                .search_audit(&q, PageRequest::default())
                .await
                .unwrap()
                .total,
            2
        );
        assert!(matches!(
            store
                .set_relatives_left_behind(
                    CaseId::generate(),
                    0,
                    &list,
                    &entry("left-behind", "x".into())
                )
                .await,
            Err(StoreError::NotFound(_))
        ));
    })
    .await;
}
