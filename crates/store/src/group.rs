//! Group commit: one writer task per store takes the case transitions and the
//! audit entries that concurrent requests hand it, and commits everything
//! that is waiting in one write transaction. Each caller is answered only
//! after that commit, so nothing acknowledged can be lost, and a change and
//! its audit entry are still in the same transaction.
//!
//! A transition that is refused (a stale version, a mission without places,
//! a departure on hold, or a database error in that item) is answered with
//! its own error, while the others of the batch commit: a batch first runs
//! without savepoints, and if one of its transitions is refused, it is rolled
//! back and runs again with each transition in a savepoint, undone alone. The audit
//! entries of the transitions that succeeded, and the entries appended on
//! their own, are added at the end of the batch, after every row the batch
//! locks, so on PostgreSQL the append lock is taken last, as before.
//!
//! Audit entries are [bounded](NewAuditEntry::bounded) when they are handed
//! in, before any batch is formed: no text chosen by a user (a name typed
//! into the login form) can make the database refuse a batch's audit insert,
//! which would fail every change in the batch, nor hold much memory in the
//! queue.
//!
//! On SQLite this also replaces many writers sleeping in the busy handler
//! for the write lock by one connection fed from a queue.

use crate::audit::{AuditLock, NewAuditEntry, append_in_tx};
use crate::error::StoreError;
use crate::ledger::{Fact, add_to_bucket, bucket_of, current_boundaries};
use crate::sql::{BeginWrite, LedgerLock, Pool};
use resettle_domain::audit::AuditRecord;
use resettle_domain::{Case, Transition};
use sqlx::types::Json;
use tokio::sync::{mpsc, oneshot};

/// Most jobs committed in one transaction.
const MAX_BATCH: usize = 256;

/// Jobs waiting for the writer before callers wait to hand in theirs.
const QUEUE: usize = 4096;

/// Times a batch that lost a deadlock runs again before its jobs fail.
const MAX_RETRIES: u32 = 8;

/// The pause before the `tries`-th rerun: growing, with jitter so that two
/// writers that deadlocked do not meet again at once.
fn retry_pause(tries: u32) -> std::time::Duration {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let jitter = u64::from(nanos % 20);
    std::time::Duration::from_millis(u64::from(tries) * 10 + jitter)
}

/// How long the writer keeps trying while SQLite's write lock is held by a
/// long transaction of another connection (a large import holds it for
/// minutes), instead of failing its batch after one busy timeout.
const MAX_BUSY_WAIT: std::time::Duration = std::time::Duration::from_secs(30 * 60);

/// Whether `e` is SQLite's "database is locked" (SQLITE_BUSY and its
/// extended codes): the batch did not start, and can be tried again.
fn busy(e: &StoreError) -> bool {
    let StoreError::Database(sqlx::Error::Database(d)) = e else {
        return false;
    };
    d.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some()
        && d.code()
            .and_then(|c| c.parse::<i32>().ok())
            .is_some_and(|c| c & 0xff == 5)
}

/// A change handed to the writer, with where to send its outcome.
pub(crate) enum Job {
    Transition {
        case: Box<Case>,
        transition: Box<Transition>,
        audit: Option<NewAuditEntry>,
        done: oneshot::Sender<Result<(), StoreError>>,
    },
    Audit {
        entries: Vec<NewAuditEntry>,
        done: oneshot::Sender<Result<Vec<AuditRecord>, StoreError>>,
    },
}

impl Job {
    /// Transitions first, by case, then the audit entries (appended last anyway).
    fn lock_order(&self) -> (u8, uuid::Uuid) {
        match self {
            Job::Transition { case, .. } => (0, case.id.as_uuid()),
            Job::Audit { .. } => (1, uuid::Uuid::nil()),
        }
    }
}

/// The handle of a store's writer task; the task ends when every handle is dropped.
#[derive(Clone)]
pub(crate) struct Writer {
    jobs: mpsc::Sender<Job>,
    /// The writer's own connection (to close it with the store).
    pool: Pool,
}

impl std::fmt::Debug for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Writer").finish_non_exhaustive()
    }
}

/// The writer task is gone (the runtime that started it has shut down).
fn stopped() -> StoreError {
    StoreError::WriteFailed("the store's writer has stopped".into())
}

