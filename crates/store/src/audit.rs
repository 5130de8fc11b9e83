//! The audit trail in the database: an append-only, hash-chained table
//! (`audit_log`), written one entry at a time under a lock so the chain never
//! forks, searched newest first, and verified end to end in pages.
//!
//! Entries hold actions and object identifiers only: never secrets (passwords,
//! tokens, keys) and never personal or special-category values. See
//! [`resettle_domain::audit`] for the chain itself.

use crate::error::StoreError;
use crate::query::{COUNT_LIMIT, Page, PageRequest};
use crate::sql::{BeginWrite, SqlStore, builder, on_pool};
use async_trait::async_trait;
use resettle_domain::audit::{
    AuditBreak, AuditBreakReason, AuditRecord, AuditResult, ChainVerifier, MAX_LABEL_CHARS,
    MAX_OBJECT_CHARS, audit_text,
};
use resettle_domain::login_watch::LoginEvent;
use sqlx::postgres::PgPool;
use sqlx::{AssertSqlSafe, SqlitePool};
use time::{Date, Duration, OffsetDateTime, UtcOffset};

/// Rows read per round trip when verifying the whole trail.
const VERIFY_PAGE: i64 = 10_000;

/// The PostgreSQL advisory lock that serialises appends ("resettle" in ASCII).
const AUDIT_APPEND_LOCK: i64 = 0x7265_7365_7474_6c65;

/// Something to record in the audit trail. `seq` and the hashes are assigned
/// when it is appended.
///
/// Only actions and object identifiers belong here: never a password, token,
/// session id or key, and never a personal or special-category value (a name,
/// a religion, a diagnosis). Write `case 7f3c…`, not what the case contains.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAuditEntry {
    /// When it happened. Stored in UTC to the microsecond (PostgreSQL's
    /// precision), so finer digits are dropped before the entry is hashed.
    pub at: OffsetDateTime,
    /// The personal account that acted, or `system`.
    pub actor: String,
    /// What was done, e.g. `case.transition`, `account.login`.
    pub action: String,
    /// The identifier of what it was done to, e.g. `case 7f3c…`.
    pub object: String,
    pub result: AuditResult,
    /// Where the request came from: client address, `cli` …
    pub origin: String,
}

impl NewAuditEntry {
    /// The entry as it is stored: every text [made safe](audit_text) and
    /// bounded, so that no value, whoever chose it, can make the database
    /// refuse the insert (and with it the batch it is written in) or grow
    /// the trail by more than a few hundred bytes.
    pub fn bounded(&self) -> NewAuditEntry {
        NewAuditEntry {
            at: self.at,
            actor: audit_text(&self.actor, MAX_LABEL_CHARS).into_owned(),
            action: audit_text(&self.action, MAX_LABEL_CHARS).into_owned(),
            object: audit_text(&self.object, MAX_OBJECT_CHARS).into_owned(),
            result: self.result,
            origin: audit_text(&self.origin, MAX_LABEL_CHARS).into_owned(),
        }
    }
}

/// Which audit entries to list. Every field narrows the list; `None` does not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditQuery {
    /// Exactly this actor.
    pub actor: Option<String>,
    /// Exactly this action.
    pub action: Option<String>,
    /// Objects containing this text (ignoring the case of ASCII letters).
    pub object: Option<String>,
    pub result: Option<AuditResult>,
    /// From this day on (UTC), inclusive.
    pub from: Option<Date>,
    /// Up to and including this day (UTC).
    pub to: Option<Date>,
    /// Only entries numbered below this one: the page after it, newest first.
    /// A page with a bound starts at the bound, whatever its number.
    pub before_seq: Option<i64>,
    /// Only entries numbered above this one: the page before it (still
    /// returned newest first).
    pub after_seq: Option<i64>,
}

/// The audit trail of the application.
#[async_trait]
pub trait AuditLog: Send + Sync {
    /// Appends an entry at the end of the chain and returns it as stored.
    /// Concurrent appends are serialised, so the chain never forks.
    async fn append_audit(&self, entry: &NewAuditEntry) -> Result<AuditRecord, StoreError>;

    /// Appends several entries in order, in one transaction.
    async fn append_audit_batch(
        &self,
        entries: &[NewAuditEntry],
    ) -> Result<Vec<AuditRecord>, StoreError>;

