//! The SQL implementation of [`Store`], one body of code for both engines: each
//! method body is expanded once per engine by `on_pool!`, so the same SQL runs
//! through sqlx's native SQLite and PostgreSQL drivers. Placeholders are
//! written `$1`, which both engines accept.

use crate::Store;
use crate::error::StoreError;
use crate::ledger::{Fact, add_to_bucket, bucket_of, current_boundaries};
use crate::query::{COUNT_LIMIT, CaseFilter, CaseSummary, Cursor, Direction, Page, PageRequest};
use crate::rows::{
    CaseWithParts, ConsentRow, MemberRow, SpecialRow, SummaryRow, TransitionRow, special_binding,
};
use async_trait::async_trait;
use resettle_domain::import::ImportProblem;
use resettle_domain::{Case, CaseId, CaseNumber, CaseScope, Consent, NewCase, Transition};
use serde::Serialize;
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::types::Json;
use sqlx::{Database, QueryBuilder, SqlitePool, Transaction};
use std::collections::HashMap;
use std::time::Duration;
use time::{Date, Month};

/// The database engine behind a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, Clone)]
pub(crate) enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// A store on SQLite or PostgreSQL, chosen by the database URL.
#[derive(Debug, Clone)]
pub struct SqlStore {
    pub(crate) pool: Pool,
    pub(crate) keys: Option<crate::crypto::DataKeys>,
    /// Commits transitions and audit entries in groups (see [`crate::group`]).
    pub(crate) writer: crate::group::Writer,
}

/// Runs `$body` with `$pool` bound to the concrete pool of either engine.
macro_rules! on_pool {
    ($self:expr, $pool:ident => $body:expr) => {
        match &$self.pool {
            $crate::sql::Pool::Sqlite($pool) => $body,
            $crate::sql::Pool::Postgres($pool) => $body,
        }
    };
}
pub(crate) use on_pool;

/// Starts a write transaction. SQLite takes its write lock at the start
/// (`BEGIN IMMEDIATE`), so a transaction that reads before it writes waits for
/// other writers instead of failing half-way.
pub(crate) trait BeginWrite {
    type Db: Database;
    async fn begin_write(&self) -> Result<Transaction<'static, Self::Db>, sqlx::Error>;
}

impl BeginWrite for SqlitePool {
    type Db = sqlx::Sqlite;
    async fn begin_write(&self) -> Result<Transaction<'static, sqlx::Sqlite>, sqlx::Error> {
        self.begin_with("BEGIN IMMEDIATE").await
    }
}

impl BeginWrite for PgPool {
    type Db = sqlx::Postgres;
    async fn begin_write(&self) -> Result<Transaction<'static, sqlx::Postgres>, sqlx::Error> {
        self.begin().await
    }
}

/// Serialises writers of the ledger's buckets against a policy change, which
/// rebuilds them. SQLite's write transactions are serial already; PostgreSQL
/// takes an advisory lock: shared for ordinary writes, exclusive to rebuild.
pub(crate) trait LedgerLock {
    async fn lock_ledger(&mut self, exclusive: bool) -> Result<(), sqlx::Error>;
}

impl LedgerLock for sqlx::SqliteConnection {
    async fn lock_ledger(&mut self, _exclusive: bool) -> Result<(), sqlx::Error> {
        Ok(())
    }
}

impl LedgerLock for sqlx::PgConnection {
    async fn lock_ledger(&mut self, exclusive: bool) -> Result<(), sqlx::Error> {
        let sql = if exclusive {
            "SELECT pg_advisory_xact_lock($1)"
        } else {
            "SELECT pg_advisory_xact_lock_shared($1)"
        };
        sqlx::query(sql).bind(LEDGER_LOCK).execute(self).await?;
        Ok(())
    }
}

/// The advisory lock key of the ledger's buckets ("ledger" in ASCII).
const LEDGER_LOCK: i64 = 0x6c65_6467_6572;

/// The columns of a case-list line.
pub(crate) const SUMMARY_SELECT: &str = "SELECT id, case_number, host_country, priority, programme, track, state, \
     submitted_on, selected_on, departed_on, arrived_on, persons, family_reunification_of, version, \
     (SELECT mission_id FROM mission_cases mc WHERE mc.case_id = cases.id) AS mission_id FROM cases";

/// A query builder for the engine of `_pool`.
pub(crate) fn builder<DB: Database>(_pool: &sqlx::Pool<DB>, init: &str) -> QueryBuilder<DB>
where
    <DB as Database>::Arguments: Default,
{
    QueryBuilder::new(init)
}

/// First and last-plus-one day of a year, for range filters that use the index.
fn year_range(year: i32) -> Option<(Date, Date)> {
    Some((
        Date::from_calendar_date(year, Month::January, 1).ok()?,
        Date::from_calendar_date(year + 1, Month::January, 1).ok()?,
    ))
}

