//! The storage conformance suite: every story runs against SQLite (a fresh
//! file) and, when RESETTLE_TEST_POSTGRES_URL is set, against a fresh
//! PostgreSQL database, so both engines pass the same tests.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use resettle_domain::import::{ImportFile, validate_file};
use resettle_domain::{
    ActionKind, Case, CaseId, CaseNumber, CaseScope, CaseState, Consent, Context, CountryCode,
    NewCase, Programme, sample,
};
use resettle_store::crypto::DataKeys;
use resettle_store::testing::{ScratchPostgres, postgres_url};
use resettle_store::workflow::{ActionError, take_action};
use resettle_store::{
    AuditLog, Backend, COUNT_LIMIT, CaseFilter, Cursor, PageRequest, SqlStore, Store, StoreError,
};
use std::future::Future;
use std::sync::Arc;
use time::macros::{date, datetime};
use time::{Date, Duration};

const EXAMPLE: &str = include_str!("../../../docs/import-example.json");

fn ctx(on: Date) -> Context {
    Context {
        occurred_on: on,
        recorded_at: datetime!(2025-12-01 12:00 UTC),
        actor: "officer.test".into(),
        reason: Some("conformance".into()),
    }
}

/// Runs `story` on every configured backend, each with an empty database.
async fn on_every_backend<F, Fut>(story: F)
where
    F: Fn(Arc<SqlStore>) -> Fut,
    Fut: Future<Output = ()>,
{
    let dir = tempfile::tempdir().unwrap();
    let sqlite = SqlStore::connect(dir.path().join("t.db").to_str().unwrap())
        .await
        .unwrap()
        .with_data_keys(keys());
    assert_eq!(sqlite.backend(), Backend::Sqlite);
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
        assert_eq!(pg.backend(), Backend::Postgres);
        story(pg.clone()).await;
        pg.close().await;
        scratch.drop_database().await.unwrap();
    }
}

fn keys() -> DataKeys {
    DataKeys::parse(&DataKeys::generate_spec("t1")).unwrap()
}

fn example_cases() -> Vec<NewCase> {
    let file: ImportFile = serde_json::from_str(EXAMPLE).unwrap();
    validate_file(&file, &ctx(date!(2025 - 12 - 01))).unwrap()
}

fn new_case(number: &str, submitted: Date) -> NewCase {
    let s = sample::submission(number, 3, submitted).unwrap();
    Case::submit(CaseId::generate(), s, &ctx(submitted)).unwrap()
}

fn no_progress(_: usize) {}

#[tokio::test]
async fn imported_cases_read_back_whole() {
    on_every_backend(|store| async move {
        let cases = example_cases();
        store.import_cases(&cases, &no_progress).await.unwrap();
        assert_eq!(store.count_cases().await.unwrap(), 3);
        for expected in &cases {
            let got = store.case(expected.case.id).await.unwrap().unwrap();
            assert_eq!(
                got, expected.case,
                "case {}",
                expected.case.submission.case_number
            );
            let history = store.history(expected.case.id).await.unwrap();
            assert_eq!(history.len(), expected.history.len());
            for (i, (g, e)) in history.iter().zip(&expected.history).enumerate() {
                assert_eq!(g.seq, i as i64 + 1);
                assert_eq!(
                    (g.from, g.to, &g.action, g.occurred_on),
                    (e.from, e.to, &e.action, e.occurred_on)
                );
                assert_eq!(
                    (&g.actor, &g.reason, g.previous_version),
                    (&e.actor, &e.reason, e.previous_version)
                );
                assert_eq!(g.recorded_at, e.recorded_at);
            }
        }
        let by_number = store
            .case_by_number(&CaseNumber::parse("EGY-24C00102").unwrap())
            .await
            .unwrap();
        assert_eq!(by_number.map(|c| c.id), Some(cases[1].case.id));
        assert!(store.case(CaseId::generate()).await.unwrap().is_none());
    })
    .await;
}

/// Walks a list along its cursors, from the first page forwards, or from the
/// last page backwards; returns the case numbers in list order.
async fn walk(store: &SqlStore, filter: &CaseFilter, size: u32, backwards: bool) -> Vec<String> {
    let mut request = PageRequest::new(1, size);
    let mut seen = Vec::new();
    if backwards {
        // Go to the last page first, forwards.
        loop {
            let page = store.list_cases(filter, request.clone()).await.unwrap();
            match page.next {
                Some(c) => request = request.with_cursor(Some(c)),
                None => break,
            }
        }
    }
    loop {
        let page = store.list_cases(filter, request.clone()).await.unwrap();
        assert!(page.items.len() <= size as usize);
        let numbers: Vec<String> = page
            .items
            .iter()
            .map(|c| c.case_number.to_string())
            .collect();
        let step = if backwards {
            &page.previous
        } else {
            &page.next
        };
        if backwards {
            seen.splice(0..0, numbers);
        } else {
            seen.extend(numbers);
        }
        match step {
            Some(c) => {
                // A reader passes the cursor on as its text (a link or the API's `next`).
                let read = Cursor::decode(&c.to_string()).unwrap();
                assert_eq!(&read, c);
                request = request.with_cursor(Some(read));
            }
            None => return seen,
        }
    }
}

#[tokio::test]
async fn case_lists_page_along_cursors_as_by_number() {
    on_every_backend(|store| async move {
        // Several cases on one day, so the case number breaks ties.
        let many: Vec<NewCase> = (0..23)
            .map(|i| {
                new_case(
                    &format!("SYR-25C{:05}", 100 - i),
                    date!(2025 - 03 - 01) + Duration::days(i / 4),
                )
            })
            .collect();
        store.import_cases(&many, &no_progress).await.unwrap();
        let all = CaseFilter::default();
        let everything: Vec<String> = store
            .list_cases(&all, PageRequest::new(1, 100))
            .await
            .unwrap()
            .items
            .iter()
            .map(|c| c.case_number.to_string())
            .collect();
        assert_eq!(everything.len(), 23);
        for size in [1, 4, 5, 23, 50] {
            assert_eq!(
                walk(&store, &all, size, false).await,
                everything,
                "forwards, {size} a page"
            );
            assert_eq!(
                walk(&store, &all, size, true).await,
                everything,
                "backwards, {size} a page"
            );
        }
        // A page by number and the page its predecessor's cursor leads to are the same.
        let second = store
            .list_cases(&all, PageRequest::new(2, 5))
            .await
            .unwrap();
        let first = store
            .list_cases(&all, PageRequest::new(1, 5))
            .await
            .unwrap();
        assert_eq!(first.previous, None);
        let followed = store
            .list_cases(&all, PageRequest::new(2, 5).with_cursor(first.next.clone()))
            .await
            .unwrap();
        assert_eq!(followed.items, second.items);
        assert_eq!(
            (followed.next.is_some(), followed.previous.is_some()),
            (true, true)
        );
        // A cursor combines with a filter.
        let lbn = CaseFilter {
            year: Some(2025),
            ..all.clone()
        };
        assert_eq!(walk(&store, &lbn, 3, false).await, everything);
    })
    .await;
}

#[tokio::test]
async fn large_lists_count_up_to_the_limit() {
    on_every_backend(|store| async move {
        let n = COUNT_LIMIT as usize;
        let many: Vec<NewCase> = (0..n)
            .map(|i| {
                new_case(
                    &format!("KEN-24C{:06}", i),
                    date!(2024 - 01 - 01) + Duration::days((i % 300) as i64),
                )
            })
            .collect();
        store.import_cases(&many, &no_progress).await.unwrap();
        let page = store
            .list_cases(&CaseFilter::default(), PageRequest::default())
            .await
            .unwrap();
        assert_eq!((page.total, page.total_exact), (COUNT_LIMIT, true));
        store
            .import_cases(
                &[new_case("KEN-24C999999", date!(2024 - 06 - 01))],
                &no_progress,
            )
            .await
            .unwrap();
        let page = store
            .list_cases(&CaseFilter::default(), PageRequest::default())
            .await
            .unwrap();
        assert_eq!((page.total, page.total_exact), (COUNT_LIMIT, false));
        assert_eq!(page.pages(), COUNT_LIMIT / 50);
        // The last numbered page is served; the one after it only by cursor.
        let last = (PageRequest::MAX_OFFSET / 50) as u32;
        let page = store
            .list_cases(&CaseFilter::default(), PageRequest::new(last, 50))
            .await
            .unwrap();
        assert_eq!(page.items.len(), 50);
        let beyond = store
            .list_cases(&CaseFilter::default(), PageRequest::new(last + 1, 50))
            .await;
        assert!(
            matches!(beyond, Err(StoreError::PageTooDeep(ref d)) if d.page == last + 1),
            "{beyond:?}"
        );
        let followed = store
            .list_cases(
                &CaseFilter::default(),
                PageRequest::new(last + 1, 50).with_cursor(page.next.clone()),
            )
            .await
            .unwrap();
        assert_eq!(followed.items.len(), 1);
    })
    .await;
}

