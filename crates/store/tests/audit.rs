//! The audit trail on every engine: appends chain, concurrent appends never
//! fork, tampering directly in the database is found at the right entry, and
//! searches filter and page newest first. Runs against SQLite (a fresh file)
//! and, when RESETTLE_TEST_POSTGRES_URL is set, a fresh PostgreSQL database.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use resettle_domain::audit::{
    AuditBreak, AuditBreakReason, AuditRecord, AuditResult, GENESIS_HASH,
};
use resettle_store::testing::{ScratchPostgres, postgres_url};
use resettle_store::{
    AuditLog, AuditQuery, Backend, NewAuditEntry, PageRequest, SqlStore, Store, StoreError,
};
use std::future::Future;
use std::sync::Arc;
use time::format_description::well_known::Rfc3339;
use time::macros::{date, datetime};
use time::{Duration, UtcOffset};

/// Runs `story` on every configured backend, each with an empty database.
async fn on_every_backend<F, Fut>(story: F)
where
    F: Fn(Arc<SqlStore>) -> Fut,
    Fut: Future<Output = ()>,
{
    let dir = tempfile::tempdir().unwrap();
    let sqlite = SqlStore::connect(dir.path().join("t.db").to_str().unwrap())
        .await
        .unwrap();
    assert_eq!(sqlite.backend(), Backend::Sqlite);
    story(Arc::new(sqlite)).await;

    if let Some(admin) = postgres_url().unwrap() {
        let scratch = ScratchPostgres::create(&admin)
            .await
            .expect("cannot reach PostgreSQL");
        let pg = Arc::new(SqlStore::connect(&scratch.url).await.unwrap());
        assert_eq!(pg.backend(), Backend::Postgres);
        story(pg.clone()).await;
        pg.close().await;
        scratch.drop_database().await.unwrap();
    }
}

fn entry(i: usize) -> NewAuditEntry {
    NewAuditEntry {
        // Nanoseconds on purpose: stores keep microseconds.
        at: datetime!(2025-06-01 09:00:00.123456789 UTC) + Duration::minutes(i as i64),
        actor: format!("officer.{}", i % 3),
        action: "case.view".into(),
        object: format!("case {i:04}"),
        result: AuditResult::Ok,
        origin: "203.0.113.7".into(),
    }
}

async fn append_n(store: &SqlStore, n: usize) -> Vec<AuditRecord> {
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        out.push(store.append_audit(&entry(i)).await.unwrap());
    }
    out
}

/// Drops the triggers that refuse changes, as someone with database rights could.
async fn allow_tampering(store: &SqlStore) {
    let sql = match store.backend() {
        Backend::Sqlite => "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;",
        Backend::Postgres => "ALTER TABLE audit_log DISABLE TRIGGER USER",
    };
    store.execute_raw(sql).await.unwrap();
}

fn broken(seq: i64, reason: AuditBreakReason) -> Result<u64, AuditBreak> {
    Err(AuditBreak { seq, reason })
}

#[tokio::test]
async fn appended_entries_form_a_valid_chain() {
    on_every_backend(|store| async move {
        assert_eq!(store.verify_audit().await.unwrap(), Ok(0));
        let records = append_n(&store, 20).await;
        assert_eq!(store.verify_audit().await.unwrap(), Ok(20));

        assert_eq!(records[0].prev_hash, GENESIS_HASH);
        for (i, r) in records.iter().enumerate() {
            assert_eq!(r.seq, i as i64 + 1);
            assert_eq!(r.hash, r.expected_hash());
            if i > 0 {
                assert_eq!(r.prev_hash, records[i - 1].hash);
            }
            // Stored in UTC to the microsecond, and read back exactly.
            assert_eq!(r.at.offset(), UtcOffset::UTC);
            assert_eq!(r.at.nanosecond() % 1_000, 0);
            assert_eq!(r.at.microsecond(), 123_456);
            assert_eq!(store.audit_entry(r.seq).await.unwrap().as_ref(), Some(r));
        }
        assert_eq!(store.audit_entry(21).await.unwrap(), None);
    })
    .await;
}