    /// The entries matching `q`, newest first. With a bound (`before_seq`,
    /// `after_seq`) the page starts at the bound, whatever its number.
    async fn search_audit(
        &self,
        q: &AuditQuery,
        page: PageRequest,
    ) -> Result<Page<AuditRecord>, StoreError>;

    /// One entry by its number.
    async fn audit_entry(&self, seq: i64) -> Result<Option<AuditRecord>, StoreError>;

    /// The login attempts from the start of day `since` (UTC) on, oldest first,
    /// for watching the logins ([`resettle_domain::login_watch`]).
    async fn login_events(&self, since: Date) -> Result<Vec<LoginEvent>, StoreError>;

    /// Reads the whole trail in order and checks the chain: the number of
    /// entries, or the first entry where it breaks. Removing entries from the
    /// end leaves a valid shorter chain; compare the head hash with one
    /// recorded earlier to see that.
    async fn verify_audit(&self) -> Result<Result<u64, AuditBreak>, StoreError>;
}

#[derive(sqlx::FromRow)]
struct AuditRow {
    seq: i64,
    at: OffsetDateTime,
    actor: String,
    action: String,
    object: String,
    result: String,
    origin: String,
    prev_hash: String,
    hash: String,
}

/// A stored value that cannot be read.
struct Unreadable {
    seq: i64,
    column: &'static str,
    message: String,
}

impl From<Unreadable> for StoreError {
    fn from(u: Unreadable) -> Self {
        StoreError::Corrupt {
            table: "audit_log",
            key: u.seq.to_string(),
            column: u.column,
            message: u.message,
        }
    }
}

impl AuditRow {
    fn into_record(self) -> Result<AuditRecord, Unreadable> {
        let result = AuditResult::parse(&self.result).map_err(|e| Unreadable {
            seq: self.seq,
            column: "result",
            message: e.to_string(),
        })?;
        Ok(AuditRecord {
            seq: self.seq,
            at: self.at,
            actor: self.actor,
            action: self.action,
            object: self.object,
            result,
            origin: self.origin,
            prev_hash: self.prev_hash,
            hash: self.hash,
        })
    }
}

/// What differs between the engines for the audit trail.
trait AuditEngine: BeginWrite {
    /// How a day boundary is compared with the stored `at`.
    type Day;

    /// The start of day `d` in UTC, as comparable with `at`.
    fn day_start(d: Date) -> Self::Day;
}

impl AuditEngine for SqlitePool {
    /// `at` is stored as RFC 3339 text in UTC (`2025-06-01T09:30:00.5Z`), so
    /// the date alone (`2025-06-01`) sorts at the start of its day.
    type Day = String;

    fn day_start(d: Date) -> String {
        format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
    }
}

impl AuditEngine for PgPool {
    type Day = OffsetDateTime;

    fn day_start(d: Date) -> OffsetDateTime {
        d.midnight().assume_utc()
    }
}

/// `text` as a LIKE pattern matching any value that contains it, with `\` as
/// the escape character.
fn contains_pattern(text: &str) -> String {
    let mut p = String::with_capacity(text.len() + 2);
    p.push('%');
    for c in text.chars() {
        if matches!(c, '\\' | '%' | '_') {
            p.push('\\');
        }
        p.push(c.to_ascii_lowercase());
    }
    p.push('%');
    p
}

/// The instant as stored: UTC, to the microsecond.
pub(crate) fn stored_instant(at: OffsetDateTime) -> OffsetDateTime {
    let at = at.to_offset(UtcOffset::UTC);
    at - Duration::nanoseconds(i64::from(at.nanosecond() % 1_000))
}

/// Appends the WHERE clause of `q` to a query builder for the engine of `$pool`.
macro_rules! push_audit_filter {
    ($b:expr, $pool:expr, $q:expr) => {{
        let b = &mut $b;
        let q: &AuditQuery = $q;
        b.push(" WHERE 1 = 1");
        // Searched as stored (a name with a NUL is stored escaped).
        if let Some(v) = &q.actor {
            b.push(" AND actor = ")
                .push_bind(audit_text(v, MAX_LABEL_CHARS).into_owned());
        }
        if let Some(v) = &q.action {
            b.push(" AND action = ")
                .push_bind(audit_text(v, MAX_LABEL_CHARS).into_owned());
        }
        if let Some(v) = &q.object {
            b.push(" AND LOWER(object) LIKE ")
                .push_bind(contains_pattern(&audit_text(v, MAX_OBJECT_CHARS)))
                .push(" ESCAPE '\\'");
        }
        if let Some(v) = q.result {
            b.push(" AND result = ").push_bind(v.as_str());
        }
        if let Some(d) = q.from {
            b.push(" AND at >= ").push_bind(day_start($pool, d));
        }
        if let Some(d) = q.to.and_then(Date::next_day) {
            b.push(" AND at < ").push_bind(day_start($pool, d));
        }
    }};
}