#[tokio::test]
async fn case_lists_filter_and_page() {
    on_every_backend(|store| async move {
        store
            .import_cases(&example_cases(), &no_progress)
            .await
            .unwrap();
        let many: Vec<NewCase> = (0..25)
            .map(|i| {
                new_case(
                    &format!("LBN-25C{:05}", i),
                    date!(2025 - 03 - 01) + Duration::days(i),
                )
            })
            .collect();
        store.import_cases(&many, &no_progress).await.unwrap();
        let all = CaseFilter::default();
        let page = store
            .list_cases(&all, PageRequest::new(2, 10))
            .await
            .unwrap();
        assert_eq!((page.total, page.items.len(), page.page), (28, 10, 2));
        // newest submission first
        assert_eq!(page.items[0].case_number.as_str(), "LBN-25C00014");

        let count = |f: CaseFilter| {
            let store = store.clone();
            async move {
                store
                    .list_cases(&f, PageRequest::new(1, 100))
                    .await
                    .unwrap()
                    .total
            }
        };
        assert_eq!(
            count(CaseFilter {
                year: Some(2024),
                ..all.clone()
            })
            .await,
            2
        );
        assert_eq!(
            count(CaseFilter {
                arrival_year: Some(2024),
                ..all.clone()
            })
            .await,
            1
        );
        assert_eq!(
            count(CaseFilter {
                state: Some(CaseState::IntegrationGuidance),
                ..all.clone()
            })
            .await,
            1
        );
        assert_eq!(
            count(CaseFilter {
                state: Some(CaseState::Submitted),
                ..all.clone()
            })
            .await,
            26
        );
        assert_eq!(
            count(CaseFilter {
                host_country: CountryCode::parse("LBN").ok(),
                ..all.clone()
            })
            .await,
            25
        );
        assert_eq!(
            count(CaseFilter {
                programme: Some(Programme::EuTurkey),
                ..all.clone()
            })
            .await,
            0
        );
        assert_eq!(
            count(CaseFilter {
                track: Some(resettle_domain::Track::Dossier),
                ..all.clone()
            })
            .await,
            2
        );
        assert_eq!(
            count(CaseFilter {
                priority: Some(resettle_domain::SubmissionPriority::Urgent),
                year: Some(2024),
                ..all.clone()
            })
            .await,
            1
        );
        let summary = &store
            .list_cases(
                &CaseFilter {
                    arrival_year: Some(2024),
                    ..all
                },
                PageRequest::default(),
            )
            .await
            .unwrap()
            .items[0];
        assert_eq!(
            (summary.persons, summary.arrived_on),
            (2, Some(date!(2024 - 08 - 21)))
        );
    })
    .await;
}

#[tokio::test]
async fn a_bad_batch_stores_nothing_and_names_every_problem() {
    on_every_backend(|store| async move {
        let first = example_cases();
        store.import_cases(&first[..2], &no_progress).await.unwrap();

        // Record 0 duplicates a stored case; record 1 joins a case that has not arrived;
        // record 2 joins a case nobody knows; record 3 is fine but must not be stored either.
        let mut dup = new_case("EGY-24C00101", date!(2025 - 01 - 02));
        dup.case.submission.case_number = CaseNumber::parse("EGY-24C00101").unwrap();
        let mut not_arrived = new_case("EGY-25C00001", date!(2025 - 01 - 02));
        not_arrived.case.submission.family_reunification_of =
            CaseNumber::parse("EGY-24C00102").ok();
        let mut unknown = new_case("EGY-25C00002", date!(2025 - 01 - 02));
        unknown.case.submission.family_reunification_of = CaseNumber::parse("KEN-19C00001").ok();
        let fine = new_case("EGY-25C00003", date!(2025 - 01 - 02));

        let err = store
            .import_cases(&[dup, not_arrived, unknown, fine], &no_progress)
            .await
            .unwrap_err();
        let StoreError::ImportRejected(problems) = err else {
            panic!("expected a refused import, got {err:?}")
        };
        let found: Vec<(Option<usize>, &str)> = problems
            .iter()
            .map(|p| (p.record, p.field.as_str()))
            .collect();
        assert_eq!(
            found,
            vec![
                (Some(0), "caseNumber"),
                (Some(1), "familyReunificationOf"),
                (Some(2), "familyReunificationOf")
            ]
        );
        assert_eq!(
            store.count_cases().await.unwrap(),
            2,
            "nothing of the refused batch was stored"
        );

        // Joining a case that arrived is fine.
        store.import_cases(&first[2..], &no_progress).await.unwrap();
        assert_eq!(store.count_cases().await.unwrap(), 3);
    })
    .await;
}

#[tokio::test]
async fn every_transition_legal_and_illegal_is_kept_or_refused() {
    on_every_backend(|store| async move {
        let mut n = 0;
        for state in CaseState::ALL {
            for kind in ActionKind::ALL.iter().filter(|k| **k != ActionKind::Submit) {
                n += 1;
                // A stored case in `state`, built through the store one action at a time.
                let submitted = date!(2025 - 01 - 06);
                let new = new_case(&format!("KEN-25C{n:05}"), submitted);
                let id = new.case.id;
                store.import_cases(&[new], &no_progress).await.unwrap();
                for (i, step) in sample::path_to(*state).into_iter().enumerate() {
                    let on = submitted + Duration::days(i as i64 + 1);
                    let version = store.case(id).await.unwrap().unwrap().version;
                    take_action(
                        &*store,
                        id,
                        version,
                        sample::action(step, on),
                        &ctx(on),
                        None,
                    )
                    .await
                    .unwrap();
                }
                let before = store.case(id).await.unwrap().unwrap();
                assert_eq!(before.state, *state);
                let on = date!(2025 - 06 - 01);
                let result = take_action(
                    &*store,
                    id,
                    before.version,
                    sample::action(*kind, on),
                    &ctx(on),
                    None,
                )
                .await;
                let after = store.case(id).await.unwrap().unwrap();
                let history = store.history(id).await.unwrap();
                if before.allowed_actions().contains(kind) {
                    let (case, t) = result.unwrap_or_else(|e| panic!("{kind} from {state}: {e}"));
                    assert_eq!(after, case);
                    assert_eq!(
                        (after.state, after.version),
                        (kind.target_from(*state), before.version + 1)
                    );
                    let last = history.last().unwrap();
                    assert_eq!(last, &t);
                    assert_eq!(
                        (last.seq, last.from, last.to),
                        (after.version, Some(*state), kind.target_from(*state))
                    );
                } else {
                    assert!(
                        matches!(result, Err(ActionError::Refused(_))),
                        "{kind} from {state}: {result:?}"
                    );
                    assert_eq!(after, before, "a refused action changes nothing");
                    assert_eq!(history.len() as i64, before.version);
                }
            }
        }
    })
    .await;
}

#[tokio::test]
async fn concurrent_edits_of_one_case_never_overwrite_each_other() {
    on_every_backend(|store| async move {
        let new = new_case("JOR-25C00001", date!(2025 - 01 - 06));
        let id = new.case.id;
        store.import_cases(&[new], &no_progress).await.unwrap();

        // A stale version is refused before anything is written.
        let on = date!(2025 - 02 - 01);
        let stale = take_action(
            &*store,
            id,
            0,
            sample::action(ActionKind::StartAssessment, on),
            &ctx(on),
            None,
        )
        .await;
        assert!(
            matches!(stale, Err(ActionError::Conflict { expected: 0, .. })),
            "{stale:?}"
        );

        // Eight officers act on version 1 at the same moment: exactly one wins.
        let tasks: Vec<_> = (0..8)
            .map(|i| {
                let store = store.clone();
                let kind = if i % 2 == 0 {
                    ActionKind::StartAssessment
                } else {
                    ActionKind::Withdraw
                };
                tokio::spawn(async move {
                    take_action(&*store, id, 1, sample::action(kind, on), &ctx(on), None).await
                })
            })
            .collect();
        let mut won = 0;
        for t in tasks {
            match t.await.unwrap() {
                Ok(_) => won += 1,
                Err(ActionError::Conflict { expected: 1, .. }) => {}
                Err(e) => panic!("unexpected error: {e}"),
            }
        }
        assert_eq!(won, 1);
        let case = store.case(id).await.unwrap().unwrap();
        assert_eq!(case.version, 2);
        assert_eq!(store.history(id).await.unwrap().len(), 2);

        // The store itself refuses a write against an old version.
        let mut copy = case.clone();
        let next = case.allowed_actions()[0];
        let mut t = copy.apply(sample::action(next, on), &ctx(on)).unwrap();
        t.previous_version = 1;
        assert!(matches!(
            store.record_transition(&copy, &t, None).await,
            Err(StoreError::Conflict { .. })
        ));
    })
    .await;
}

#[tokio::test]
async fn reopening_a_database_keeps_its_data_and_special_categories_stay_encrypted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("reopen.db");
    let url = format!("sqlite:{}", path.display());
    let old = DataKeys::generate_spec("k1");
    let store = SqlStore::connect(&url)
        .await
        .unwrap()
        .with_data_keys(DataKeys::parse(&old).unwrap());
    let cases = example_cases();
    store.import_cases(&cases, &no_progress).await.unwrap();
    let id = cases[0].case.id;
    store.close().await;

    // No special-category value is in the database files in plain text.
    let mut bytes = Vec::new();
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        bytes.extend(std::fs::read(entry.unwrap().path()).unwrap());
    }
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.contains("EGY-24C00101"), "the file holds the case");
    for secret in ["Christian", "asthma", "Dialysis"] {
        assert!(!text.contains(secret), "{secret} is stored in plain text");
    }

    // Without the key the data cannot be read, and the error says why.
    let keyless = SqlStore::connect(&url).await.unwrap();
    assert_eq!(keyless.count_cases().await.unwrap(), 3);
    let err = keyless.case(id).await.unwrap_err();
    assert!(err.to_string().contains("no data key"), "{err}");
    keyless.close().await;

    // Rotation: a new current key, the old one kept to read; afterwards the new one alone reads all.
    let new = DataKeys::generate_spec("k2");
    let both = SqlStore::connect(&url)
        .await
        .unwrap()
        .with_data_keys(DataKeys::parse(&format!("{new};{old}")).unwrap());
    assert_eq!(both.rotate_data_keys().await.unwrap().rewritten, 3);
    assert_eq!(
        both.rotate_data_keys().await.unwrap().rewritten,
        0,
        "rotation is idempotent"
    );
    both.close().await;
    let only_new = SqlStore::connect(&url)
        .await
        .unwrap()
        .with_data_keys(DataKeys::parse(&new).unwrap());
    assert_eq!(
        only_new.case(id).await.unwrap().unwrap().special,
        cases[0].case.special
    );
}