/// Appends the WHERE clause of `filter` to a query builder.
macro_rules! push_filter {
    ($q:expr, $f:expr) => {{
        let q = &mut $q;
        let f: &CaseFilter = $f;
        q.push(" WHERE 1 = 1");
        if let Some(v) = f.state {
            q.push(" AND state = ").push_bind(v.as_str());
        }
        if let Some(v) = f.host_country {
            q.push(" AND host_country = ")
                .push_bind(v.as_str().to_string());
        }
        if let Some(v) = f.priority {
            q.push(" AND priority = ").push_bind(v.as_str());
        }
        if let Some(v) = f.programme {
            q.push(" AND programme = ").push_bind(v.as_str());
        }
        if let Some(v) = f.track {
            q.push(" AND track = ").push_bind(v.as_str());
        }
        match &f.scope {
            None | Some(CaseScope::All) => {}
            Some(CaseScope::SubmittedBy(o)) => {
                q.push(" AND LOWER(submitted_by_org) = ")
                    .push_bind(o.to_lowercase());
            }
            Some(CaseScope::Municipality(m)) => {
                q.push(" AND LOWER(housed_municipality) = ")
                    .push_bind(m.to_lowercase());
            }
            Some(CaseScope::GuidedBy(o)) => {
                q.push(" AND LOWER(guidance_organisation) = ")
                    .push_bind(o.to_lowercase());
            }
            Some(CaseScope::Nothing) => {
                q.push(" AND 1 = 0");
            }
        }
        for (column, year) in [("submitted_on", f.year), ("arrived_on", f.arrival_year)] {
            match year.map(year_range) {
                None => {}
                Some(None) => {
                    q.push(" AND 1 = 0");
                }
                Some(Some((from, to))) => {
                    q.push(format_args!(" AND {column} >= ")).push_bind(from);
                    q.push(format_args!(" AND {column} < ")).push_bind(to);
                }
            }
        }
    }};
}

/// Rows per multi-row statement (well under both engines' limits on bound values).
pub(crate) const CHUNK: usize = 500;

/// One bucket of the ledger: the facts of a group of persons, dates bucketed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct BucketKey {
    selected: Date,
    arrived: Date,
    fact: Fact,
}

/// The projection rows of a case: its persons per nationality.
fn facts_of(c: &Case) -> Vec<Fact> {
    let s = &c.submission;
    let mut by_nationality = std::collections::BTreeMap::<&str, i64>::new();
    for m in &s.members {
        *by_nationality.entry(m.nationality.code()).or_default() += 1;
    }
    by_nationality
        .into_iter()
        .map(|(nationality, persons)| Fact {
            programme: s.programme.as_str().to_string(),
            family_reunification: s.family_reunification_of.is_some(),
            selected_on: c.selected_on,
            arrived_on: c.arrived_on,
            host_country: s.host_country.as_str().to_string(),
            nationality: nationality.to_string(),
            primary_category: s.primary_category.as_str().to_string(),
            priority: s.priority.as_str().to_string(),
            track: s.track.as_str().to_string(),
            persons,
        })
        .collect()
}