#[tokio::test]
async fn timestamps_in_other_offsets_are_stored_in_utc() {
    on_every_backend(|store| async move {
        let mut e = entry(0);
        e.at = datetime!(2025-06-01 11:30:00.5 +02:00);
        let r = store.append_audit(&e).await.unwrap();
        assert_eq!(r.at, datetime!(2025-06-01 09:30:00.5 UTC));
        assert_eq!(r.at.offset(), UtcOffset::UTC);
        assert_eq!(store.audit_entry(1).await.unwrap(), Some(r));
        assert_eq!(store.verify_audit().await.unwrap(), Ok(1));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_appends_never_fork_the_chain() {
    on_every_backend(|store| async move {
        let tasks: Vec<_> = (0..16)
            .map(|t| {
                let store = store.clone();
                tokio::spawn(async move {
                    let mut seqs = Vec::new();
                    for i in 0..3 {
                        let mut e = entry(t * 3 + i);
                        e.actor = format!("task.{t}");
                        seqs.push(store.append_audit(&e).await.unwrap().seq);
                    }
                    seqs
                })
            })
            .collect();
        let mut seqs = Vec::new();
        for task in tasks {
            seqs.extend(task.await.unwrap());
        }
        seqs.sort_unstable();
        assert_eq!(seqs, (1..=48).collect::<Vec<i64>>());
        assert_eq!(store.verify_audit().await.unwrap(), Ok(48));
    })
    .await;
}

#[tokio::test]
async fn the_database_refuses_changes_to_the_trail() {
    on_every_backend(|store| async move {
        append_n(&store, 3).await;
        for sql in [
            "UPDATE audit_log SET actor = 'someone.else' WHERE seq = 2",
            "DELETE FROM audit_log WHERE seq = 2",
        ] {
            let e = store.execute_raw(sql).await.unwrap_err();
            assert!(e.to_string().contains("append-only"), "{sql}: {e}");
        }
        assert_eq!(store.verify_audit().await.unwrap(), Ok(3));
    })
    .await;
}

#[tokio::test]
async fn an_edited_entry_is_found() {
    on_every_backend(|store| async move {
        append_n(&store, 10).await;
        allow_tampering(&store).await;
        let n = store
            .execute_raw("UPDATE audit_log SET actor = 'someone.else' WHERE seq = 5")
            .await
            .unwrap();
        assert_eq!(n, 1);
        assert_eq!(
            store.verify_audit().await.unwrap(),
            broken(5, AuditBreakReason::HashMismatch)
        );
    })
    .await;
}

#[tokio::test]
async fn a_deleted_entry_is_found() {
    on_every_backend(|store| async move {
        append_n(&store, 10).await;
        allow_tampering(&store).await;
        store
            .execute_raw("DELETE FROM audit_log WHERE seq = 5")
            .await
            .unwrap();
        assert_eq!(
            store.verify_audit().await.unwrap(),
            broken(5, AuditBreakReason::OutOfSequence { found: 6 })
        );
    })
    .await;
}

#[tokio::test]
async fn a_deleted_entry_is_found_after_renumbering() {
    on_every_backend(|store| async move {
        append_n(&store, 10).await;
        allow_tampering(&store).await;
        // Renumbered through negative numbers, so no key collides on the way.
        store
            .execute_raw(
                "DELETE FROM audit_log WHERE seq = 5; \
                 UPDATE audit_log SET seq = -seq WHERE seq > 5; \
                 UPDATE audit_log SET seq = -seq - 1 WHERE seq < 0;",
            )
            .await
            .unwrap();
        let seqs: Vec<i64> = store
            .search_audit(&AuditQuery::default(), PageRequest::new(1, 50))
            .await
            .unwrap()
            .items
            .iter()
            .map(|r| r.seq)
            .collect();
        assert_eq!(seqs, (1..=9).rev().collect::<Vec<i64>>());
        assert_eq!(
            store.verify_audit().await.unwrap(),
            broken(5, AuditBreakReason::PrevHashMismatch)
        );
    })
    .await;
}

/// SQL setting the content of entry `seq` to that of `from`.
fn set_content(seq: i64, from: &AuditRecord) -> String {
    format!(
        "UPDATE audit_log SET at = '{}', actor = '{}', action = '{}', object = '{}', \
         result = '{}', origin = '{}' WHERE seq = {seq};",
        from.at.format(&Rfc3339).unwrap(),
        from.actor,
        from.action,
        from.object,
        from.result,
        from.origin
    )
}

#[tokio::test]
async fn swapped_content_is_found() {
    on_every_backend(|store| async move {
        let records = append_n(&store, 10).await;
        allow_tampering(&store).await;
        let (a, b) = (&records[2], &records[6]);
        let sql = format!("{} {}", set_content(a.seq, b), set_content(b.seq, a));
        assert_eq!(store.execute_raw(&sql).await.unwrap(), 2);
        assert_eq!(
            store.verify_audit().await.unwrap(),
            broken(3, AuditBreakReason::HashMismatch)
        );
    })
    .await;
}

#[tokio::test]
async fn swapped_entries_are_found() {
    on_every_backend(|store| async move {
        append_n(&store, 10).await;
        allow_tampering(&store).await;
        // Whole entries, hashes and all, change places.
        store
            .execute_raw(
                "UPDATE audit_log SET seq = -seq WHERE seq IN (3, 7); \
                 UPDATE audit_log SET seq = 7 WHERE seq = -3; \
                 UPDATE audit_log SET seq = 3 WHERE seq = -7;",
            )
            .await
            .unwrap();
        assert_eq!(
            store.verify_audit().await.unwrap(),
            broken(3, AuditBreakReason::PrevHashMismatch)
        );
    })
    .await;
}

#[tokio::test]
async fn an_unreadable_entry_is_found() {
    on_every_backend(|store| async move {
        append_n(&store, 10).await;
        allow_tampering(&store).await;
        store
            .execute_raw("UPDATE audit_log SET result = 'fine' WHERE seq = 4")
            .await
            .unwrap();
        let Err(b) = store.verify_audit().await.unwrap() else {
            panic!("an unreadable entry verified")
        };
        assert_eq!(b.seq, 4);
        assert!(
            matches!(&b.reason, AuditBreakReason::Unreadable { column, .. } if column == "result"),
            "{b:?}"
        );
        // Listing it reports the corruption instead of hiding the entry.
        let e = store
            .search_audit(&AuditQuery::default(), PageRequest::default())
            .await
            .unwrap_err();
        assert!(
            matches!(e, StoreError::Corrupt { table: "audit_log", column: "result", ref key, .. } if key == "4"),
            "{e:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn a_long_trail_is_verified_across_pages() {
    on_every_backend(|store| async move {
        // More than one verification page (10,000 rows), written in one go.
        let n = 10_050;
        let mut values = String::from(
            "INSERT INTO audit_log (seq, at, actor, action, object, result, origin, prev_hash, hash) VALUES ",
        );
        let mut prev = GENESIS_HASH.to_string();
        let mut tampered = String::new();
        for seq in 1..=n {
            let e = entry(seq as usize);
            let at = e.at.replace_nanosecond(0).unwrap();
            let r = AuditRecord {
                seq,
                at,
                actor: e.actor,
                action: e.action,
                object: e.object,
                result: e.result,
                origin: e.origin,
                prev_hash: prev.clone(),
                hash: String::new(),
            };
            let hash = r.expected_hash();
            let row = format!(
                "({seq}, '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{hash}')",
                at.format(&Rfc3339).unwrap(),
                r.actor,
                r.action,
                r.object,
                r.result,
                r.origin,
                r.prev_hash
            );
            if seq == 10_020 {
                tampered = row.replace("case.view", "case.viewed");
            }
            if seq > 1 {
                values.push_str(", ");
            }
            values.push_str(&row);
            prev = hash;
        }
        store.execute_raw(&values).await.unwrap();
        assert_eq!(store.verify_audit().await.unwrap(), Ok(n as u64));
        let next = store.append_audit(&entry(0)).await.unwrap();
        assert_eq!((next.seq, next.prev_hash), (n + 1, prev));
        assert_eq!(store.verify_audit().await.unwrap(), Ok(n as u64 + 1));

        allow_tampering(&store).await;
        store
            .execute_raw(&format!(
                "DELETE FROM audit_log WHERE seq = 10020; INSERT INTO audit_log \
                 (seq, at, actor, action, object, result, origin, prev_hash, hash) VALUES {tampered}"
            ))
            .await
            .unwrap();
        assert_eq!(
            store.verify_audit().await.unwrap(),
            broken(10_020, AuditBreakReason::HashMismatch)
        );
    })
    .await;
}

/// Entries varied in every searchable field over five days, 12 a day, some at
/// the very edges of a UTC day and some given in another offset. Days are UTC.
fn varied(i: usize) -> NewAuditEntry {
    let actors = ["officer.jansen", "officer.de-vries", "admin.bakker"];
    let actions = ["case.view", "case.transition", "account.login"];
    let objects = [
        "case EGY-24C01234",
        "case LBN-25C00077",
        "account officer.jansen",
        "export a_b",
        "export axb",
    ];
    let day = datetime!(2025-06-01 00:00 UTC) + Duration::days((i % 5) as i64);
    let at = match i % 4 {
        0 => day,
        1 => day + Duration::days(1) - Duration::microseconds(1),
        // Late in the UTC day, so already the next day in Amsterdam.
        2 => (day + Duration::hours(22) + Duration::minutes(i as i64))
            .to_offset(UtcOffset::from_hms(2, 0, 0).unwrap()),
        _ => day + Duration::hours(1) + Duration::minutes(i as i64),
    };
    NewAuditEntry {
        at,
        actor: actors[i % actors.len()].into(),
        action: actions[(i / 2) % actions.len()].into(),
        object: objects[(i / 3) % objects.len()].into(),
        result: AuditResult::ALL[(i / 5) % AuditResult::ALL.len()],
        origin: format!("198.51.100.{}", i % 7),
    }
}

/// What a search for `q` must find, newest first.
fn expected(records: &[AuditRecord], q: &AuditQuery) -> Vec<AuditRecord> {
    records
        .iter()
        .rev()
        .filter(|r| {
            let day = r.at.to_offset(UtcOffset::UTC).date();
            q.actor.as_ref().is_none_or(|a| &r.actor == a)
                && q.action.as_ref().is_none_or(|a| &r.action == a)
                && q.object.as_ref().is_none_or(|o| {
                    r.object
                        .to_ascii_lowercase()
                        .contains(&o.to_ascii_lowercase())
                })
                && q.result.is_none_or(|x| r.result == x)
                && q.from.is_none_or(|d| day >= d)
                && q.to.is_none_or(|d| day <= d)
        })
        .cloned()
        .collect()
}

#[tokio::test]
async fn searches_filter_and_page_newest_first() {
    on_every_backend(|store| async move {
        let mut records = Vec::new();
        for i in 0..60 {
            records.push(store.append_audit(&varied(i)).await.unwrap());
        }
        let q = |f: fn(&mut AuditQuery)| {
            let mut q = AuditQuery::default();
            f(&mut q);
            q
        };
        let queries = [
            AuditQuery::default(),
            q(|q| q.actor = Some("officer.jansen".into())),
            q(|q| q.actor = Some("officer".into())), // exact, so nothing
            q(|q| q.action = Some("case.transition".into())),
            q(|q| q.object = Some("egy-24c".into())),
            q(|q| q.object = Some("officer.jansen".into())),
            q(|q| q.object = Some("a_b".into())), // `_` is not a wildcard
            q(|q| q.object = Some("%".into())),
            q(|q| q.result = Some(AuditResult::Denied)),
            q(|q| q.result = Some(AuditResult::NotFound)),
            q(|q| q.from = Some(date!(2025 - 06 - 03))),
            q(|q| q.to = Some(date!(2025 - 06 - 02))),
            q(|q| {
                q.from = Some(date!(2025 - 06 - 02));
                q.to = Some(date!(2025 - 06 - 02));
            }),
            q(|q| {
                q.from = Some(date!(2025 - 06 - 04));
                q.to = Some(date!(2025 - 06 - 02));
            }),
            q(|q| {
                q.actor = Some("admin.bakker".into());
                q.action = Some("case.view".into());
                q.from = Some(date!(2025 - 06 - 02));
                q.to = Some(date!(2025 - 06 - 04));
            }),
        ];
        for query in &queries {
            let all = expected(&records, query);
            let got = store
                .search_audit(query, PageRequest::new(1, 500))
                .await
                .unwrap();
            assert_eq!(got.total, all.len() as i64, "{query:?}");
            assert_eq!(got.items, all, "{query:?}");
            // Pages of 7 give the same entries in the same order.
            let mut paged = Vec::new();
            for page in 1..=all.len().div_ceil(7).max(1) as u32 {
                let p = store
                    .search_audit(query, PageRequest::new(page, 7))
                    .await
                    .unwrap();
                assert_eq!((p.page, p.page_size, p.total), (page, 7, all.len() as i64));
                assert!(p.items.len() <= 7);
                paged.extend(p.items);
            }
            assert_eq!(paged, all, "{query:?}");
        }

        // The oracle above is only as good as these spot checks.
        let count = |q: AuditQuery| {
            let store = store.clone();
            async move {
                store
                    .search_audit(&q, PageRequest::default())
                    .await
                    .unwrap()
                    .total
            }
        };
        assert_eq!(count(AuditQuery::default()).await, 60);
        assert_eq!(count(q(|q| q.actor = Some("officer".into()))).await, 0);
        assert_eq!(count(q(|q| q.object = Some("%".into()))).await, 0);
        assert_eq!(count(q(|q| q.object = Some("a_b".into()))).await, 12);
        assert_eq!(count(q(|q| q.object = Some("EGY-24C".into()))).await, 12);
        assert!(count(q(|q| q.result = Some(AuditResult::Denied))).await > 0);
        // 12 entries per day; midnight and the last microsecond stay in their day.
        let one_day = q(|q| {
            q.from = Some(date!(2025 - 06 - 02));
            q.to = Some(date!(2025 - 06 - 02));
        });
        assert_eq!(count(one_day.clone()).await, 12);
        let newest = store
            .search_audit(&AuditQuery::default(), PageRequest::new(1, 1))
            .await
            .unwrap();
        assert_eq!(newest.items[0].seq, 60);
        let beyond = store
            .search_audit(&AuditQuery::default(), PageRequest::new(7, 10))
            .await
            .unwrap();
        assert!(beyond.items.is_empty());
        assert_eq!(beyond.total, 60);
        // A page that starts too far from the newest entry is refused, not walked to.
        let too_deep = PageRequest::new((PageRequest::MAX_OFFSET / 10) as u32 + 1, 10);
        assert!(matches!(
            store.search_audit(&AuditQuery::default(), too_deep).await,
            Err(StoreError::PageTooDeep(_))
        ));
        assert_eq!(store.verify_audit().await.unwrap(), Ok(60));
    })
    .await;
}

#[tokio::test]
async fn a_batch_appends_in_order_and_continues_the_chain() {
    on_every_backend(|store| async move {
        store.append_audit(&entry(0)).await.unwrap();
        let batch: Vec<NewAuditEntry> = (1..=5).map(entry).collect();
        let records = store.append_audit_batch(&batch).await.unwrap();
        assert_eq!(
            records.iter().map(|r| r.seq).collect::<Vec<_>>(),
            vec![2, 3, 4, 5, 6]
        );
        for pair in records.windows(2) {
            assert_eq!(pair[1].prev_hash, pair[0].hash);
        }
        assert_eq!(records[4].object, batch[4].object);
        assert_eq!(store.verify_audit().await.unwrap(), Ok(6));
        assert_eq!(store.audit_entry(6).await.unwrap().unwrap(), records[4]);
    })
    .await;
}

#[tokio::test]
async fn login_events_are_the_logins_from_a_day_on_oldest_first() {
    on_every_backend(|store| async move {
        let login = |at, actor: &str, result| NewAuditEntry {
            at,
            actor: actor.into(),
            action: "login".into(),
            object: "session".into(),
            result,
            origin: "198.51.100.4".into(),
        };
        let entries = [
            login(
                datetime!(2026-11-30 23:59:59.5 UTC),
                "early",
                AuditResult::Ok,
            ),
            login(
                datetime!(2026-12-01 00:00 UTC),
                "m.jansen",
                AuditResult::Failed,
            ),
            NewAuditEntry {
                action: "logout".into(),
                ..login(datetime!(2026-12-01 08:00 UTC), "m.jansen", AuditResult::Ok)
            },
            login(
                datetime!(2026-12-02 08:00 UTC),
                "m.jansen",
                AuditResult::Denied,
            ),
            login(datetime!(2026-12-02 09:00 UTC), "m.jansen", AuditResult::Ok),
        ];
        store.append_audit_batch(&entries).await.unwrap();
        let events = store.login_events(date!(2026 - 12 - 01)).await.unwrap();
        let seen: Vec<(&str, bool, time::OffsetDateTime)> = events
            .iter()
            .map(|e| (e.account.as_str(), e.ok, e.at))
            .collect();
        assert_eq!(
            seen,
            [
                ("m.jansen", false, datetime!(2026-12-01 00:00 UTC)),
                ("m.jansen", false, datetime!(2026-12-02 08:00 UTC)),
                ("m.jansen", true, datetime!(2026-12-02 09:00 UTC)),
            ]
        );
        assert!(events.iter().all(|e| e.origin == "198.51.100.4"));
    })
    .await;
}

#[tokio::test]
async fn a_search_continues_below_or_above_an_entry_whatever_its_page_number() {
    on_every_backend(|store| async move {
        let all = append_n(&store, 7).await;
        let seq = |page: &[AuditRecord]| page.iter().map(|e| e.seq).collect::<Vec<_>>();
        let officer0 = |before_seq, after_seq| AuditQuery {
            actor: Some("officer.0".into()),
            before_seq,
            after_seq,
            ..Default::default()
        };
        // officer.0 made entries 0, 3 and 6: newest first 6, 3, 0.
        let (s0, s3, s6) = (all[0].seq, all[3].seq, all[6].seq);
        // Below entry 6, from the bound on, however deep its page number
        // (which is only shown).
        let below = store
            .search_audit(&officer0(Some(s6), None), PageRequest::new(20_000, 1))
            .await
            .unwrap();
        assert_eq!(seq(&below.items), [s3]);
        // The count is of the whole search, not of what lies below the bound.
        assert_eq!((below.total, below.total_exact), (3, true));
        // Above entry 0: the nearest first, still newest first.
        let above = store
            .search_audit(&officer0(None, Some(s0)), PageRequest::new(1, 1))
            .await
            .unwrap();
        assert_eq!(seq(&above.items), [s3]);
        let above = store
            .search_audit(&officer0(None, Some(s0)), PageRequest::new(1, 5))
            .await
            .unwrap();
        assert_eq!(seq(&above.items), [s6, s3]);
    })
    .await;
}