#[tokio::test]
async fn unusable_database_urls_are_refused_clearly() {
    for url in ["", "sqlite::memory:", "mysql://localhost/x"] {
        let err = SqlStore::connect(url).await.unwrap_err();
        assert!(matches!(err, StoreError::BadUrl(_)), "{url}: {err}");
    }
}

#[tokio::test]
async fn scoped_lists_show_only_the_organisation_s_cases_and_consent_is_kept() {
    on_every_backend(|store| async move {
        let cases = example_cases();
        store.import_cases(&cases, &no_progress).await.unwrap();
        let count = |scope: CaseScope| {
            let store = store.clone();
            async move {
                let f = CaseFilter {
                    scope: Some(scope),
                    ..CaseFilter::default()
                };
                store
                    .list_cases(&f, PageRequest::default())
                    .await
                    .unwrap()
                    .total
            }
        };
        assert_eq!(count(CaseScope::All).await, 3);
        assert_eq!(count(CaseScope::SubmittedBy("unhcr".into())).await, 3);
        assert_eq!(
            count(CaseScope::SubmittedBy("UNHCR Nairobi".into())).await,
            0
        );
        assert_eq!(count(CaseScope::Municipality("Tilburg".into())).await, 1);
        assert_eq!(count(CaseScope::Municipality("Zwolle".into())).await, 0);
        assert_eq!(
            count(CaseScope::GuidedBy("VluchtelingenWerk".into())).await,
            1
        );
        assert_eq!(count(CaseScope::Nothing).await, 0);

        // Housing after import moves the case into the municipality's scope.
        let id = cases[1].case.id;
        for (i, step) in [
            ActionKind::Accept,
            ActionKind::StartPreDeparture,
            ActionKind::Depart,
            ActionKind::Arrive,
            ActionKind::House,
        ]
        .into_iter()
        .enumerate()
        {
            let on = date!(2024 - 11 - 10) + Duration::days(i as i64);
            let version = store.case(id).await.unwrap().unwrap().version;
            take_action(
                &*store,
                id,
                version,
                sample::action(step, on),
                &ctx(on),
                None,
            )
            .await
            .unwrap();
        }
        assert_eq!(count(CaseScope::Municipality("utrecht".into())).await, 1);

        let consent = Consent {
            recipient: Some("Utrecht".into()),
            given_on: date!(2024 - 11 - 20),
            override_reason: Some("urgent medical handover".into()),
            recorded_by: "coa".into(),
        };
        store.add_consent(id, &consent).await.unwrap();
        let case = store.case(id).await.unwrap().unwrap();
        assert_eq!(case.consents, vec![consent.clone()]);
        assert!(case.may_share_with("Utrecht"));
        // A second consent is numbered after the first, not over it.
        let second = Consent {
            recipient: Some("Amersfoort".into()),
            ..consent.clone()
        };
        store.add_consent(id, &second).await.unwrap();
        let case = store.case(id).await.unwrap().unwrap();
        assert_eq!(case.consents, vec![consent.clone(), second]);
        assert!(matches!(
            store.add_consent(CaseId::generate(), &consent).await,
            Err(StoreError::NotFound(_))
        ));
    })
    .await;
}

#[tokio::test]
async fn retention_pseudonymises_due_cases_and_every_aggregate_stays_the_same() {
    use resettle_domain::retention::RetentionPolicy;
    use resettle_store::retention::apply_retention;
    on_every_backend(|store| async move {
        let cases = example_cases();
        store.import_cases(&cases, &no_progress).await.unwrap();
        // Close the arrived family and a withdrawn case, in 2025.
        let (arrived, withdrawn) = (cases[0].case.id, cases[1].case.id);
        let on = date!(2025 - 01 - 15);
        for (id, steps) in [
            (arrived, vec![ActionKind::Close]),
            (withdrawn, vec![ActionKind::Withdraw, ActionKind::Close]),
        ] {
            for step in steps {
                let version = store.case(id).await.unwrap().unwrap().version;
                take_action(
                    &*store,
                    id,
                    version,
                    sample::action(step, on),
                    &ctx(on),
                    None,
                )
                .await
                .unwrap();
            }
        }
        let ids: Vec<CaseId> = cases.iter().map(|c| c.case.id).collect();
        let aggregate = |store: Arc<SqlStore>, ids: Vec<CaseId>| async move {
            let mut rows = Vec::new();
            for id in ids {
                let c = store.case(id).await.unwrap().unwrap();
                for m in &c.submission.members {
                    rows.push((
                        c.arrived_on,
                        c.submission.programme,
                        c.submission.host_country,
                        m.nationality,
                        m.sex,
                        m.date_of_birth.date().year(),
                        c.state,
                    ));
                }
            }
            rows.sort();
            rows
        };
        let before = aggregate(store.clone(), ids.clone()).await;
        let policy = RetentionPolicy::default();
        // 2027: only the withdrawn case (2 years) is due; a dry run changes nothing.
        let in_2027 = datetime!(2027-03-01 12:00 UTC);
        let listed = apply_retention(&*store, &policy, in_2027, "retention-test", true)
            .await
            .unwrap();
        assert_eq!(listed, vec![withdrawn]);
        let untouched = store.case(withdrawn).await.unwrap().unwrap();
        assert_eq!(
            untouched.submission.members, cases[1].case.submission.members,
            "a dry run changes nothing"
        );
        assert_eq!(untouched.special, cases[1].case.special);
        let done = apply_retention(&*store, &policy, in_2027, "retention-test", false)
            .await
            .unwrap();
        assert_eq!(done, vec![withdrawn]);
        let gone = store.case(withdrawn).await.unwrap().unwrap();
        assert!(
            gone.submission
                .members
                .iter()
                .all(|m| m.given_name.starts_with("P-") && m.documents.is_empty())
        );
        assert!(gone.special.is_empty(), "special-category data is deleted");
        assert!(
            store
                .history(withdrawn)
                .await
                .unwrap()
                .iter()
                .all(|t| t.reason.is_none())
        );
        // 2035: the arrived family too; already pseudonymised cases are not touched again.
        let in_2035 = datetime!(2035-02-01 12:00 UTC);
        assert_eq!(
            apply_retention(&*store, &policy, in_2035, "retention-test", false)
                .await
                .unwrap(),
            vec![arrived]
        );
        assert_eq!(
            aggregate(store.clone(), ids).await,
            before,
            "every aggregate is the same"
        );
        let audit = store
            .search_audit(
                &resettle_store::AuditQuery {
                    action: Some("pseudonymise".into()),
                    ..Default::default()
                },
                PageRequest::default(),
            )
            .await
            .unwrap();
        assert_eq!(audit.total, 2);
    })
    .await;
}

#[tokio::test]
async fn the_ledger_projection_in_sql_equals_the_pure_one_and_policy_versions_are_kept() {
    use resettle_domain::ledger::{PersonGroup, bucket, groups_from_cases};
    use resettle_domain::policy::PolicySet;
    use resettle_store::policy::PolicyStore;
    on_every_backend(|store| async move {
        let sorted = |mut v: Vec<PersonGroup>| {
            v.sort_by_key(|g| format!("{g:?}"));
            v
        };
        let cases = example_cases();
        store.import_cases(&cases, &no_progress).await.unwrap();
        let pure = |cases: &[Case], b: &[time::Date]| sorted(bucket(&groups_from_cases(cases), b));
        let mut now: Vec<Case> = cases.iter().map(|c| c.case.clone()).collect();

        // Computed on the fly for any boundaries.
        let boundaries = [date!(2024 - 03 - 01), date!(2024 - 08 - 21)];
        assert_eq!(
            sorted(store.person_groups_for(&boundaries).await.unwrap()),
            pure(&now, &boundaries)
        );
        // Kept in buckets: before any policy by year only.
        assert_eq!(
            sorted(store.person_groups().await.unwrap()),
            pure(&now, &[])
        );
        assert_eq!(
            pure(&now, &[]).iter().map(|g| g.persons).sum::<u64>(),
            2,
            "selected or arrived persons only"
        );

        // A policy change rebuilds the buckets for its boundaries.
        let policy: PolicySet =
            serde_json::from_str(include_str!("../../../docs/policy-nl.json")).unwrap();
        assert!(store.policy().await.unwrap().is_none());
        let at = datetime!(2025-06-01 10:00 UTC);
        assert_eq!(
            store
                .save_policy(&policy, None, "analyst", at, "the letter's frameworks")
                .await
                .unwrap(),
            1
        );
        assert_eq!(
            sorted(store.person_groups().await.unwrap()),
            pure(&now, &policy.boundaries())
        );

        // Selecting a case moves it into the buckets, in the same transaction.
        let id = cases[1].case.id;
        let version = store.case(id).await.unwrap().unwrap().version;
        let on = date!(2024 - 11 - 20);
        let (changed, _) = take_action(
            &*store,
            id,
            version,
            sample::action(ActionKind::Accept, on),
            &ctx(on),
            None,
        )
        .await
        .unwrap();
        now[1] = changed;
        assert_eq!(
            sorted(store.person_groups().await.unwrap()),
            pure(&now, &policy.boundaries())
        );
        assert_eq!(
            pure(&now, &policy.boundaries())
                .iter()
                .map(|g| g.persons)
                .sum::<u64>(),
            3
        );

        let mut cut = policy.clone();
        cut.frameworks[2].commitment = 150;
        // A stale edit is refused; the current one is stored with who, when and why.
        assert!(matches!(
            store.save_policy(&cut, None, "x", at, "y").await,
            Err(StoreError::PolicyConflict { .. })
        ));
        assert_eq!(
            store
                .save_policy(&cut, Some(1), "minister", at, "quota cut")
                .await
                .unwrap(),
            2
        );
        let current = store.policy().await.unwrap().unwrap();
        assert_eq!(
            (
                current.version,
                current.changed_by.as_str(),
                current.reason.as_str()
            ),
            (2, "minister", "quota cut")
        );
        assert_eq!(current.document, cut);
        let history = store.policy_versions().await.unwrap();
        assert_eq!(
            history.iter().map(|v| v.version).collect::<Vec<_>>(),
            vec![2, 1]
        );
        assert_eq!(history[1].document, policy);
        assert_eq!(
            sorted(store.person_groups().await.unwrap()),
            pure(&now, &cut.boundaries())
        );
    })
    .await;
}