/// [`AuditEngine::day_start`] for the engine of `_pool`.
fn day_start<P: AuditEngine>(_pool: &P, d: Date) -> P::Day {
    P::day_start(d)
}

impl SqlStore {
    /// Runs SQL as given (one or more statements) and returns the number of
    /// rows affected. **For tests and operator repair scripts only**: it
    /// bypasses every rule of the store, and nothing it does is audited.
    pub async fn execute_raw(&self, sql: &str) -> Result<u64, StoreError> {
        on_pool!(self, pool => {
            let done = sqlx::raw_sql(AssertSqlSafe(sql.to_string())).execute(pool).await?;
            Ok(done.rows_affected())
        })
    }
}

/// Appends `$entries` at the end of the chain inside transaction `$tx`, which
/// must hold the append lock (`lock_audit` on a write
/// transaction); evaluates to the stored records.
macro_rules! append_in_tx {
    ($tx:expr, $entries:expr) => {{
        let entries: &[crate::audit::NewAuditEntry] = $entries;
        let last: Option<(i64, String)> =
            sqlx::query_as("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
                .fetch_optional(&mut *$tx)
                .await?;
        let (mut seq, mut prev_hash) = last.unwrap_or_else(|| (0, resettle_domain::audit::GENESIS_HASH.to_string()));
        let mut records = Vec::with_capacity(entries.len());
        for entry in entries {
            // Bounded here too, for the appends that bypass the writer.
            let entry = &entry.bounded();
            let at = crate::audit::stored_instant(entry.at);
            seq += 1;
            let hash = resettle_domain::audit::chain_hash(
                &prev_hash,
                seq,
                at,
                &entry.actor,
                &entry.action,
                &entry.object,
                entry.result,
                &entry.origin,
            );
            records.push(resettle_domain::audit::AuditRecord {
                seq,
                at,
                actor: entry.actor.clone(),
                action: entry.action.clone(),
                object: entry.object.clone(),
                result: entry.result,
                origin: entry.origin.clone(),
                prev_hash: std::mem::replace(&mut prev_hash, hash.clone()),
                hash,
            });
        }
        // Multi-row statements: a group commit appends many entries at once.
        for chunk in records.chunks(crate::audit::APPEND_CHUNK) {
            let mut insert = sqlx::QueryBuilder::new(
                "INSERT INTO audit_log (seq, at, actor, action, object, result, origin, prev_hash, hash) ",
            );
            insert.push_values(chunk, |mut row, r: &resettle_domain::audit::AuditRecord| {
                row.push_bind(r.seq)
                    .push_bind(r.at)
                    .push_bind(r.actor.as_str())
                    .push_bind(r.action.as_str())
                    .push_bind(r.object.as_str())
                    .push_bind(r.result.as_str())
                    .push_bind(r.origin.as_str())
                    .push_bind(r.prev_hash.as_str())
                    .push_bind(r.hash.as_str());
            });
            insert.build().execute(&mut *$tx).await?;
        }
        records
    }};
}
pub(crate) use append_in_tx;

/// Entries per multi-row insert (nine values each, well under both engines'
/// limits on bound values).
pub(crate) const APPEND_CHUNK: usize = 500;

/// Takes the append lock inside a write transaction already begun (to append
/// in the same transaction as a change). SQLite's write transactions are
/// serial already.
pub(crate) trait AuditLock {
    async fn lock_audit(&mut self) -> Result<(), sqlx::Error>;
}

impl AuditLock for sqlx::SqliteConnection {
    async fn lock_audit(&mut self) -> Result<(), sqlx::Error> {
        Ok(())
    }
}

impl AuditLock for sqlx::PgConnection {
    async fn lock_audit(&mut self) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(AUDIT_APPEND_LOCK)
            .execute(self)
            .await?;
        Ok(())
    }
}

#[async_trait]
impl AuditLog for SqlStore {
    async fn append_audit(&self, entry: &NewAuditEntry) -> Result<AuditRecord, StoreError> {
        let mut records = self.append_audit_batch(std::slice::from_ref(entry)).await?;
        records.pop().ok_or_else(|| StoreError::Corrupt {
            table: "audit_log",
            key: "append".into(),
            column: "seq",
            message: "the append returned no entry".into(),
        })
    }