/// Inserts the special-category items (encrypted) and consents of a new case.
macro_rules! insert_special_and_consents {
    ($tx:expr, $id:expr, $case:expr, $keys:expr) => {{
        let c: &Case = $case;
        for (seq, item) in c.special.iter().enumerate() {
            let seq = seq as i64;
            let keys = $keys.ok_or(StoreError::Key(crate::crypto::KeyError::NoKey))?;
            let member = item.member.map(|m| m as i64);
            let ciphertext = keys.encrypt(
                &item.value,
                &special_binding($id, seq, item.category.as_str(), member),
            )?;
            sqlx::query(
                "INSERT INTO sensitive_data (case_id, seq, member_position, category, ciphertext) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind($id)
            .bind(seq)
            .bind(member)
            .bind(item.category.as_str())
            .bind(ciphertext)
            .execute(&mut *$tx)
            .await?;
        }
        for (seq, consent) in c.consents.iter().enumerate() {
            insert_consent!($tx, $id, seq as i64, consent);
        }
    }};
}

/// Inserts one consent record inside transaction `$tx`.
macro_rules! insert_consent {
    ($tx:expr, $id:expr, $seq:expr, $consent:expr) => {{
        let consent: &Consent = $consent;
        sqlx::query(
            "INSERT INTO consents (case_id, seq, recipient, given_on, override_reason, recorded_by) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind($id)
        .bind($seq)
        .bind(consent.recipient.as_deref())
        .bind(consent.given_on)
        .bind(consent.override_reason.as_deref())
        .bind(consent.recorded_by.as_str())
        .execute(&mut *$tx)
        .await?;
    }};
}

/// Inserts history entries, `(case id, seq, transition)`, inside transaction
/// `$tx`, many to a statement.
macro_rules! insert_transitions {
    ($tx:expr, $rows:expr) => {{
        let rows: &[(uuid::Uuid, i64, &Transition)] = $rows;
        for part in rows.chunks(crate::sql::CHUNK) {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO case_transitions (case_id, seq, from_state, to_state, action, occurred_on, \
                 recorded_at, actor, reason, previous_version) ",
            );
            q.push_values(part, |mut b, (case_id, seq, t)| {
                b.push_bind(*case_id)
                    .push_bind(*seq)
                    .push_bind(t.from.map(|s| s.as_str()))
                    .push_bind(t.to.as_str())
                    .push_bind(Json(&t.action))
                    .push_bind(t.occurred_on)
                    .push_bind(t.recorded_at)
                    .push_bind(t.actor.as_str())
                    .push_bind(t.reason.as_deref())
                    .push_bind(t.previous_version);
            });
            q.build().execute(&mut *$tx).await?;
        }
    }};
}
pub(crate) use insert_transitions;

/// Writes new cases with their members, histories, special-category items,
/// consents and counted facts inside transaction `$tx` (the ledger locked and
/// its `$boundaries` read), many rows to a statement: an import, or a
/// family-reunification arrival with its application.
macro_rules! write_new_cases {
    ($pool:expr, $tx:expr, $cases:expr, $keys:expr, $boundaries:expr, $progress:expr) => {{
        // Written in chunks of multi-row statements: an import of many cases is
        // a few thousand statements, not several per case.
        let mut buckets: std::collections::BTreeMap<BucketKey, i64> = std::collections::BTreeMap::new();
        let mut done = 0;
        for chunk in $cases.chunks(CHUNK) {
            let mut q = builder(
                $pool,
                "INSERT INTO cases (id, case_number, unhcr_reference, host_country, priority, \
                 primary_category, secondary_category, programme, track, family_reunification_of, \
                 linked_cases, submitted_on, state, version, last_event_on, selected_on, departed_on, \
                 arrived_on, permit, housing, guidance, closed_on, persons, submitted_by_org, \
                 housed_municipality, guidance_organisation, assigned_municipality) ",
            );
            q.push_values(chunk, |mut b, new| {
                let c = &new.case;
                let s = &c.submission;
                let linked: Vec<&str> = s.linked_cases.iter().map(CaseNumber::as_str).collect();
                b.push_bind(c.id.as_uuid())
                    .push_bind(s.case_number.as_str())
                    .push_bind(s.unhcr_reference.as_str())
                    .push_bind(s.host_country.as_str().to_string())
                    .push_bind(s.priority.as_str())
                    .push_bind(s.primary_category.as_str())
                    .push_bind(s.secondary_category.map(|v| v.as_str()))
                    .push_bind(s.programme.as_str())
                    .push_bind(s.track.as_str())
                    .push_bind(s.family_reunification_of.as_ref().map(|n| n.as_str().to_string()))
                    .push_bind(Json(linked))
                    .push_bind(s.submitted_on)
                    .push_bind(c.state.as_str())
                    .push_bind(c.version)
                    .push_bind(c.last_event_on)
                    .push_bind(c.selected_on)
                    .push_bind(c.departed_on)
                    .push_bind(c.arrived_on)
                    .push_bind(c.permit.as_ref().map(Json))
                    .push_bind(c.housing.as_ref().map(Json))
                    .push_bind(c.guidance.as_ref().map(Json))
                    .push_bind(c.closed_on)
                    .push_bind(c.persons() as i64)
                    .push_bind(c.submitted_by.as_deref())
                    .push_bind(c.municipality())
                    .push_bind(c.guidance_organisation())
                    .push_bind(c.assigned_municipality.as_deref());
            });
            q.build().execute(&mut *$tx).await?;
            for new in chunk {
                let id = new.case.id.as_uuid();
                insert_special_and_consents!($tx, id, &new.case, $keys);
            }
            let members: Vec<(uuid::Uuid, i64, &resettle_domain::Member)> = chunk
                .iter()
                .flat_map(|n| n.case.submission.members.iter().enumerate().map(move |(i, m)| (n.case.id.as_uuid(), i as i64, m)))
                .collect();
            for part in members.chunks(CHUNK) {
                let mut q = builder(
                    $pool,
                    "INSERT INTO members (id, case_id, position, given_name, family_name, date_of_birth, sex, \
                     nationality, relationship, documents) ",
                );
                q.push_values(part, |mut b, (case_id, position, m)| {
                    b.push_bind(m.id.as_uuid())
                        .push_bind(*case_id)
                        .push_bind(*position)
                        .push_bind(m.given_name.as_str())
                        .push_bind(m.family_name.as_str())
                        .push_bind(m.date_of_birth.date())
                        .push_bind(m.sex.as_str())
                        .push_bind(m.nationality.code().to_string())
                        .push_bind(m.relationship.as_str())
                        .push_bind(Json(&m.documents));
                });
                q.build().execute(&mut *$tx).await?;
            }
            let history: Vec<(uuid::Uuid, i64, &Transition)> = chunk
                .iter()
                .flat_map(|n| n.history.iter().enumerate().map(move |(i, t)| (n.case.id.as_uuid(), i as i64 + 1, t)))
                .collect();
            insert_transitions!($tx, &history);
            let facts: Vec<(uuid::Uuid, Fact)> = chunk
                .iter()
                .flat_map(|n| facts_of(&n.case).into_iter().map(move |f| (n.case.id.as_uuid(), f)))
                .collect();
            for part in facts.chunks(CHUNK) {
                let mut q = builder(
                    $pool,
                    "INSERT INTO ledger_facts (case_id, nationality, programme, family_reunification, selected_on, \
                     arrived_on, host_country, primary_category, priority, track, persons) ",
                );
                q.push_values(part, |mut b, (case_id, f)| {
                    b.push_bind(*case_id)
                        .push_bind(f.nationality.as_str())
                        .push_bind(f.programme.as_str())
                        .push_bind(f.family_reunification)
                        .push_bind(f.selected_on)
                        .push_bind(f.arrived_on)
                        .push_bind(f.host_country.as_str())
                        .push_bind(f.primary_category.as_str())
                        .push_bind(f.priority.as_str())
                        .push_bind(f.track.as_str())
                        .push_bind(f.persons);
                });
                q.build().execute(&mut *$tx).await?;
            }
            for (_, f) in facts.into_iter().filter(|(_, f)| f.counted()) {
                let (sel, arr) = (bucket_of(f.selected_on, &$boundaries), bucket_of(f.arrived_on, &$boundaries));
                let persons = f.persons;
                let key = BucketKey { selected: sel, arrived: arr, fact: Fact { selected_on: None, arrived_on: None, persons: 0, ..f } };
                *buckets.entry(key).or_default() += persons;
            }
            done += chunk.len();
            $progress(done);
        }
        for (key, persons) in &buckets {
            add_to_bucket!($tx, &key.fact, key.selected, key.arrived, *persons);
        }
    }};
}

/// Asks SQLite for query plans that do not depend on the values bound to a
/// statement (its query planner stability guarantee). Once ANALYZE has run,
/// SQLite (built with STAT4 statistics) would otherwise recompile a cached
/// statement each time a parameter compared with an indexed column is bound
/// anew, that is on nearly every use.
async fn stable_plans(conn: &mut sqlx::SqliteConnection) -> Result<(), sqlx::Error> {
    use libsqlite3_sys::{SQLITE_DBCONFIG_ENABLE_QPSG, SQLITE_OK, sqlite3_db_config};
    let mut handle = conn.lock_handle().await?;
    let db = handle.as_raw_handle().as_ptr();
    // SAFETY: `db` is this connection's open handle, held locked for the call;
    // ENABLE_QPSG takes an int (1: on) and an optional int pointer (none here).
    let rc = unsafe {
        sqlite3_db_config(
            db,
            SQLITE_DBCONFIG_ENABLE_QPSG,
            1 as std::ffi::c_int,
            std::ptr::null_mut::<std::ffi::c_int>(),
        )
    };
    if rc == SQLITE_OK {
        Ok(())
    } else {
        Err(sqlx::Error::Configuration(
            format!("SQLite refused stable query plans (error {rc})").into(),
        ))
    }
}

/// SQLite pools never ping before use: a connection to a local file cannot go
/// stale, and the ping is a round trip to the connection's worker thread for
/// every statement run on the pool. Every connection gets stable plans.
fn sqlite_pool_options() -> SqlitePoolOptions {
    SqlitePoolOptions::new()
        .test_before_acquire(false)
        .after_connect(|conn, _| Box::pin(stable_plans(conn)))
}

/// PostgreSQL pools ping a connection before use only when it has been idle
/// for a while (the server may have closed it meanwhile), not before every
/// statement: that ping is a round trip to the server per statement.
fn pg_pool_options() -> PgPoolOptions {
    PgPoolOptions::new()
        .acquire_timeout(Duration::from_secs(10))
        .test_before_acquire(false)
        .before_acquire(|conn, meta| {
            Box::pin(async move {
                if meta.idle_for > Duration::from_secs(30) {
                    sqlx::Connection::ping(conn).await?;
                }
                Ok(true)
            })
        })
}

impl SqlStore {
    /// A relative's arrival: numbers the family-reunification case the
    /// relative becomes (inside the transaction, so two arrivals never take
    /// one number), writes it with its counted facts, and saves the
    /// application with the number, the event and the audit entry, all or
    /// nothing.
    pub(crate) async fn write_arrival(
        &self,
        application: &resettle_domain::reunification::Application,
        expected: i64,
        event: &resettle_domain::reunification::ApplicationEvent,
        relative: usize,
        build: &(
             dyn Fn(
            CaseNumber,
        ) -> Result<NewCase, resettle_domain::reunification::ReunificationError>
                 + Send
                 + Sync
         ),
        audit: &crate::NewAuditEntry,
    ) -> Result<NewCase, StoreError> {
        use crate::audit::{AuditLock, append_in_tx};
        use resettle_domain::reunification::arrival_case_number;
        let arrived = application
            .relatives
            .get(relative)
            .and_then(|r| r.arrived_on)
            .ok_or_else(|| StoreError::Invalid {
                field: "relative".into(),
                message: format!("relative {relative} of the application has not arrived"),
            })?;
        let prefix = application
            .sponsor_case_number
            .as_str()
            .get(..3)
            .unwrap_or("XXX")
            .to_string();
        let year = arrived.year();
        let pattern = format!("{prefix}-{:02}C9%", year.rem_euclid(100));
        let keys: Option<&crate::crypto::DataKeys> = None;
        let new = on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            tx.lock_ledger(false).await?;
            let boundaries = current_boundaries!(tx);
            let taken: Vec<String> = sqlx::query_scalar(
                "SELECT case_number FROM cases WHERE case_number LIKE $1",
            )
            .bind(&pattern)
            .fetch_all(&mut *tx)
            .await?;
            let n = taken
                .iter()
                .filter_map(|c| c.get(7..).filter(|d| d.len() == 6)?.parse::<u32>().ok())
                .filter_map(|d| d.checked_sub(900_000))
                .max()
                .map_or(0, |m| m + 1);
            let number = arrival_case_number(&prefix, year, n).ok_or_else(|| StoreError::Invalid {
                field: "relative".into(),
                message: format!("no family-reunification case number is left for {prefix} in {year}"),
            })?;
            let new = build(number.clone()).map_err(crate::reunification::refused)?;
            let mut saved = application.clone();
            if let Some(r) = saved.relatives.get_mut(relative) {
                r.arrival_case = Some(number);
            }
            let cases = std::slice::from_ref(&new);
            write_new_cases!(pool, tx, cases, keys, boundaries, |_| {});
            crate::reunification::update_application!(tx, &saved, expected, event, audit.at);
            tx.lock_audit().await?;
            append_in_tx!(tx, std::slice::from_ref(audit));
            tx.commit().await?;
            new
        });
        Ok(new)
    }

    /// Opens (and creates, for SQLite) the database named by `url` and brings
    /// its schema up to date. `url` is `postgres://…`, or a SQLite file as
    /// `sqlite:path`, `sqlite://path` or a plain path.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let (pool, writer) = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let pool = pg_pool_options().max_connections(16).connect(url).await?;
            sqlx::migrate!("./migrations/postgres").run(&pool).await?;
            // The group-commit writer has a connection of its own, so it never
            // queues behind readers for one.
            let writer = pg_pool_options().max_connections(1).connect(url).await?;
            (Pool::Postgres(pool), Pool::Postgres(writer))
        } else {
            let path = url
                .strip_prefix("sqlite://")
                .or_else(|| url.strip_prefix("sqlite:"))
                .unwrap_or(url);
            // An in-memory database would be a different one per pooled connection.
            if path.is_empty() || path.contains("://") || path.contains(":memory:") {
                return Err(StoreError::BadUrl(url.to_string()));
            }
            // Private from the start: the file holds personal data.
            crate::files::create_private(std::path::Path::new(path))
                .map_err(|e| StoreError::Database(sqlx::Error::Io(e)))?;
            crate::files::warn_if_open(std::path::Path::new(path));
            // FULL: a commit is on disk before it is acknowledged, so a power
            // loss or an operating-system crash cannot take back a decision
            // already reported as stored (with NORMAL, WAL mode may lose the
            // last commits then). PostgreSQL's default commit is as durable;
            // the group commit spreads the cost over a batch.
            let options = SqliteConnectOptions::new()
                .filename(path)
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                // For a new database file (an existing one keeps its own):
                // half as many B-tree pages to split and write on a large
                // import, +8% import speed, the load test unchanged
                // (bench/RESULTS.md, session 19).
                .page_size(8192)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(30));
            let pool = sqlite_pool_options()
                .max_connections(8)
                .connect_with(options.clone())
                .await?;
            sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
            let writer = sqlite_pool_options()
                .max_connections(1)
                .connect_with(options)
                .await?;
            (Pool::Sqlite(pool), Pool::Sqlite(writer))
        };
        let store = Self {
            pool,
            keys: None,
            writer: crate::group::Writer::start(writer),
        };
        store.ensure_ledger().await?;
        Ok(store)
    }

    /// Writes a consistent copy of a SQLite database to `path` while it is in
    /// use (`VACUUM INTO`). PostgreSQL is backed up with its own tools
    /// (pg_dump; see docs/operations.md).
    pub async fn backup_to(&self, path: &std::path::Path) -> Result<(), StoreError> {
        match &self.pool {
            Pool::Sqlite(pool) => {
                if path.exists() {
                    return Err(StoreError::Backup(format!("{} exists already; choose a new file", path.display())));
                }
                // Made private and empty first: VACUUM INTO fills an empty file
                // and keeps its mode (it would create a new one readable by all).
                crate::files::create_private(path)
                    .map_err(|e| StoreError::Backup(format!("cannot create {}: {e}", path.display())))?;
                sqlx::query("VACUUM INTO $1").bind(path.display().to_string()).execute(pool).await?;
                Ok(())
            }
            Pool::Postgres(_) => Err(StoreError::Backup(
                "back up PostgreSQL with pg_dump -Fc (see docs/operations.md); resettle backs up SQLite files".into(),
            )),
        }
    }

    /// Builds the ledger's buckets when a policy exists but they are empty
    /// (a database from before the buckets existed).
    async fn ensure_ledger(&self) -> Result<(), StoreError> {
        let sqlite = matches!(self.pool, Pool::Sqlite(_));
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let buckets: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ledger_buckets").fetch_one(&mut *tx).await?;
            let facts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ledger_facts").fetch_one(&mut *tx).await?;
            if buckets == 0 && facts > 0 {
                tx.lock_ledger(true).await?;
                let boundaries = current_boundaries!(tx);
                sqlx::query(sqlx::AssertSqlSafe(crate::ledger::rebuild_sql(sqlite, &boundaries))).execute(&mut *tx).await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// Sets the keys that encrypt special-category data.
    pub fn with_data_keys(mut self, keys: crate::crypto::DataKeys) -> Self {
        self.keys = Some(keys);
        self
    }

    pub(crate) fn keys(&self) -> Result<&crate::crypto::DataKeys, StoreError> {
        self.keys
            .as_ref()
            .ok_or(StoreError::Key(crate::crypto::KeyError::NoKey))
    }

    /// Connections of the reading pool: (open, idle), for the metrics.
    pub fn pool_use(&self) -> (u32, usize) {
        on_pool!(self, pool => (pool.size(), pool.num_idle()))
    }

    /// Jobs waiting for the group writer, for the metrics.
    pub fn writer_queue(&self) -> usize {
        self.writer.waiting()
    }

    /// Closes every connection (for a clean shutdown or before copying the file).
    pub async fn close(&self) {
        self.writer.close().await;
        on_pool!(self, pool => pool.close().await)
    }
}

#[async_trait]
impl Store for SqlStore {
    fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    async fn ping(&self) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            sqlx::query("SELECT 1").execute(pool).await?;
        });
        Ok(())
    }

    async fn ready(&self) -> Result<(), StoreError> {
        self.ping().await?;
        // An empty job: the writer's queue moves and its connection commits.
        self.writer.audit(&[]).await.map(|_| ())
    }

    async fn import_cases(
        &self,
        cases: &[NewCase],
        progress: &(dyn Fn(usize) + Send + Sync),
    ) -> Result<(), StoreError> {
        let keys = if cases.iter().any(|c| !c.case.special.is_empty()) {
            Some(self.keys()?)
        } else {
            None
        };
        let in_batch: HashMap<&str, &Case> = cases
            .iter()
            .map(|c| (c.case.submission.case_number.as_str(), &c.case))
            .collect();
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            tx.lock_ledger(false).await?;
            let boundaries = current_boundaries!(tx);
            // Which case numbers exist already, asked in chunks rather than one by one.
            let mut existing = std::collections::HashSet::<String>::new();
            let numbers: Vec<&str> = cases.iter().map(|c| c.case.submission.case_number.as_str()).collect();
            for part in numbers.chunks(CHUNK) {
                let mut q = builder(pool, "SELECT case_number FROM cases WHERE case_number IN (");
                let mut list = q.separated(", ");
                for n in part {
                    list.push_bind(*n);
                }
                list.push_unseparated(")");
                let found: Vec<String> = q.build_query_scalar().fetch_all(&mut *tx).await?;
                existing.extend(found);
            }
            let mut problems = Vec::new();
            let mut sponsors = Vec::new();
            for (index, new) in cases.iter().enumerate() {
                let s = &new.case.submission;
                let problem = |field: &str, message: String| ImportProblem {
                    record: Some(index),
                    case_number: Some(s.case_number.to_string()),
                    field: field.into(),
                    message,
                };
                if existing.contains(s.case_number.as_str()) {
                    problems.push(problem("caseNumber", format!("case {} exists already", s.case_number)));
                }
                let Some(of) = &s.family_reunification_of else { continue };
                let target: Option<(uuid::Uuid, Option<String>, Option<Date>)> = match in_batch.get(of.as_str()) {
                    Some(c) => Some((c.id.as_uuid(), c.submission.family_reunification_of.as_ref().map(|n| n.to_string()), c.arrived_on)),
                    None => sqlx::query_as("SELECT id, family_reunification_of, arrived_on FROM cases WHERE case_number = $1")
                        .bind(of.as_str())
                        .fetch_optional(&mut *tx)
                        .await?,
                };
                let message = match target {
                    None => Some(format!("case {of} is neither in this file nor in the system")),
                    Some((_, Some(_), _)) => Some(format!("case {of} is itself family reunification; link to the resettled case")),
                    Some((_, None, None)) => Some(format!("case {of} has not arrived, so nobody can join it yet")),
                    Some((id, None, Some(arrived_on))) => {
                        sponsors.push((index, resettle_domain::reunification::Sponsor {
                            id: CaseId::from_uuid(id),
                            case_number: of.clone(),
                            arrived_on,
                        }));
                        None
                    }
                };
                if let Some(m) = message {
                    problems.push(problem("familyReunificationOf", m));
                }
            }
            if !problems.is_empty() {
                return Err(StoreError::ImportRejected(problems));
            }
            write_new_cases!(pool, tx, cases, keys, boundaries, progress);
            // A legacy family-reunification case comes with the application
            // it stands for, so the relatives' process can be read and worked
            // like any other (see `Application::from_case`).
            for (index, sponsor) in &sponsors {
                let Some(new) = cases.get(*index) else { continue };
                let a = resettle_domain::reunification::Application::from_case(
                    resettle_domain::reunification::ApplicationId::generate(),
                    &new.case,
                    sponsor,
                );
                let first = new.history.first();
                let actor = first.map_or("import", |t| t.actor.as_str());
                let at = first.map_or_else(time::OffsetDateTime::now_utc, |t| t.recorded_at);
                let event = a.imported_event(&new.case, actor);
                crate::reunification::insert_application!(tx, &a, std::slice::from_ref(&event), actor, at);
            }
            tx.commit().await?;
        });
        Ok(())
    }

    async fn case(&self, id: CaseId) -> Result<Option<Case>, StoreError> {
        // One connection for all statements; the case's row says whether it
        // has special-category data or consents at all, so a case without
        // them costs two statements instead of four.
        on_pool!(self, pool => {
            let mut conn = pool.acquire().await?;
            let row: Option<CaseWithParts> = sqlx::query_as(
                "SELECT c.*, \
                 EXISTS (SELECT 1 FROM sensitive_data s WHERE s.case_id = c.id) AS has_special, \
                 EXISTS (SELECT 1 FROM consents k WHERE k.case_id = c.id) AS has_consents \
                 FROM cases c WHERE c.id = $1",
            )
            .bind(id.as_uuid())
            .fetch_optional(&mut *conn)
            .await?;
            let Some(CaseWithParts { case: row, has_special, has_consents }) = row else { return Ok(None) };
            let members: Vec<MemberRow> =
                sqlx::query_as("SELECT * FROM members WHERE case_id = $1 ORDER BY position")
                    .bind(id.as_uuid())
                    .fetch_all(&mut *conn)
                    .await?;
            let members = members.into_iter().map(MemberRow::into_member).collect::<Result<_, _>>()?;
            let special = if has_special {
                let rows: Vec<SpecialRow> =
                    sqlx::query_as("SELECT * FROM sensitive_data WHERE case_id = $1 ORDER BY seq")
                        .bind(id.as_uuid())
                        .fetch_all(&mut *conn)
                        .await?;
                let keys = self.keys()?;
                rows.into_iter().map(|s| s.into_item(id.as_uuid(), keys)).collect::<Result<_, _>>()?
            } else {
                Vec::new()
            };
            let consents = if has_consents {
                let rows: Vec<ConsentRow> =
                    sqlx::query_as("SELECT * FROM consents WHERE case_id = $1 ORDER BY seq")
                        .bind(id.as_uuid())
                        .fetch_all(&mut *conn)
                        .await?;
                rows.into_iter().map(ConsentRow::into_consent).collect()
            } else {
                Vec::new()
            };
            row.into_case(members, special, consents).map(Some)
        })
    }

    async fn case_by_number(&self, number: &CaseNumber) -> Result<Option<Case>, StoreError> {
        let id: Option<uuid::Uuid> = on_pool!(self, pool => {
            sqlx::query_scalar("SELECT id FROM cases WHERE case_number = $1")
                .bind(number.as_str())
                .fetch_optional(pool)
                .await?
        });
        match id {
            Some(id) => self.case(CaseId::from_uuid(id)).await,
            None => Ok(None),
        }
    }

    async fn history(&self, id: CaseId) -> Result<Vec<Transition>, StoreError> {
        on_pool!(self, pool => {
            let rows: Vec<TransitionRow> =
                sqlx::query_as("SELECT * FROM case_transitions WHERE case_id = $1 ORDER BY seq")
                    .bind(id.as_uuid())
                    .fetch_all(pool)
                    .await?;
            rows.into_iter().map(TransitionRow::into_transition).collect()
        })
    }

    async fn list_cases(
        &self,
        filter: &CaseFilter,
        page: PageRequest,
    ) -> Result<Page<CaseSummary>, StoreError> {
        page.within_reach()?;
        let size = i64::from(page.page_size);
        on_pool!(self, pool => {
            let mut count = builder(pool, "SELECT COUNT(*) FROM (SELECT 1 FROM cases");
            push_filter!(count, filter);
            count.push(" LIMIT ").push_bind(COUNT_LIMIT + 1).push(") AS capped");
            let total: i64 = count.build_query_scalar().fetch_one(pool).await?;
            let mut q = builder(pool, SUMMARY_SELECT);
            push_filter!(q, filter);
            // One row more than the page shows tells whether another page follows.
            // The keyset conditions are written so that the list-order indexes
            // serve them as a range on `submitted_on`.
            let backwards = match &page.cursor {
                None => {
                    q.push(" ORDER BY submitted_on DESC, case_number LIMIT ")
                        .push_bind(size + 1)
                        .push(" OFFSET ")
                        .push_bind(page.offset());
                    false
                }
                Some(c) if c.direction == Direction::After => {
                    q.push(" AND submitted_on <= ").push_bind(c.submitted_on)
                        .push(" AND NOT (submitted_on = ").push_bind(c.submitted_on)
                        .push(" AND case_number <= ").push_bind(c.case_number.as_str())
                        .push(") ORDER BY submitted_on DESC, case_number LIMIT ").push_bind(size + 1);
                    false
                }
                Some(c) => {
                    q.push(" AND submitted_on >= ").push_bind(c.submitted_on)
                        .push(" AND NOT (submitted_on = ").push_bind(c.submitted_on)
                        .push(" AND case_number >= ").push_bind(c.case_number.as_str())
                        .push(") ORDER BY submitted_on ASC, case_number DESC LIMIT ").push_bind(size + 1);
                    true
                }
            };
            let rows: Vec<SummaryRow> = q.build_query_as().fetch_all(pool).await?;
            let mut items: Vec<CaseSummary> = rows.into_iter().map(SummaryRow::into_summary).collect::<Result<_, _>>()?;
            let more = items.len() as i64 > size;
            items.truncate(page.page_size as usize);
            if backwards {
                items.reverse();
            }
            let (has_next, has_previous) = match (&page.cursor, backwards) {
                (None, _) => (more, page.offset() > 0),
                (Some(_), false) => (more, true),
                (Some(_), true) => (true, more),
            };
            let mut out = Page::counted(items, &page, total);
            out.next = out.items.last().filter(|_| has_next).map(Cursor::after);
            out.previous = out.items.first().filter(|_| has_previous).map(Cursor::before);
            Ok(out)
        })
    }

    async fn record_transition(
        &self,
        case: &Case,
        transition: &Transition,
        audit: Option<&crate::NewAuditEntry>,
    ) -> Result<(), StoreError> {
        self.writer.transition(case, transition, audit).await
    }

    async fn add_consent(&self, case: CaseId, consent: &Consent) -> Result<(), StoreError> {
        let id = case.as_uuid();
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            // Locks the case's row, so concurrent consents number one after the other.
            let exists: Option<i64> = sqlx::query_scalar("UPDATE cases SET version = version WHERE id = $1 RETURNING version")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
            if exists.is_none() {
                return Err(StoreError::NotFound(case));
            }
            // Consents count from 0 (the import numbers them by position).
            let seq: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(seq) + 1, 0) FROM consents WHERE case_id = $1")
                .bind(id)
                .fetch_one(&mut *tx)
                .await?;
            insert_consent!(tx, id, seq, consent);
            tx.commit().await?;
        });
        Ok(())
    }

    async fn rotate_data_keys(&self) -> Result<crate::keys::Rotation, StoreError> {
        self.rotate().await
    }

    async fn retention_candidates(&self, closed_before: Date) -> Result<Vec<CaseId>, StoreError> {
        let ids: Vec<uuid::Uuid> = on_pool!(self, pool => {
            sqlx::query_scalar(
                "SELECT id FROM cases WHERE state = 'closed' AND closed_on < $1 AND pseudonymised_at IS NULL \
                 ORDER BY closed_on",
            )
            .bind(closed_before)
            .fetch_all(pool)
            .await?
        });
        Ok(ids.into_iter().map(CaseId::from_uuid).collect())
    }

    async fn store_pseudonymised(
        &self,
        case: &Case,
        at: time::OffsetDateTime,
    ) -> Result<(), StoreError> {
        let id = case.id.as_uuid();
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            sqlx::query("UPDATE cases SET unhcr_reference = $1, pseudonymised_at = $2 WHERE id = $3")
                .bind(case.submission.unhcr_reference.as_str())
                .bind(at)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            for m in &case.submission.members {
                sqlx::query(
                    "UPDATE members SET given_name = $1, family_name = $2, date_of_birth = $3, documents = $4 \
                     WHERE id = $5 AND case_id = $6",
                )
                .bind(m.given_name.as_str())
                .bind(m.family_name.as_str())
                .bind(m.date_of_birth.date())
                .bind(Json(&m.documents))
                .bind(m.id.as_uuid())
                .bind(id)
                .execute(&mut *tx)
                .await?;
            }
            sqlx::query("DELETE FROM sensitive_data WHERE case_id = $1").bind(id).execute(&mut *tx).await?;
            // The relatives left behind are named: nothing of them stays.
            sqlx::query("DELETE FROM relatives_left_behind WHERE case_id = $1").bind(id).execute(&mut *tx).await?;
            sqlx::query("UPDATE case_transitions SET reason = NULL WHERE case_id = $1").bind(id).execute(&mut *tx).await?;
            tx.commit().await?;
        });
        Ok(())
    }

    async fn cases_in_pipeline(&self, filter: &CaseFilter) -> Result<Vec<CaseSummary>, StoreError> {
        on_pool!(self, pool => {
            let mut q = builder(pool, SUMMARY_SELECT);
            push_filter!(q, filter);
            q.push(" AND state IN ('submitted', 'under-assessment', 'accepted', 'pre-departure', 'departed')");
            q.push(" ORDER BY submitted_on, case_number");
            let rows: Vec<SummaryRow> = q.build_query_as().fetch_all(pool).await?;
            rows.into_iter().map(SummaryRow::into_summary).collect()
        })
    }

    async fn count_cases(&self) -> Result<i64, StoreError> {
        on_pool!(self, pool => {
            Ok(sqlx::query_scalar("SELECT COUNT(*) FROM cases").fetch_one(pool).await?)
        })
    }
}