#[tokio::test]
async fn an_action_with_an_origin_is_audited_in_the_same_transaction() {
    use resettle_store::AuditQuery;
    on_every_backend(|store| async move {
        let new = new_case("KEN-25C99999", date!(2025 - 01 - 06));
        let id = new.case.id;
        store.import_cases(&[new], &no_progress).await.unwrap();
        let on = date!(2025 - 02 - 01);
        take_action(
            &*store,
            id,
            1,
            sample::action(ActionKind::StartAssessment, on),
            &ctx(on),
            Some("10.0.0.7"),
        )
        .await
        .unwrap();
        let q = AuditQuery {
            object: Some(id.to_string()),
            ..Default::default()
        };
        let found = store
            .search_audit(&q, PageRequest::default())
            .await
            .unwrap();
        assert_eq!(found.total, 1);
        let e = &found.items[0];
        assert_eq!(
            (e.action.as_str(), e.actor.as_str(), e.origin.as_str()),
            ("start-assessment", "officer.test", "10.0.0.7")
        );
        // A refused action writes neither the transition nor an audit entry.
        let refused = take_action(
            &*store,
            id,
            2,
            sample::action(ActionKind::Arrive, on),
            &ctx(on),
            Some("10.0.0.7"),
        )
        .await;
        assert!(refused.is_err());
        assert_eq!(
            store
                .search_audit(&q, PageRequest::default())
                .await
                .unwrap()
                .total,
            1
        );
        assert!(store.verify_audit().await.unwrap().is_ok());
    })
    .await;
}

/// Found at scale (bench/RESULTS.md): a database holding cases but no policy
/// and no counted persons yet (a fresh install that imported submissions only)
/// could not be opened again: rebuilding the buckets without boundaries wrote
/// `CASE END`, which is not SQL.
#[tokio::test]
async fn a_database_with_cases_but_no_policy_opens_again() {
    let dir = tempfile::tempdir().unwrap();
    let mut urls = vec![format!(
        "sqlite:{}",
        dir.path().join("nopolicy.db").display()
    )];
    let scratch = match postgres_url().unwrap() {
        Some(admin) => Some(ScratchPostgres::create(&admin).await.unwrap()),
        None => None,
    };
    urls.extend(scratch.iter().map(|s| s.url.clone()));
    for url in &urls {
        let store = SqlStore::connect(url).await.unwrap();
        let cases = vec![
            new_case("EGY-24C00901", date!(2024 - 03 - 01)),
            new_case("EGY-24C00902", date!(2024 - 04 - 01)),
        ];
        store.import_cases(&cases, &no_progress).await.unwrap();
        store.close().await;
        let again = SqlStore::connect(url).await.unwrap();
        assert_eq!(again.count_cases().await.unwrap(), 2, "{url}");
        use resettle_store::policy::PolicyStore;
        assert!(again.person_groups_for(&[]).await.unwrap().is_empty());
        assert!(again.person_groups().await.unwrap().is_empty());
        again.close().await;
    }
    if let Some(s) = scratch {
        s.drop_database().await.unwrap();
    }
}

#[tokio::test]
async fn a_group_commit_whose_history_insert_fails_keeps_the_other_transitions() {
    on_every_backend(|store| async move {
        let on = date!(2025 - 02 - 01);
        let mut ids = Vec::new();
        for n in 1..=3 {
            let new = new_case(&format!("UGA-25C{:05}", 7000 + n), date!(2025 - 01 - 06));
            ids.push(new.case.id);
            store.import_cases(&[new], &no_progress).await.unwrap();
        }
        // A history entry the second case's next transition would collide
        // with: its version check passes, its history insert fails, and the
        // batch runs again transition by transition.
        store
            .execute_raw(
                "INSERT INTO case_transitions (case_id, seq, from_state, to_state, action, \
                 occurred_on, recorded_at, actor, reason, previous_version) \
                 SELECT case_id, 2, from_state, to_state, action, occurred_on, recorded_at, \
                 actor, reason, 1 FROM case_transitions WHERE case_id = \
                 (SELECT id FROM cases WHERE case_number = 'UGA-25C07002')",
            )
            .await
            .unwrap();
        let mut tasks = Vec::new();
        for id in &ids {
            let mut case = store.case(*id).await.unwrap().unwrap();
            let mut t = case
                .apply(sample::action(ActionKind::StartAssessment, on), &ctx(on))
                .unwrap();
            t.seq = case.version;
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                store.record_transition(&case, &t, None).await
            }));
        }
        let mut results = Vec::new();
        for t in tasks {
            results.push(t.await.unwrap());
        }
        assert!(results[0].is_ok(), "{:?}", results[0]);
        assert!(results[1].is_err(), "the colliding one is refused");
        assert!(results[2].is_ok(), "{:?}", results[2]);
        for (i, id) in ids.iter().enumerate() {
            let case = store.case(*id).await.unwrap().unwrap();
            if i == 1 {
                assert_eq!((case.version, case.state), (1, CaseState::Submitted));
            } else {
                assert_eq!((case.version, case.state), (2, CaseState::UnderAssessment));
                assert_eq!(store.history(*id).await.unwrap().len(), 2);
            }
        }
    })
    .await;
}

#[tokio::test]
async fn a_group_commit_refuses_a_stale_transition_and_keeps_the_others() {
    on_every_backend(|store| async move {
        let on = date!(2025 - 02 - 01);
        let mut ids = Vec::new();
        for n in 1..=5 {
            let new = new_case(&format!("UGA-25C{n:05}"), date!(2025 - 01 - 06));
            ids.push(new.case.id);
            store.import_cases(&[new], &no_progress).await.unwrap();
        }
        let entry = |id: CaseId| resettle_store::NewAuditEntry {
            at: datetime!(2025-12-01 12:00 UTC),
            actor: "officer.test".into(),
            action: "start-assessment".into(),
            object: format!("case {id}"),
            result: resettle_domain::audit::AuditResult::Ok,
            origin: "test".into(),
        };
        // One transition per case, made against version 1; the third one as
        // if the officer had read version 0 (stale), and a second transition
        // on the fifth case against the same version as its first.
        let mut writes = Vec::new();
        for (i, id) in ids.iter().chain(std::iter::once(&ids[4])).enumerate() {
            let mut case = store.case(*id).await.unwrap().unwrap();
            let mut t = case
                .apply(sample::action(ActionKind::StartAssessment, on), &ctx(on))
                .unwrap();
            t.seq = case.version;
            if i == 2 {
                t.previous_version = 0;
            }
            writes.push((case, t, entry(*id)));
        }
        // Spawned together, the jobs reach the writer before it runs (the
        // test runtime has one thread), so they are committed as one batch,
        // with an audit entry appended on its own.
        let tasks: Vec<_> = writes
            .into_iter()
            .map(|(case, t, e)| {
                let store = store.clone();
                tokio::spawn(async move { store.record_transition(&case, &t, Some(&e)).await })
            })
            .collect();
        let alone = {
            let store = store.clone();
            let e = resettle_store::NewAuditEntry {
                action: "read-case".into(),
                ..entry(ids[0])
            };
            tokio::spawn(async move { store.append_audit(&e).await })
        };
        let mut results = Vec::new();
        for t in tasks {
            results.push(t.await.unwrap());
        }
        let alone = alone.await.unwrap().unwrap();
        assert_eq!(alone.action, "read-case");

        for (i, r) in results.iter().enumerate() {
            match i {
                2 => assert!(
                    matches!(r, Err(StoreError::Conflict { expected: 0, .. })),
                    "stale: {r:?}"
                ),
                5 => assert!(
                    matches!(r, Err(StoreError::Conflict { expected: 1, .. })),
                    "second on the same version: {r:?}"
                ),
                _ => assert!(r.is_ok(), "transition {i}: {r:?}"),
            }
        }
        for (i, id) in ids.iter().enumerate() {
            let case = store.case(*id).await.unwrap().unwrap();
            let history = store.history(*id).await.unwrap();
            if i == 2 {
                assert_eq!((case.version, case.state), (1, CaseState::Submitted));
                assert_eq!(history.len(), 1, "nothing of the refused one is written");
            } else {
                assert_eq!((case.version, case.state), (2, CaseState::UnderAssessment));
                assert_eq!(history.len(), 2);
            }
        }
        // Every committed transition has its entry; the refused ones none;
        // the chain is whole.
        let entries = store
            .search_audit(
                &resettle_store::AuditQuery {
                    action: Some("start-assessment".into()),
                    ..Default::default()
                },
                PageRequest::new(1, 100),
            )
            .await
            .unwrap();
        let mut objects: Vec<String> = entries.items.iter().map(|e| e.object.clone()).collect();
        objects.sort();
        let mut expected: Vec<String> = [0, 1, 3, 4]
            .iter()
            .map(|i| format!("case {}", ids[*i]))
            .collect();
        expected.sort();
        assert_eq!(objects, expected);
        assert_eq!(store.verify_audit().await.unwrap(), Ok(5));
    })
    .await;
}