/// Writes one transition inside transaction `$tx`: the optimistic version
/// check first, then the pipeline's rules, the history entry and the ledger's
/// buckets. Evaluates to its outcome; on an error part of it may be written,
/// so the caller rolls back (to a savepoint taken before, or altogether).
macro_rules! transition_in_tx {
    ($tx:expr, $case:expr, $transition:expr) => {{
        let case: &Case = $case;
        let transition: &Transition = $transition;
        let tx = &mut $tx;
        let outcome: Result<(), StoreError> = async {
            let id = case.id.as_uuid();
            let expected = transition.previous_version;
            let updated = sqlx::query(
                "UPDATE cases SET state = $1, version = $2, last_event_on = $3, selected_on = $4, \
                 departed_on = $5, arrived_on = $6, permit = $7, housing = $8, guidance = $9, \
                 closed_on = $10, housed_municipality = $13, guidance_organisation = $14, \
                 assigned_municipality = $15 WHERE id = $11 AND version = $12",
            )
            .bind(transition.to.as_str())
            .bind(expected + 1)
            .bind(case.last_event_on)
            .bind(case.selected_on)
            .bind(case.departed_on)
            .bind(case.arrived_on)
            .bind(case.permit.as_ref().map(Json))
            .bind(case.housing.as_ref().map(Json))
            .bind(case.guidance.as_ref().map(Json))
            .bind(case.closed_on)
            .bind(id)
            .bind(expected)
            .bind(case.municipality())
            .bind(case.guidance_organisation())
            .bind(case.assigned_municipality.as_deref())
            .execute(&mut **tx)
            .await?;
            if updated.rows_affected() == 0 {
                let exists: Option<i64> =
                    sqlx::query_scalar("SELECT version FROM cases WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&mut **tx)
                        .await?;
                return Err(match exists {
                    Some(_) => StoreError::Conflict {
                        case: case.id,
                        expected,
                    },
                    None => StoreError::NotFound(case.id),
                });
            }
            crate::operations::pipeline_rules!(*tx, case, transition);
            // An undone housing assignment gives its room back.
            if matches!(transition.action, resettle_domain::Action::CancelHousingAssignment) {
                sqlx::query("DELETE FROM housing_assignments WHERE case_id = $1")
                    .bind(id)
                    .execute(&mut **tx)
                    .await?;
            }
            crate::sql::insert_transitions!(*tx, &[(id, expected + 1, transition)]);
            // The counted facts follow the case's selection and arrival dates,
            // which only some actions set.
            let facts: Vec<Fact> = if !transition.action.sets_counted_date() {
                Vec::new()
            } else {
                sqlx::query_as(
                "SELECT programme, family_reunification, selected_on, arrived_on, host_country, nationality, \
                 primary_category, priority, track, persons FROM ledger_facts WHERE case_id = $1",
            )
                .bind(id)
                .fetch_all(&mut **tx)
                .await?
            };
            let moved = facts
                .iter()
                .any(|f| (f.selected_on, f.arrived_on) != (case.selected_on, case.arrived_on));
            if moved {
                tx.lock_ledger(false).await?;
                let boundaries = current_boundaries!(*tx);
                for old in &facts {
                    if old.counted() {
                        let (sel, arr) = (
                            bucket_of(old.selected_on, &boundaries),
                            bucket_of(old.arrived_on, &boundaries),
                        );
                        add_to_bucket!(*tx, old, sel, arr, -old.persons);
                    }
                    let new = Fact {
                        selected_on: case.selected_on,
                        arrived_on: case.arrived_on,
                        ..old.clone()
                    };
                    if new.counted() {
                        let (sel, arr) = (
                            bucket_of(new.selected_on, &boundaries),
                            bucket_of(new.arrived_on, &boundaries),
                        );
                        add_to_bucket!(*tx, &new, sel, arr, new.persons);
                    }
                }
                sqlx::query(
                    "UPDATE ledger_facts SET selected_on = $1, arrived_on = $2 WHERE case_id = $3",
                )
                .bind(case.selected_on)
                .bind(case.arrived_on)
                .bind(id)
                .execute(&mut **tx)
                .await?;
            }
            Ok(())
        }
        .await;
        outcome
    }};
}

pub(crate) use transition_in_tx;

/// What became of one job before the commit.
enum Done {
    Transition(Result<(), StoreError>),
    /// Where the job's entries start among the batch's entries, and how many.
    Audit(usize, usize),
}

/// How one attempt at a batch ended.
enum Attempt {
    /// Committed: each job's outcome, and the audit records appended.
    Committed(Vec<Done>, Vec<AuditRecord>),
    /// A transition was refused in an attempt without savepoints: nothing
    /// was committed, and the batch must run again with them.
    Refused,
}

/// Runs `$jobs` (a `&[Job]`) in one write transaction on `$pool`. With
/// `$savepoints`, each transition runs in a savepoint and a refused one is
/// undone alone; without, the first refusal rolls the whole attempt back.
macro_rules! attempt_batch {
    ($pool:expr, $jobs:expr, $savepoints:expr) => {{
        let jobs: &[Job] = $jobs;
        let savepoints: bool = $savepoints;
        let outcome: Result<Attempt, StoreError> = async {
            let mut tx = $pool.begin_write().await?;
            let mut done = Vec::with_capacity(jobs.len());
            let mut entries: Vec<NewAuditEntry> = Vec::new();
            for job in jobs {
                match job {
                    Job::Transition {
                        case,
                        transition,
                        audit,
                        ..
                    } => {
                        if savepoints {
                            sqlx::query("SAVEPOINT resettle_item")
                                .execute(&mut *tx)
                                .await?;
                        }
                        match transition_in_tx!(tx, case, transition) {
                            Ok(()) => {
                                if savepoints {
                                    sqlx::query("RELEASE SAVEPOINT resettle_item")
                                        .execute(&mut *tx)
                                        .await?;
                                }
                                entries.extend(audit.iter().cloned());
                                done.push(Done::Transition(Ok(())));
                            }
                            // A lost deadlock aborts the whole attempt, to run again.
                            Err(e) if e.is_retryable() => return Err(e),
                            Err(_) if !savepoints => {
                                tx.rollback().await?;
                                return Ok(Attempt::Refused);
                            }
                            Err(e) => {
                                // Undoes this item only; if even that fails,
                                // the whole batch is refused below.
                                sqlx::query("ROLLBACK TO SAVEPOINT resettle_item")
                                    .execute(&mut *tx)
                                    .await?;
                                sqlx::query("RELEASE SAVEPOINT resettle_item")
                                    .execute(&mut *tx)
                                    .await?;
                                done.push(Done::Transition(Err(e)));
                            }
                        }
                    }
                    Job::Audit { entries: new, .. } => {
                        done.push(Done::Audit(entries.len(), new.len()));
                        entries.extend(new.iter().cloned());
                    }
                }
            }
            let records = if entries.is_empty() {
                Vec::new()
            } else {
                tx.lock_audit().await?;
                append_in_tx!(tx, &entries)
            };
            tx.commit().await?;
            Ok(Attempt::Committed(done, records))
        }
        .await;
        outcome
    }};
}

/// Runs `$jobs` in one write transaction on `$pool` and answers every job.
/// The first attempt takes no savepoints (two statements fewer per
/// transition); only a batch in which a transition is refused, which is
/// rare, runs a second time with them.
macro_rules! run_batch {
    ($pool:expr, $jobs:expr) => {{
        let mut jobs: Vec<Job> = $jobs;
        // Rows locked in one order by every writer (several servers on one
        // PostgreSQL): a stable sort keeps one case's jobs in their order.
        jobs.sort_by_key(Job::lock_order);
        let mut tries = 0;
        let started = std::time::Instant::now();
        let outcome = loop {
            let outcome = match attempt_batch!($pool, &jobs, false) {
                Ok(Attempt::Refused) => attempt_batch!($pool, &jobs, true),
                other => other,
            };
            match outcome {
                // Another server's writer won a deadlock: nothing of this
                // attempt stays, so running it again keeps every answer exact.
                Err(e) if e.is_retryable() && tries < MAX_RETRIES => {
                    tries += 1;
                    tracing::warn!(error = %e, tries, "a group commit lost a deadlock; running it again");
                    metrics::counter!("resettle_group_commit_retries_total").increment(1);
                    tokio::time::sleep(retry_pause(tries)).await;
                }
                Err(e) if busy(&e) && started.elapsed() < MAX_BUSY_WAIT => {
                    tracing::warn!(
                        jobs = jobs.len(),
                        "the database is locked by a long write (an import?); the writer waits for it"
                    );
                }
                other => break other,
            }
        };
        let outcome = match outcome {
            Ok(Attempt::Committed(done, records)) => Ok((done, records)),
            Ok(Attempt::Refused) => Err(StoreError::WriteFailed(
                "a transition was refused although it ran in a savepoint".into(),
            )),
            Err(e) => Err(e),
        };
        match outcome {
            Ok((done, records)) => {
                for (job, done) in jobs.into_iter().zip(done) {
                    match (job, done) {
                        (Job::Transition { done: ack, .. }, Done::Transition(r)) => {
                            let _ = ack.send(r);
                        }
                        (Job::Audit { done: ack, .. }, Done::Audit(from, n)) => {
                            let _ = ack.send(Ok(records
                                .get(from..from + n)
                                .map(<[AuditRecord]>::to_vec)
                                .unwrap_or_default()));
                        }
                        (job, _) => fail(job, "the writer mixed up its jobs", false),
                    }
                }
            }
            Err(e) => {
                tracing::error!(error = %e, jobs = jobs.len(), "a group commit failed; nothing of it was stored");
                let message = e.to_string();
                let unavailable = e.is_unavailable();
                for job in jobs {
                    fail(job, &message, unavailable);
                }
            }
        }
    }};
}
impl Writer {
    /// Starts the writer task on `pool` (a pool of its own, one connection)
    /// in the current tokio runtime.
    pub(crate) fn start(pool: Pool) -> Self {
        let (jobs, mut queue) = mpsc::channel::<Job>(QUEUE);
        let handle = Self {
            jobs,
            pool: pool.clone(),
        };
        tokio::spawn(async move {
            let mut batch = Vec::with_capacity(MAX_BATCH);
            while queue.recv_many(&mut batch, MAX_BATCH).await > 0 {
                let jobs = std::mem::take(&mut batch);
                metrics::histogram!("resettle_group_commit_batch_jobs").record(jobs.len() as f64);
                let started = std::time::Instant::now();
                match &pool {
                    Pool::Sqlite(p) => run_batch!(p, jobs),
                    Pool::Postgres(p) => run_batch!(p, jobs),
                }
                metrics::histogram!("resettle_group_commit_seconds")
                    .record(started.elapsed().as_secs_f64());
            }
        });
        handle
    }

    /// Jobs handed in and not yet taken by the writer.
    pub(crate) fn waiting(&self) -> usize {
        self.jobs.max_capacity() - self.jobs.capacity()
    }

    /// Closes the writer's connection; later writes fail.
    pub(crate) async fn close(&self) {
        match &self.pool {
            Pool::Sqlite(p) => p.close().await,
            Pool::Postgres(p) => p.close().await,
        }
    }

    pub(crate) async fn transition(
        &self,
        case: &Case,
        transition: &Transition,
        audit: Option<&NewAuditEntry>,
    ) -> Result<(), StoreError> {
        let (done, outcome) = oneshot::channel();
        let job = Job::Transition {
            case: Box::new(case.clone()),
            transition: Box::new(transition.clone()),
            audit: audit.map(NewAuditEntry::bounded),
            done,
        };
        self.jobs.send(job).await.map_err(|_| stopped())?;
        outcome.await.map_err(|_| stopped())?
    }

    pub(crate) async fn audit(
        &self,
        entries: &[NewAuditEntry],
    ) -> Result<Vec<AuditRecord>, StoreError> {
        let (done, outcome) = oneshot::channel();
        let job = Job::Audit {
            entries: entries.iter().map(NewAuditEntry::bounded).collect(),
            done,
        };
        self.jobs.send(job).await.map_err(|_| stopped())?;
        outcome.await.map_err(|_| stopped())?
    }
}

/// Answers `job` with a failure of the whole batch.
fn fail(job: Job, message: &str, unavailable: bool) {
    let error = || {
        if unavailable {
            StoreError::Unavailable(message.to_string())
        } else {
            StoreError::WriteFailed(message.to_string())
        }
    };
    match job {
        Job::Transition { done, .. } => {
            let _ = done.send(Err(error()));
        }
        Job::Audit { done, .. } => {
            let _ = done.send(Err(error()));
        }
    }
}
