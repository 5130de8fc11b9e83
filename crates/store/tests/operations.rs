//! The operational pipeline on both engines: many officers accepting cases for
//! one mission at the same moment never use more places than it has; an
//! override goes beyond them on the record; a withdrawal gives places back;
//! a departure during a hold is refused, with nothing written.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use resettle_domain::audit::AuditResult;
use resettle_domain::lifecycle::TrainingMode;
use resettle_domain::mission::{MissionKind, Modality, NewMission};
use resettle_domain::operations::{
    Hold, HoldScope, Interview, InterviewKind, InterviewOutcome, OrientationSession,
    ResettlementProfile, TravelPlan,
};
use resettle_domain::{
    Action, ActionKind, Case, CaseId, CaseState, Context, HoldId, MissionId, NewCase, Programme,
    sample,
};
use resettle_store::crypto::DataKeys;
use resettle_store::testing::{ScratchPostgres, postgres_url};
use resettle_store::workflow::{ActionError, take_action};
use resettle_store::{
    AuditLog, AuditQuery, NewAuditEntry, Operations, PageRequest, SqlStore, Store, StoreError,
};
use std::future::Future;
use std::sync::Arc;
use time::Date;
use time::macros::{date, datetime};

fn ctx(on: Date) -> Context {
    Context {
        occurred_on: on,
        recorded_at: datetime!(2025-12-01 12:00 UTC),
        actor: "officer.test".into(),
        reason: None,
    }
}