/// A new account `name` (password hash "hash-1"), created at `at`.
async fn account(store: &SqlStore, name: &str, at: time::OffsetDateTime) -> resettle_domain::User {
    use resettle_domain::{Role, User, UserId, Username};
    use resettle_store::Accounts;
    let user = User {
        id: UserId::generate(),
        username: Username::parse(name).unwrap(),
        display_name: name.into(),
        role: Role::CoaOfficer,
        organisation: None,
        second_factor: false,
        created_at: at,
        created_by: "test".into(),
        removed_at: None,
        last_login_at: None,
    };
    store.create_user(&user, "hash-1", None).await.unwrap();
    user
}

#[tokio::test]
async fn a_login_is_remembered_and_a_new_password_ends_the_lock_and_the_other_sessions() {
    use resettle_store::Accounts;
    on_every_backend(|store| async move {
        let now = datetime!(2026-12-01 09:00 UTC);
        let user = account(&store, "m.jansen", now).await;
        for (session, csrf) in [("kept", "c1"), ("ended", "c2")] {
            store
                .create_session(session, user.id, csrf, now, now + Duration::hours(8))
                .await
                .unwrap();
        }
        store.record_successful_login(user.id, now).await.unwrap();
        let creds = store.credentials(&user.username).await.unwrap().unwrap();
        assert_eq!(creds.user.last_login_at, Some(now));
        for _ in 0..6 {
            store.record_failed_login(user.id, now).await.unwrap();
        }
        let creds = store.credentials(&user.username).await.unwrap().unwrap();
        assert!(creds.locked_until.is_some() && !creds.password_must_change);

        // An administrator's reset: every session ends, the lock too.
        assert!(
            store
                .set_password(user.id, "hash-2", true, None)
                .await
                .unwrap()
        );
        let creds = store.credentials(&user.username).await.unwrap().unwrap();
        assert_eq!(
            (
                creds.password_hash.as_str(),
                creds.failed_logins,
                creds.locked_until
            ),
            ("hash-2", 0, None)
        );
        assert!(creds.password_must_change);
        assert!(
            store
                .session("kept", now, Duration::minutes(30))
                .await
                .unwrap()
                .is_none()
        );

        // The account's own change keeps the session it is made from.
        for session in ["kept", "ended"] {
            store
                .create_session(session, user.id, "c", now, now + Duration::hours(8))
                .await
                .unwrap();
        }
        let live = store
            .session("kept", now, Duration::minutes(30))
            .await
            .unwrap()
            .unwrap();
        assert!(live.password_must_change && live.user.id == user.id);
        assert!(
            store
                .set_password(user.id, "hash-3", false, Some("kept"))
                .await
                .unwrap()
        );
        let live = store
            .session("kept", now, Duration::minutes(30))
            .await
            .unwrap()
            .unwrap();
        assert!(!live.password_must_change);
        assert!(
            store
                .session("ended", now, Duration::minutes(30))
                .await
                .unwrap()
                .is_none()
        );

        // A removed account's password cannot be set.
        assert!(store.remove_user(&user.username, now).await.unwrap());
        assert!(
            !store
                .set_password(user.id, "hash-4", false, None)
                .await
                .unwrap()
        );
    })
    .await;
}

#[tokio::test]
async fn a_session_ends_after_a_while_without_use() {
    use resettle_store::Accounts;
    on_every_backend(|store| async move {
        let start = datetime!(2026-12-01 09:00 UTC);
        let user = account(&store, "s.idle", start).await;
        store
            .create_session("s", user.id, "c", start, start + Duration::hours(8))
            .await
            .unwrap();
        let idle = Duration::minutes(30);
        let at = |minutes| start + Duration::minutes(minutes);
        // Used after 20 minutes, then 45 (25 after that use): still live.
        assert!(store.session("s", at(20), idle).await.unwrap().is_some());
        assert!(store.session("s", at(45), idle).await.unwrap().is_some());
        // 31 minutes without use: ended, and it stays ended.
        assert!(store.session("s", at(76), idle).await.unwrap().is_none());
        assert!(store.session("s", at(77), idle).await.unwrap().is_none());
        // A session in steady use still ends 8 hours after login.
        store
            .create_session("t", user.id, "c", start, start + Duration::hours(8))
            .await
            .unwrap();
        for m in (10..480).step_by(10) {
            assert!(
                store.session("t", at(m), idle).await.unwrap().is_some(),
                "{m}"
            );
        }
        assert!(store.session("t", at(480), idle).await.unwrap().is_none());
    })
    .await;
}

#[tokio::test]
async fn a_second_factor_step_is_taken_once() {
    use resettle_store::Accounts;
    on_every_backend(|store| async move {
        let now = datetime!(2026-12-01 09:00 UTC);
        let user = account(&store, "a.totp", now).await;
        assert!(store.use_totp_step(user.id, 60_000_000).await.unwrap());
        assert!(
            !store.use_totp_step(user.id, 60_000_000).await.unwrap(),
            "the same code again"
        );
        assert!(
            !store.use_totp_step(user.id, 59_999_999).await.unwrap(),
            "an older code"
        );
        assert!(store.use_totp_step(user.id, 60_000_001).await.unwrap());
    })
    .await;
}

/// `n` characters that no compression shortens much: CJK ideographs (three
/// bytes each in UTF-8) from a fixed pseudo-random sequence.
fn incompressible(n: usize) -> String {
    let mut x: u32 = 0x2545_f491;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            char::from_u32(0x4e00 + x % 0x5000).unwrap()
        })
        .collect()
}

/// User names an attacker types into the login form (a NUL, 3,000 random
/// characters beyond the actor index's row limit, 200 KB) reach the audit
/// trail escaped and bounded, and the officers whose changes the writer
/// commits in the same batches keep their changes and their audit entries.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hostile_audit_text_never_fails_a_batch_or_drops_an_entry() {
    use resettle_domain::audit::{AuditResult, MAX_LABEL_CHARS};
    use resettle_store::{AuditQuery, NewAuditEntry};
    on_every_backend(|store| async move {
        let submitted = date!(2025 - 01 - 06);
        let cases: Vec<NewCase> = (0..24)
            .map(|i| new_case(&format!("SYR-25C{i:05}"), submitted))
            .collect();
        store.import_cases(&cases, &no_progress).await.unwrap();
        let hostile = [
            "officer\0.jansen".to_string(),
            incompressible(3_000),
            "x".repeat(200_000),
        ];
        let on = date!(2025 - 02 - 01);
        let mut tasks = tokio::task::JoinSet::new();
        for (i, c) in cases.iter().enumerate() {
            let (s, id) = (store.clone(), c.case.id);
            tasks.spawn(async move {
                let mut ctx = ctx(on);
                ctx.actor = format!("officer.{i}");
                let action = sample::action(ActionKind::StartAssessment, on);
                take_action(&*s, id, 1, action, &ctx, Some("203.0.113.7"))
                    .await
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            });
            let (s, actor) = (store.clone(), hostile[i % hostile.len()].clone());
            tasks.spawn(async move {
                let entry = NewAuditEntry {
                    at: datetime!(2025-12-01 12:00 UTC),
                    actor,
                    action: "login".into(),
                    object: "session".into(),
                    result: AuditResult::Failed,
                    origin: "198.51.100.9".into(),
                };
                s.append_audit(&entry)
                    .await
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            });
        }
        while let Some(done) = tasks.join_next().await {
            done.unwrap().unwrap();
        }
        for (i, c) in cases.iter().enumerate() {
            assert_eq!(store.case(c.case.id).await.unwrap().unwrap().version, 2);
            let q = AuditQuery {
                actor: Some(format!("officer.{i}")),
                ..AuditQuery::default()
            };
            let found = store
                .search_audit(&q, PageRequest::new(1, 10))
                .await
                .unwrap();
            assert_eq!(found.items.len(), 1, "officer.{i}'s entry");
            assert_eq!(found.items[0].object, format!("case {}", c.case.id));
        }
        let q = AuditQuery {
            action: Some("login".into()),
            ..AuditQuery::default()
        };
        let logins = store
            .search_audit(&q, PageRequest::new(1, 100))
            .await
            .unwrap();
        assert_eq!(logins.items.len(), cases.len());
        for e in &logins.items {
            assert!(e.actor.chars().count() <= MAX_LABEL_CHARS, "{}", e.actor);
            assert!(!e.actor.contains('\0'));
        }
        assert!(
            logins
                .items
                .iter()
                .any(|e| e.actor == "officer\\u{0}.jansen")
        );
        // Searching for the name as typed finds it as stored.
        let q = AuditQuery {
            actor: Some(hostile[0].clone()),
            ..AuditQuery::default()
        };
        let found = store
            .search_audit(&q, PageRequest::new(1, 100))
            .await
            .unwrap();
        assert_eq!(found.items.len(), 8);
        assert_eq!(
            store.verify_audit().await.unwrap(),
            Ok(2 * cases.len() as u64)
        );
    })
    .await;
}

/// Runs `story` with the URL of an empty database on every configured
/// backend, for stories that open the same database several times.
async fn on_every_database<F, Fut>(story: F)
where
    F: Fn(String) -> Fut,
    Fut: Future<Output = ()>,
{
    let dir = tempfile::tempdir().unwrap();
    story(format!("sqlite:{}", dir.path().join("k.db").display())).await;
    if let Some(admin) = postgres_url().unwrap() {
        let scratch = ScratchPostgres::create(&admin)
            .await
            .expect("cannot reach PostgreSQL");
        story(scratch.url.clone()).await;
        scratch.drop_database().await.unwrap();
    }
}