    async fn append_audit_batch(
        &self,
        entries: &[NewAuditEntry],
    ) -> Result<Vec<AuditRecord>, StoreError> {
        // Committed by the store's writer, together with whatever else waits.
        self.writer.audit(entries).await
    }

    async fn search_audit(
        &self,
        q: &AuditQuery,
        page: PageRequest,
    ) -> Result<Page<AuditRecord>, StoreError> {
        if q.before_seq.is_none() && q.after_seq.is_none() {
            page.within_reach()?;
        }
        on_pool!(self, pool => {
            let mut count = builder(pool, "SELECT COUNT(*) FROM (SELECT 1 FROM audit_log");
            push_audit_filter!(count, pool, q);
            count.push(" LIMIT ").push_bind(COUNT_LIMIT + 1).push(") AS capped");
            let total: i64 = count.build_query_scalar().fetch_one(pool).await?;
            let mut b = builder(pool, "SELECT * FROM audit_log");
            push_audit_filter!(b, pool, q);
            if let Some(seq) = q.before_seq {
                b.push(" AND seq < ").push_bind(seq);
            }
            if let Some(seq) = q.after_seq {
                b.push(" AND seq > ").push_bind(seq);
            }
            // The page just above a bound is the nearest entries above it.
            let upwards = q.after_seq.is_some() && q.before_seq.is_none();
            let bounded = q.after_seq.is_some() || q.before_seq.is_some();
            b.push(if upwards { " ORDER BY seq ASC LIMIT " } else { " ORDER BY seq DESC LIMIT " })
                .push_bind(i64::from(page.page_size))
                .push(" OFFSET ")
                .push_bind(if bounded { 0 } else { page.offset() });
            let mut rows: Vec<AuditRow> = b.build_query_as().fetch_all(pool).await?;
            if upwards {
                rows.reverse();
            }
            let items = rows
                .into_iter()
                .map(|r| r.into_record().map_err(StoreError::from))
                .collect::<Result<_, _>>()?;
            Ok(Page::counted(items, &page, total))
        })
    }

    async fn audit_entry(&self, seq: i64) -> Result<Option<AuditRecord>, StoreError> {
        on_pool!(self, pool => {
            let row: Option<AuditRow> = sqlx::query_as("SELECT * FROM audit_log WHERE seq = $1")
                .bind(seq)
                .fetch_optional(pool)
                .await?;
            Ok(row.map(AuditRow::into_record).transpose()?)
        })
    }

    async fn login_events(&self, since: Date) -> Result<Vec<LoginEvent>, StoreError> {
        let rows: Vec<(OffsetDateTime, String, String, String)> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT at, actor, result, origin FROM audit_log WHERE action = 'login' AND at >= $1 ORDER BY seq",
            )
            .bind(day_start(pool, since))
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|(at, account, result, origin)| LoginEvent {
                at,
                account,
                ok: result == AuditResult::Ok.as_str(),
                origin,
            })
            .collect())
    }

    async fn verify_audit(&self) -> Result<Result<u64, AuditBreak>, StoreError> {
        let mut verifier = ChainVerifier::new();
        // Keyset paging: each page starts after the last seq seen, so rows
        // appended meanwhile are simply verified too.
        let mut after = i64::MIN;
        loop {
            let rows: Vec<AuditRow> = on_pool!(self, pool => {
                sqlx::query_as("SELECT * FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2")
                    .bind(after)
                    .bind(VERIFY_PAGE)
                    .fetch_all(pool)
                    .await?
            });
            let full = rows.len() as i64 == VERIFY_PAGE;
            for row in rows {
                after = row.seq;
                let expected = verifier.expected_seq();
                let checked = match row.into_record() {
                    Ok(record) => verifier.push(&record),
                    Err(u) if u.seq != expected => {
                        Err(verifier.fail(AuditBreakReason::OutOfSequence { found: u.seq }))
                    }
                    Err(u) => Err(verifier.fail(AuditBreakReason::Unreadable {
                        column: u.column.to_string(),
                        message: u.message,
                    })),
                };
                if let Err(b) = checked {
                    return Ok(Err(b));
                }
            }
            if !full {
                return Ok(verifier.finish());
            }
        }
    }
}