fn entry(action: &str, object: &str) -> NewAuditEntry {
    NewAuditEntry {
        at: datetime!(2025-12-01 12:00 UTC),
        actor: "officer.test".into(),
        action: action.into(),
        object: object.into(),
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

async fn mission(store: &SqlStore, places: i64) -> MissionId {
    let m = NewMission {
        kind: MissionKind::Selection,
        programme: Programme::NationalQuota,
        name: "Lebanon 2025".into(),
        host_country: Some("LBN".into()),
        populations: vec!["SYR".into()],
        starts_on: date!(2025 - 03 - 01),
        ends_on: date!(2025 - 03 - 14),
        team: vec!["IND".into()],
        places,
        modality: Modality::InPerson,
        remote_case_kinds: vec![],
    }
    .validate(MissionId::generate())
    .unwrap();
    store
        .create_mission(&m, &entry("create-mission", "m"))
        .await
        .unwrap();
    m.id
}

/// `n` cases of one person each, under assessment and selected on `mission`.
async fn cases_under_assessment(store: &SqlStore, mission: MissionId, n: usize) -> Vec<CaseId> {
    let on = date!(2025 - 01 - 06);
    let new: Vec<NewCase> = (0..n)
        .map(|i| {
            let s = sample::submission(&format!("LBN-25C{:05}", i + 1), 1, on).unwrap();
            let mut c = Case::submit(CaseId::generate(), s, &ctx(on)).unwrap();
            c.apply(Action::StartAssessment, &ctx(on)).unwrap();
            c
        })
        .collect();
    store.import_cases(&new, &|_| {}).await.unwrap();
    for c in &new {
        store
            .link_case(mission, c.case.id, &entry("link-case", "c"))
            .await
            .unwrap();
    }
    new.iter().map(|c| c.case.id).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_accepts_never_use_more_places_than_the_mission_has() {
    on_every_backend(|store| async move {
        let m = mission(&store, 10).await;
        let ids = cases_under_assessment(&store, m, 40).await;
        let on = date!(2025 - 03 - 10);
        let tasks: Vec<_> = ids
            .iter()
            .map(|id| {
                let (store, id) = (store.clone(), *id);
                tokio::spawn(async move {
                    take_action(&*store, id, 2, Action::accept(), &ctx(on), Some("test")).await
                })
            })
            .collect();
        let (mut accepted, mut refused) = (0, 0);
        for t in tasks {
            match t.await.unwrap() {
                Ok(_) => accepted += 1,
                Err(ActionError::Blocked(StoreError::PlacesExhausted { places: 10, .. })) => {
                    refused += 1
                }
                Err(e) => panic!("unexpected: {e}"),
            }
        }
        assert_eq!((accepted, refused), (10, 30));
        let stored = store.mission(m).await.unwrap().unwrap();
        assert_eq!(stored.places_used, 10);
        let cases = store.mission_cases(m).await.unwrap();
        let states: Vec<CaseState> = cases.iter().map(|c| c.state).collect();
        assert_eq!(
            states.iter().filter(|s| **s == CaseState::Accepted).count(),
            10
        );
        // A refused acceptance wrote nothing: neither the case nor an audit entry.
        assert_eq!(
            states
                .iter()
                .filter(|s| **s == CaseState::UnderAssessment)
                .count(),
            30
        );
        let audited = store
            .search_audit(
                &AuditQuery {
                    action: Some("accept".into()),
                    ..Default::default()
                },
                PageRequest::default(),
            )
            .await
            .unwrap();
        assert_eq!(audited.total, 10);

        // An officer's override goes beyond the places, on the record.
        let waiting: Vec<CaseId> = cases
            .iter()
            .filter(|c| c.state == CaseState::UnderAssessment)
            .map(|c| c.id)
            .collect();
        let blank = Action::Accept {
            policy_basis: None,
            place_override: Some("  ".into()),
        };
        assert!(matches!(
            take_action(&*store, waiting[0], 2, blank, &ctx(on), None).await,
            Err(ActionError::Refused(_))
        ));
        let over = Action::Accept {
            policy_basis: Some("risk profile".into()),
            place_override: Some("medical emergency, minister informed".into()),
        };
        take_action(&*store, waiting[0], 2, over, &ctx(on), None)
            .await
            .unwrap();
        assert_eq!(store.mission(m).await.unwrap().unwrap().places_used, 11);

        // A withdrawn acceptance gives its place back.
        let mut w = ctx(on);
        w.reason = Some("family declined".into());
        take_action(&*store, waiting[0], 3, Action::Withdraw, &w, None)
            .await
            .unwrap();
        assert_eq!(store.mission(m).await.unwrap().unwrap().places_used, 10);
    })
    .await;
}

#[tokio::test]
async fn a_departure_during_a_hold_is_refused_and_allowed_after_release() {
    on_every_backend(|store| async move {
        let m = mission(&store, 5).await;
        let id = cases_under_assessment(&store, m, 1).await[0];
        let mut on = date!(2025 - 03 - 10);
        let mut version = 2;
        for kind in [ActionKind::Accept, ActionKind::StartPreDeparture] {
            take_action(
                &*store,
                id,
                version,
                sample::action(kind, on),
                &ctx(on),
                None,
            )
            .await
            .unwrap();
            version += 1;
        }
        let mut hold = Hold {
            id: HoldId::generate(),
            scope: HoldScope::Programme {
                programme: Programme::NationalQuota,
            },
            starts_on: date!(2025 - 03 - 15),
            reason: "pandemic".into(),
            released_on: None,
            created_by: "t".into(),
            messages: vec![],
        };
        store
            .create_hold(&hold, &entry("create-hold", "h"))
            .await
            .unwrap();
        on = date!(2025 - 04 - 01);
        let refused = take_action(&*store, id, version, Action::Depart, &ctx(on), None).await;
        assert!(
            matches!(
                refused,
                Err(ActionError::Blocked(StoreError::DepartureOnHold { .. }))
            ),
            "{refused:?}"
        );
        let case = store.case(id).await.unwrap().unwrap();
        assert_eq!(
            (case.state, case.version),
            (CaseState::PreDeparture, version)
        );
        hold.released_on = Some(date!(2025 - 05 - 01));
        store
            .save_hold(&hold, &entry("release-hold", "h"))
            .await
            .unwrap();
        // Still on hold the day before the release; free from it on.
        assert!(
            take_action(
                &*store,
                id,
                version,
                Action::Depart,
                &ctx(date!(2025 - 04 - 30)),
                None
            )
            .await
            .is_err()
        );
        take_action(
            &*store,
            id,
            version,
            Action::Depart,
            &ctx(date!(2025 - 05 - 01)),
            None,
        )
        .await
        .unwrap();
    })
    .await;
}

#[tokio::test]
async fn the_preparation_of_a_case_holds_what_was_recorded_for_it_alone() {
    on_every_backend(|store| async move {
        let m = mission(&store, 5).await;
        let ids = cases_under_assessment(&store, m, 2).await;
        let (case, other) = (ids[0], ids[1]);
        let number = store
            .case(case)
            .await
            .unwrap()
            .unwrap()
            .submission
            .case_number;

        let interview = Interview {
            kind: InterviewKind::Ind,
            held_on: date!(2025 - 03 - 03),
            outcome: InterviewOutcome::Completed,
            interviewer: None,
            recorded_by: "officer.test".into(),
        };
        store
            .add_interview(case, &interview, &entry("record-interview", "c"))
            .await
            .unwrap();
        let profile = ResettlementProfile {
            integration_factors: vec![],
            dwelling_bedrooms: 1,
            accessible_dwelling: true,
            medical_care_nearby: false,
            school_age_children: 0,
            notes: None,
        };
        store
            .set_profile(case, &profile, &entry("set-profile", "c"))
            .await
            .unwrap();
        let session = OrientationSession {
            held_on: date!(2025 - 04 - 01),
            mode: TrainingMode::InPerson,
            training: 1,
            attended: vec![0],
            recorded_by: "officer.test".into(),
        };
        store
            .add_orientation(case, &session, &entry("record-orientation", "c"))
            .await
            .unwrap();
        let plan = TravelPlan {
            documents: vec![],
            departs_on: Some(date!(2025 - 05 - 20)),
            booking_reference: Some("IOM-1".into()),
            brought_forward_reason: None,
        };
        store
            .set_travel(case, None, &plan, &entry("set-travel", "c"))
            .await
            .unwrap();
        // A resettled family that has arrived, and a later-arriving relative of it.
        let on = date!(2025 - 06 - 02);
        let mut arrived = Case::submit(
            CaseId::generate(),
            sample::submission("LBN-25C09998", 2, on).unwrap(),
            &ctx(on),
        )
        .unwrap();
        for kind in sample::path_to(CaseState::Arrived) {
            arrived.apply(sample::action(kind, on), &ctx(on)).unwrap();
        }
        store
            .import_cases(&[arrived.clone()], &|_| {})
            .await
            .unwrap();
        let mut s = sample::submission("LBN-25C09999", 1, on).unwrap();
        s.family_reunification_of = Some(arrived.case.submission.case_number.clone());
        let relative = Case::submit(CaseId::generate(), s, &ctx(on)).unwrap();
        store
            .import_cases(std::slice::from_ref(&relative), &|_| {})
            .await
            .unwrap();
        let family = store
            .preparation(arrived.case.id, &arrived.case.submission.case_number)
            .await
            .unwrap();
        let relatives: Vec<CaseId> = family.relatives.iter().map(|r| r.id).collect();
        assert_eq!(relatives, vec![relative.case.id]);
        assert_eq!(family.mission_id, None);

        let p = store.preparation(case, &number).await.unwrap();
        assert_eq!(p.mission_id, Some(m));
        assert_eq!(p.interviews, vec![interview]);
        assert_eq!(p.profile, Some(profile));
        assert_eq!(p.orientation, vec![session]);
        assert_eq!(p.travel, Some(plan));
        assert!(p.relatives.is_empty());

        let other_number = store
            .case(other)
            .await
            .unwrap()
            .unwrap()
            .submission
            .case_number;
        let q = store.preparation(other, &other_number).await.unwrap();
        assert_eq!(q.mission_id, Some(m));
        assert!(q.interviews.is_empty() && q.orientation.is_empty() && q.relatives.is_empty());
        assert_eq!((q.profile, q.travel), (None, None));
    })
    .await;
}