/// Opens `url` with the key setting `spec` (none: no keys) and checks the keys.
async fn open_with(url: &str, spec: Option<&str>) -> (SqlStore, Result<(), StoreError>) {
    let store = SqlStore::connect(url).await.unwrap();
    let store = match spec {
        Some(spec) => store.with_data_keys(DataKeys::parse(spec).unwrap()),
        None => store,
    };
    let checked = store.check_data_keys().await;
    (store, checked)
}

/// An administrator with a second factor, to have an encrypted secret too.
async fn admin_with_secret(store: &SqlStore, name: &str, secret: &str) -> resettle_domain::User {
    use resettle_domain::{Role, User, UserId, Username};
    use resettle_store::Accounts;
    let user = User {
        id: UserId::generate(),
        username: Username::parse(name).unwrap(),
        display_name: format!("Admin {name}"),
        role: Role::Administrator,
        organisation: None,
        second_factor: true,
        created_at: datetime!(2025-12-01 12:00 UTC),
        created_by: "test".into(),
        removed_at: None,
        last_login_at: None,
    };
    store
        .create_user(&user, "$argon2id$not-used", Some(secret))
        .await
        .unwrap();
    user
}

/// Everything encrypted reads back as it was written, with `store`'s keys.
async fn all_readable(store: &SqlStore, cases: &[NewCase], admins: &[(&str, &str)]) {
    use resettle_store::Accounts;
    for c in cases {
        let got = store.case(c.case.id).await.unwrap().unwrap();
        assert_eq!(got.special, c.case.special);
    }
    for (name, secret) in admins {
        let name = resettle_domain::Username::parse(name).unwrap();
        let creds = store.credentials(&name).await.unwrap().unwrap();
        assert_eq!(creds.totp_secret.as_deref(), Some(*secret));
    }
}

#[tokio::test]
async fn a_missing_or_different_key_is_refused_by_fingerprint_and_changes_nothing() {
    use resettle_store::crypto::KeyError;
    on_every_database(|url| async move {
        let good = DataKeys::generate();
        let keys = DataKeys::parse(&good).unwrap();
        let (label, fingerprint) = keys.fingerprints().next().unwrap();
        let (label, fingerprint) = (label.to_string(), fingerprint.to_string());

        // A fresh database: no data, so no key is needed, and nothing is recorded.
        let (store, checked) = open_with(&url, None).await;
        checked.unwrap();
        assert!(store.recorded_data_keys().await.unwrap().is_empty());
        store.close().await;

        let (store, checked) = open_with(&url, Some(&good)).await;
        checked.unwrap();
        let recorded = vec![(label.clone(), fingerprint.clone())];
        assert_eq!(store.recorded_data_keys().await.unwrap(), recorded);
        let cases = example_cases();
        store.import_cases(&cases, &no_progress).await.unwrap();
        admin_with_secret(&store, "root-admin", "JBSWY3DPEHPK3PXP").await;
        store.close().await;

        let refusals = [
            // The key file lost: the error names the key wanted.
            (
                None,
                KeyError::Missing {
                    label: label.clone(),
                    fingerprint: Some(fingerprint.clone()),
                },
            ),
            // Another key under the old label (a key file made anew).
            (
                Some(DataKeys::generate_spec(&label)),
                KeyError::Different {
                    label: label.clone(),
                    expected: fingerprint.clone(),
                    configured: String::new(),
                },
            ),
            // Another key under another label.
            (
                Some(DataKeys::generate()),
                KeyError::Missing {
                    label: label.clone(),
                    fingerprint: Some(fingerprint.clone()),
                },
            ),
            // The right key under another label.
            (
                Some(good.replacen(&format!("{label}:"), "k-other:", 1)),
                KeyError::Relabelled {
                    label: "k-other".into(),
                    fingerprint: fingerprint.clone(),
                    recorded: label.clone(),
                },
            ),
        ];
        for (spec, expected) in refusals {
            let (store, checked) = open_with(&url, spec.as_deref()).await;
            let err = checked.unwrap_err();
            let StoreError::Key(got) = &err else {
                panic!("{err}")
            };
            match (got, &expected) {
                (
                    KeyError::Different {
                        label: l,
                        expected: e,
                        ..
                    },
                    KeyError::Different { .. },
                ) => {
                    assert_eq!((l, e), (&label, &fingerprint));
                }
                _ => assert_eq!(got, &expected),
            }
            assert!(err.to_string().contains(&fingerprint), "{err}");
            assert_eq!(store.recorded_data_keys().await.unwrap(), recorded, "{err}");
            store.close().await;
        }

        // The right key still reads everything: nothing was changed.
        let (store, checked) = open_with(&url, Some(&good)).await;
        checked.unwrap();
        all_readable(&store, &cases, &[("root-admin", "JBSWY3DPEHPK3PXP")]).await;
        store.close().await;
    })
    .await;
}

#[tokio::test]
async fn data_from_before_keys_were_recorded_is_proved_by_decrypting() {
    use resettle_store::crypto::KeyError;
    on_every_database(|url| async move {
        let good = DataKeys::generate_spec("k1");
        let (store, checked) = open_with(&url, Some(&good)).await;
        checked.unwrap();
        let cases = example_cases();
        store.import_cases(&cases, &no_progress).await.unwrap();
        // As a database written before the keys were recorded.
        store.execute_raw("DELETE FROM data_keys").await.unwrap();
        store.close().await;

        let (store, checked) = open_with(&url, Some(&DataKeys::generate_spec("k1"))).await;
        assert!(
            matches!(checked, Err(StoreError::Key(KeyError::DoesNotDecrypt { ref label })) if label == "k1"),
            "{checked:?}"
        );
        assert!(store.recorded_data_keys().await.unwrap().is_empty());
        store.close().await;
        let (store, checked) = open_with(&url, None).await;
        assert!(
            matches!(checked, Err(StoreError::Key(KeyError::Missing { ref label, fingerprint: None })) if label == "k1"),
            "{checked:?}"
        );
        store.close().await;

        let (store, checked) = open_with(&url, Some(&good)).await;
        checked.unwrap();
        let fingerprint = DataKeys::parse(&good).unwrap().fingerprint_of("k1").unwrap().to_string();
        assert_eq!(
            store.recorded_data_keys().await.unwrap(),
            vec![("k1".to_string(), fingerprint)]
        );
        all_readable(&store, &cases, &[]).await;
        store.close().await;
    })
    .await;
}

#[tokio::test]
async fn two_rotations_in_a_row_leave_every_value_readable() {
    on_every_database(|url| async move {
        let first = DataKeys::generate();
        let (store, checked) = open_with(&url, Some(&first)).await;
        checked.unwrap();
        let cases = example_cases();
        store.import_cases(&cases, &no_progress).await.unwrap();
        admin_with_secret(&store, "root-admin", "JBSWY3DPEHPK3PXP").await;
        store.close().await;
        let values = cases.iter().map(|c| c.case.special.len()).sum::<usize>() + 1;
        let label = |spec: &str| spec.split_once(':').unwrap().0.to_string();

        // As documented: the new key first, the old one after it, rotate.
        let second = DataKeys::generate();
        let third = DataKeys::generate();
        for (new, old) in [(&second, &first), (&third, &second)] {
            let (store, checked) = open_with(&url, Some(&format!("{new};{old}"))).await;
            checked.unwrap();
            let done = store.rotate_data_keys().await.unwrap();
            assert_eq!((done.rewritten, done.verified), (values, values));
            assert_eq!(done.unused, vec![label(old)]);
            let again = store.rotate_data_keys().await.unwrap();
            assert_eq!(again.rewritten, 0, "rotation is idempotent");
            store.close().await;
        }
        let (store, checked) = open_with(&url, Some(&third)).await;
        checked.unwrap();
        all_readable(&store, &cases, &[("root-admin", "JBSWY3DPEHPK3PXP")]).await;
        store.close().await;
        // The first key alone no longer suffices, and says which key is wanted.
        let (store, checked) = open_with(&url, Some(&first)).await;
        let err = checked.unwrap_err().to_string();
        assert!(err.contains(&label(&third)), "{err}");
        store.close().await;
    })
    .await;
}

#[tokio::test]
async fn ciphertexts_are_bound_to_their_family_member_and_account() {
    on_every_backend(|store| async move {
        use resettle_store::Accounts;
        let cases = example_cases();
        store.import_cases(&cases, &no_progress).await.unwrap();
        let with_member = cases
            .iter()
            .find(|c| c.case.special.iter().any(|s| s.member.is_some()))
            .expect("the example has special data of a member");
        let id = with_member.case.id;
        let seq = with_member.case.special.iter().position(|s| s.member.is_some()).unwrap();
        let member = with_member.case.special[seq].member.unwrap();
        // Move the value to another member of the family, in the database.
        store
            .execute_raw(&format!(
                "UPDATE sensitive_data SET member_position = {} WHERE seq = {seq} AND member_position = {member}",
                member + 1
            ))
            .await
            .unwrap();
        let err = store.case(id).await.unwrap_err();
        assert!(err.to_string().contains("moved to another record"), "{err}");

        // Copy one administrator's second-factor secret onto another account.
        admin_with_secret(&store, "admin-one", "JBSWY3DPEHPK3PXP").await;
        admin_with_secret(&store, "admin-two", "KRSXG5CTMVRXEZLU").await;
        store
            .execute_raw(
                "UPDATE users SET totp_secret = (SELECT totp_secret FROM users WHERE username = 'admin-one') \
                 WHERE username = 'admin-two'",
            )
            .await
            .unwrap();
        let two = resettle_domain::Username::parse("admin-two").unwrap();
        let err = store.credentials(&two).await.unwrap_err();
        assert!(err.to_string().contains("moved to another record"), "{err}");
    })
    .await;
}

