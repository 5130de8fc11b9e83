use resettle_domain::CaseId;
use resettle_domain::import::ImportProblem;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error(
        "case {case} was changed by someone else since version {expected}; reload it and try again"
    )]
    Conflict { case: CaseId, expected: i64 },
    #[error("case {0} does not exist")]
    NotFound(CaseId),
    #[error("the import was refused: {} problem(s), nothing was stored", .0.len())]
    ImportRejected(Vec<ImportProblem>),
    #[error(transparent)]
    PageTooDeep(#[from] crate::query::PageTooDeep),
    #[error("stored {table} {key} has an unreadable {column}: {message}")]
    Corrupt {
        table: &'static str,
        key: String,
        column: &'static str,
        message: String,
    },
    #[error(
        "'{0}' is not a database URL: use a SQLite file path (sqlite:resettle.db) or postgres://user@host/db"
    )]
    BadUrl(String),
    #[error(
        "the policy was changed by someone else (you edited version {expected:?}, the newest is {newest:?}); reload it and try again"
    )]
    PolicyConflict {
        expected: Option<i64>,
        newest: Option<i64>,
    },
    #[error("backup: {0}")]
    Backup(String),
    #[error(transparent)]
    Key(#[from] crate::crypto::KeyError),
    #[error("{what} '{value}' exists already")]
    Duplicate { what: &'static str, value: String },
    #[error("mission {0} does not exist")]
    MissionNotFound(resettle_domain::MissionId),
    #[error("hold {0} does not exist")]
    HoldNotFound(resettle_domain::HoldId),
    #[error(
        "mission {mission} was changed by someone else since version {expected}; reload it and try again"
    )]
    MissionConflict {
        mission: resettle_domain::MissionId,
        expected: i64,
    },
    #[error(
        "mission {mission} has {places} places and {used} are taken; this case needs {requested}: accepting beyond the places needs an override reason"
    )]
    PlacesExhausted {
        mission: resettle_domain::MissionId,
        places: i64,
        used: i64,
        requested: i64,
    },
    #[error("mission {mission} is {status}: it takes no more cases")]
    MissionNotOpen {
        mission: resettle_domain::MissionId,
        status: String,
    },
    #[error(
        "departures are on hold since {since} ({reason}); no departure until the hold is released"
    )]
    DepartureOnHold {
        hold: resettle_domain::HoldId,
        since: time::Date,
        reason: String,
    },
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    /// A field breaks a rule of the domain, named so the pages can translate it.
    #[error("{0}")]
    Refused(resettle_domain::rule::FieldProblem),
    #[error("family-reunification application {0} does not exist")]
    ApplicationNotFound(resettle_domain::reunification::ApplicationId),
    #[error(
        "family-reunification application {application} was changed by someone else since version {expected}; reload it and try again"
    )]
    ApplicationConflict {
        application: resettle_domain::reunification::ApplicationId,
        expected: i64,
    },
    /// The transaction that would have stored the change failed as a whole
    /// (a group commit); nothing of it was stored.
    #[error("the change could not be stored (the database failed): {0}")]
    WriteFailed(String),
    /// The database cannot be reached or is restarting; nothing was stored,
    /// and the same request may succeed in a few seconds.
    #[error("the database is not available: {0}")]
    Unavailable(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// PostgreSQL's codes for a transaction that lost a deadlock or a
/// serialization check: nothing of it stays, and it may simply run again.
const RETRYABLE_CODES: [&str; 2] = ["40P01", "40001"];

/// PostgreSQL's codes for a server that is shutting down or starting up
/// (class 08 is connection exceptions).
const UNAVAILABLE_CODES: [&str; 3] = ["57P01", "57P02", "57P03"];

impl StoreError {
    /// A deadlock or serialization failure: the transaction was rolled back
    /// and can run again unchanged.
    pub fn is_retryable(&self) -> bool {
        match self {
            StoreError::Database(sqlx::Error::Database(db)) => db
                .code()
                .is_some_and(|c| RETRYABLE_CODES.contains(&c.as_ref())),
            _ => false,
        }
    }

    /// The database could not be reached, or the connection broke: the
    /// request may succeed once the database is back.
    pub fn is_unavailable(&self) -> bool {
        match self {
            StoreError::Unavailable(_) => true,
            StoreError::Database(e) => unavailable(e),
            _ => false,
        }
    }
}

/// Whether a driver error means the database is out of reach rather than
/// that the request is wrong.
pub(crate) fn unavailable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => db
            .code()
            .is_some_and(|c| c.starts_with("08") || UNAVAILABLE_CODES.contains(&c.as_ref())),
        _ => false,
    }
}