/// A selection mission with `places`, created through the store.
async fn new_mission(store: &SqlStore, name: &str, places: i64) -> resettle_domain::MissionId {
    use resettle_domain::MissionId;
    use resettle_domain::audit::AuditResult;
    use resettle_domain::mission::{MissionKind, Modality, NewMission};
    use resettle_store::{NewAuditEntry, Operations};
    let m = NewMission {
        kind: MissionKind::Selection,
        programme: Programme::NationalQuota,
        name: name.into(),
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
    let entry = NewAuditEntry {
        at: datetime!(2025-12-01 12:00 UTC),
        actor: "officer.test".into(),
        action: "create-mission".into(),
        object: format!("mission {}", m.id),
        result: AuditResult::Ok,
        origin: "test".into(),
    };
    store.create_mission(&m, &entry).await.unwrap();
    m.id
}

/// Holds a PostgreSQL transaction open on its own connection; the locks it
/// takes stay until [`Held::release`].
struct Held(sqlx::PgConnection);

impl Held {
    async fn lock(url: &str, sql: &str) -> Held {
        use sqlx::Connection;
        let mut c = sqlx::PgConnection::connect(url).await.unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("BEGIN; {sql}")))
            .execute(&mut c)
            .await
            .unwrap();
        Held(c)
    }

    /// Sessions of this database waiting for a lock. Inside a transaction
    /// PostgreSQL keeps the first view of pg_stat_activity it gave, so the
    /// view is cleared before each look (without it the count never moved
    /// when the first look came before the writers: CI failed on that).
    async fn waiting(&mut self) -> i64 {
        sqlx::query("SELECT pg_stat_clear_snapshot()")
            .execute(&mut self.0)
            .await
            .unwrap();
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
        )
        .fetch_one(&mut self.0)
        .await
        .unwrap()
    }

    /// Waits until `n` sessions wait for a lock, or `task` has finished.
    /// The deadline only ends a test that would hang; healthy runs take
    /// milliseconds.
    async fn until_waiting<T>(&mut self, n: i64, task: &tokio::task::JoinHandle<T>) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(90);
        while std::time::Instant::now() < deadline {
            if task.is_finished() || self.waiting().await >= n {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        panic!("after 90 s nobody waits for the lock: {n} sessions were expected");
    }

    async fn release(mut self) {
        sqlx::query("COMMIT").execute(&mut self.0).await.unwrap();
    }
}

/// Every mission's places used are the places its linked cases took.
async fn places_add_up(store: &SqlStore, missions: &[resettle_domain::MissionId]) {
    use resettle_store::Operations;
    for m in missions {
        let stored = store.mission(*m).await.unwrap().unwrap();
        let accepted: i64 = store
            .mission_cases(*m)
            .await
            .unwrap()
            .iter()
            .filter(|c| c.state == CaseState::Accepted)
            .map(|c| c.persons)
            .sum();
        assert_eq!(stored.places_used, accepted, "mission {m}");
    }
}

/// Linking a case to another mission while its acceptance is being written:
/// the link waits for the acceptance, then is refused (the case is decided),
/// so the places stay with the mission that holds the case. On PostgreSQL the
/// acceptance is held half-way (after it locked the case, before it takes
/// the mission's places) while the link is tried.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn linking_a_case_to_a_mission_waits_for_its_acceptance() {
    use resettle_domain::audit::AuditResult;
    use resettle_store::{NewAuditEntry, Operations};
    on_every_database(|url| async move {
        let store = Arc::new(
            SqlStore::connect(&url)
                .await
                .unwrap()
                .with_data_keys(keys()),
        );
        let (old, new) = (
            new_mission(&store, "Lebanon 2025", 10).await,
            new_mission(&store, "Jordan 2025", 10).await,
        );
        let on = date!(2025 - 01 - 06);
        let s = sample::submission("LBN-25C00001", 3, on).unwrap();
        let mut c = Case::submit(CaseId::generate(), s, &ctx(on)).unwrap();
        c.apply(sample::action(ActionKind::StartAssessment, on), &ctx(on))
            .unwrap();
        let id = c.case.id;
        store.import_cases(&[c], &no_progress).await.unwrap();
        let link = |m| NewAuditEntry {
            at: datetime!(2025-12-01 12:00 UTC),
            actor: "officer.test".into(),
            action: "link-case".into(),
            object: format!("case {id} mission {m}"),
            result: AuditResult::Ok,
            origin: "test".into(),
        };
        store.link_case(old, id, &link(old)).await.unwrap();

        let held = match store.backend() {
            Backend::Postgres => Some(
                Held::lock(
                    &url,
                    &format!("SELECT 1 FROM missions WHERE id = '{old}' FOR UPDATE"),
                )
                .await,
            ),
            Backend::Sqlite => None,
        };
        let accept_on = date!(2025 - 03 - 10);
        let accepting = {
            let store = store.clone();
            tokio::spawn(async move {
                let action = sample::action(ActionKind::Accept, accept_on);
                take_action(&*store, id, 2, action, &ctx(accept_on), Some("test")).await
            })
        };
        let linking = {
            let store = store.clone();
            let entry = link(new);
            let mut held = held;
            async move {
                if let Some(h) = held.as_mut() {
                    h.until_waiting(1, &accepting).await;
                }
                let task = tokio::spawn(async move { store.link_case(new, id, &entry).await });
                if let Some(mut h) = held {
                    h.until_waiting(2, &task).await;
                    h.release().await;
                } else {
                    // SQLite: the acceptance is written first.
                    while !accepting.is_finished() {
                        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                    }
                }
                (accepting.await.unwrap(), task.await.unwrap())
            }
        };
        let (accepted, linked) = linking.await;
        accepted.unwrap();
        // Either order is a correct serialisation: the acceptance first (the
        // link is then refused), or, when the two meet in a deadlock and the
        // writer runs the acceptance again, the link first (the acceptance
        // then takes the new mission's places). What may never happen is a
        // link that leaves the places with the wrong mission.
        let holder = match linked {
            Err(err) => {
                assert!(
                    matches!(err, StoreError::Invalid { ref field, .. } if field == "caseId"),
                    "{err}"
                );
                old
            }
            Ok(()) => new,
        };
        assert_eq!(
            store
                .preparation(
                    id,
                    &store
                        .case(id)
                        .await
                        .unwrap()
                        .unwrap()
                        .submission
                        .case_number
                )
                .await
                .unwrap()
                .mission_id,
            Some(holder)
        );
        places_add_up(&store, &[old, new]).await;
        assert_eq!(store.mission(holder).await.unwrap().unwrap().places_used, 3);

        // A later withdrawal gives the places back to the mission that holds them.
        let mut w = ctx(accept_on);
        w.reason = Some("family declined".into());
        take_action(&*store, id, 3, resettle_domain::Action::Withdraw, &w, None)
            .await
            .unwrap();
        places_add_up(&store, &[old, new]).await;
        assert_eq!(store.mission(holder).await.unwrap().unwrap().places_used, 0);
        store.close().await;
    })
    .await;
}

/// Two officers write the same case's documents at the same moment: both
/// interviews are kept with their own numbers, the profile is the last one
/// written, and the second travel plan, made without seeing the first, is a
/// conflict (409), never a database error (500). On PostgreSQL both writes
/// are held, after they checked the case and before they commit, by holding
/// the audit trail's append lock, which every such write takes last.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writes_of_one_case_s_documents_never_collide() {
    use resettle_domain::audit::AuditResult;
    use resettle_domain::operations::{
        Interview, InterviewKind, InterviewOutcome, ResettlementProfile, TravelPlan,
    };
    use resettle_store::{NewAuditEntry, Operations};
    on_every_database(|url| async move {
        let store = Arc::new(
            SqlStore::connect(&url)
                .await
                .unwrap()
                .with_data_keys(keys()),
        );
        let new = new_case("LBN-25C00077", date!(2025 - 01 - 06));
        let case = new.case.id;
        let number = new.case.submission.case_number.clone();
        store.import_cases(&[new], &no_progress).await.unwrap();
        let entry = |action: &str| NewAuditEntry {
            at: datetime!(2025-12-01 12:00 UTC),
            actor: "officer.test".into(),
            action: action.into(),
            object: format!("case {case}"),
            result: AuditResult::Ok,
            origin: "test".into(),
        };
        let interview = |day| Interview {
            kind: InterviewKind::Ind,
            held_on: date!(2025 - 03 - 01) + Duration::days(day),
            outcome: InterviewOutcome::Completed,
            interviewer: None,
            recorded_by: "officer.test".into(),
        };
        let profile = |bedrooms| ResettlementProfile {
            integration_factors: vec![],
            dwelling_bedrooms: bedrooms,
            accessible_dwelling: false,
            medical_care_nearby: false,
            school_age_children: 0,
            notes: None,
        };
        let plan = |reference: &str| TravelPlan {
            documents: vec![],
            departs_on: Some(date!(2025 - 05 - 20)),
            booking_reference: Some(reference.into()),
            brought_forward_reason: None,
        };

        /// Runs two writes at once; on PostgreSQL both are held before their
        /// commit until both have started.
        async fn both<T: Send + 'static>(
            url: &str,
            backend: Backend,
            a: impl Future<Output = T> + Send + 'static,
            b: impl Future<Output = T> + Send + 'static,
        ) -> (T, T) {
            let held = match backend {
                // The audit trail's append lock ("resettle" in ASCII).
                Backend::Postgres => {
                    Some(Held::lock(url, "SELECT pg_advisory_xact_lock(8243121572554239077)").await)
                }
                Backend::Sqlite => None,
            };
            let (a, b) = (tokio::spawn(a), tokio::spawn(b));
            if let Some(mut h) = held {
                h.until_waiting(1, &a).await;
                // The second one waits too: for the first's row (fixed) or
                // for the append lock after its own insert (before the fix).
                h.until_waiting(2, &b).await;
                h.release().await;
            }
            (a.await.unwrap(), b.await.unwrap())
        }

        let backend = store.backend();
        let (s1, s2) = (store.clone(), store.clone());
        let (e1, e2) = (entry("record-interview"), entry("record-interview"));
        let (i1, i2) = (interview(0), interview(1));
        let (a, b) = both(
            &url,
            backend,
            async move { s1.add_interview(case, &i1, &e1).await },
            async move { s2.add_interview(case, &i2, &e2).await },
        )
        .await;
        a.unwrap();
        b.unwrap();

        let (s1, s2) = (store.clone(), store.clone());
        let (e1, e2) = (entry("set-profile"), entry("set-profile"));
        let (p1, p2) = (profile(2), profile(3));
        let (a, b) = both(
            &url,
            backend,
            async move { s1.set_profile(case, &p1, &e1).await },
            async move { s2.set_profile(case, &p2, &e2).await },
        )
        .await;
        a.unwrap();
        b.unwrap();

        let (s1, s2) = (store.clone(), store.clone());
        let (e1, e2) = (entry("set-travel"), entry("set-travel"));
        let (t1, t2) = (plan("IOM-1"), plan("IOM-2"));
        let (a, b) = both(
            &url,
            backend,
            async move { s1.set_travel(case, None, &t1, &e1).await },
            async move { s2.set_travel(case, None, &t2, &e2).await },
        )
        .await;
        let outcomes = [a, b];
        assert_eq!(
            outcomes.iter().filter(|r| r.is_ok()).count(),
            1,
            "{outcomes:?}"
        );
        assert!(
            outcomes
                .iter()
                .any(|r| matches!(r, Err(StoreError::Conflict { .. }))),
            "{outcomes:?}"
        );

        let prep = store.preparation(case, &number).await.unwrap();
        let mut days: Vec<Date> = prep.interviews.iter().map(|i| i.held_on).collect();
        days.sort();
        assert_eq!(days, vec![date!(2025 - 03 - 01), date!(2025 - 03 - 02)]);
        assert!(
            prep.profile
                .is_some_and(|p| [2, 3].contains(&p.dwelling_bedrooms))
        );
        assert!(prep.travel.is_some());
        assert_eq!(store.verify_audit().await.unwrap(), Ok(5));
        store.close().await;
    })
    .await;
}

/// A departure dated before a hold began, but recorded while it is in force,
/// is refused: the hold is judged on the day it is recorded too.
#[tokio::test]
async fn a_departure_dated_before_a_hold_but_recorded_during_it_is_refused() {
    use resettle_domain::operations::{Hold, HoldScope};
    use resettle_domain::{Action, HoldId};
    use resettle_store::Operations;
    on_every_backend(|store| async move {
        let on = date!(2025 - 01 - 06);
        let mut c = new_case("LBN-25C00078", on);
        for kind in [
            ActionKind::StartAssessment,
            ActionKind::Accept,
            ActionKind::StartPreDeparture,
        ] {
            c.apply(sample::action(kind, on), &ctx(on)).unwrap();
        }
        let (id, version) = (c.case.id, c.case.version);
        store.import_cases(&[c], &no_progress).await.unwrap();
        let hold = Hold {
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
        let audit = resettle_store::NewAuditEntry {
            at: datetime!(2025-03-15 09:00 UTC),
            actor: "t".into(),
            action: "create-hold".into(),
            object: format!("hold {}", hold.id),
            result: resettle_domain::audit::AuditResult::Ok,
            origin: "test".into(),
        };
        store.create_hold(&hold, &audit).await.unwrap();
        // Dated 14 March, recorded on 16 March (ctx records on 1 December).
        let mut late = ctx(date!(2025 - 03 - 14));
        late.recorded_at = datetime!(2025-03-16 10:00 UTC);
        let refused = take_action(&*store, id, version, Action::Depart, &late, None).await;
        assert!(
            matches!(
                refused,
                Err(ActionError::Blocked(StoreError::DepartureOnHold { .. }))
            ),
            "{refused:?}"
        );
        assert_eq!(store.case(id).await.unwrap().unwrap().version, version);
        // Recorded on 14 March itself, before the hold, it was allowed.
        let mut timely = ctx(date!(2025 - 03 - 14));
        timely.recorded_at = datetime!(2025-03-14 10:00 UTC);
        take_action(&*store, id, version, Action::Depart, &timely, None)
            .await
            .unwrap();
    })
    .await;
}

/// A SQLite write transaction of another connection that holds the write lock
/// longer than the busy timeout (30 s; a large import does) makes the writer
/// wait for it, not fail its batch and drop its audit entries.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_long_sqlite_write_makes_the_writer_wait_not_fail() {
    use sqlx::Connection;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("long.db");
    let store = Arc::new(
        SqlStore::connect(path.to_str().unwrap())
            .await
            .unwrap()
            .with_data_keys(keys()),
    );
    let new = new_case("SYR-25C00099", date!(2025 - 01 - 06));
    let id = new.case.id;
    store.import_cases(&[new], &no_progress).await.unwrap();
    let mut long = sqlx::SqliteConnection::connect(&format!("sqlite:{}", path.display()))
        .await
        .unwrap();
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut long)
        .await
        .unwrap();
    let on = date!(2025 - 02 - 01);
    let writing = {
        let store = store.clone();
        tokio::spawn(async move {
            let action = sample::action(ActionKind::StartAssessment, on);
            take_action(&*store, id, 1, action, &ctx(on), Some("test")).await
        })
    };
    tokio::time::sleep(std::time::Duration::from_secs(33)).await;
    assert!(!writing.is_finished(), "the writer waits for the lock");
    sqlx::query("COMMIT").execute(&mut long).await.unwrap();
    writing.await.unwrap().unwrap();
    assert_eq!(store.case(id).await.unwrap().unwrap().version, 2);
    assert_eq!(store.verify_audit().await.unwrap(), Ok(1));
    store.close().await;
}

/// Selections made before the cases came into the store (the demo's past
/// missions): each case keeps the places it holds, the mission's places used
/// are their sum, and a case moved to another mission takes its places along.
#[tokio::test]
async fn recorded_selections_hold_their_places() {
    use resettle_domain::audit::AuditResult;
    use resettle_store::{NewAuditEntry, Operations};
    on_every_database(|url| async move {
        let store = SqlStore::connect(&url)
            .await
            .unwrap()
            .with_data_keys(keys());
        let (first, second) = (
            new_mission(&store, "Lebanon 2025", 10).await,
            new_mission(&store, "Jordan 2025", 10).await,
        );
        let on = date!(2025 - 01 - 06);
        let mut accepted = Case::submit(
            CaseId::generate(),
            sample::submission("LBN-25C00011", 3, on).unwrap(),
            &ctx(on),
        )
        .unwrap();
        for kind in [ActionKind::StartAssessment, ActionKind::Accept] {
            accepted.apply(sample::action(kind, on), &ctx(on)).unwrap();
        }
        let waiting = Case::submit(
            CaseId::generate(),
            sample::submission("LBN-25C00012", 2, on).unwrap(),
            &ctx(on),
        )
        .unwrap();
        let (a, w) = (accepted.case.id, waiting.case.id);
        store
            .import_cases(&[accepted, waiting], &no_progress)
            .await
            .unwrap();
        let entry = |m| NewAuditEntry {
            at: datetime!(2025-12-01 12:00 UTC),
            actor: "demo".into(),
            action: "record-selections".into(),
            object: format!("mission {m}"),
            result: AuditResult::Ok,
            origin: "test".into(),
        };
        store
            .record_selections(first, &[(a, 3), (w, 0)], &entry(first))
            .await
            .unwrap();
        assert_eq!(store.mission(first).await.unwrap().unwrap().places_used, 3);
        let listed: Vec<CaseId> = store
            .mission_cases(first)
            .await
            .unwrap()
            .iter()
            .map(|c| c.id)
            .collect();
        assert_eq!(listed.len(), 2);
        assert!(listed.contains(&a) && listed.contains(&w));
        places_add_up(&store, &[first]).await;

        store
            .record_selections(second, &[(a, 3)], &entry(second))
            .await
            .unwrap();
        assert_eq!(store.mission(first).await.unwrap().unwrap().places_used, 0);
        assert_eq!(store.mission(second).await.unwrap().unwrap().places_used, 3);

        let unknown = resettle_domain::MissionId::generate();
        assert!(matches!(
            store.record_selections(unknown, &[(w, 0)], &entry(unknown)).await,
            Err(StoreError::MissionNotFound(m)) if m == unknown
        ));
        assert!(matches!(
            store
                .record_selections(first, &[(w, -1)], &entry(first))
                .await,
            Err(StoreError::Invalid { .. })
        ));
        let nobody = CaseId::generate();
        assert!(matches!(
            store.record_selections(first, &[(nobody, 0)], &entry(first)).await,
            Err(StoreError::NotFound(c)) if c == nobody
        ));
        assert_eq!(store.mission(second).await.unwrap().unwrap().places_used, 3);
        store.close().await;
    })
    .await;
}
