//! Persistence for Resettle behind one trait, [`Store`].
//!
//! [`SqlStore`] runs the same SQL on SQLite (an embedded file, the default) and
//! on PostgreSQL, each through sqlx's native driver, so dates, UUIDs and JSON
//! keep their proper column types on PostgreSQL. Every write is one
//! transaction; concurrent edits of a case are caught by its version number.

mod accounts;
mod audit;
pub mod crypto;
mod error;
pub mod files;
pub mod forecast;
mod group;
pub mod keys;
mod ledger;
pub mod operations;
pub mod placement;
pub mod policy;
mod query;
pub mod retention;
pub mod reunification;
mod rows;
mod sql;
pub mod testing;
pub mod workflow;

pub use accounts::{Accounts, Credentials, LiveSession, TokenInfo};
pub use audit::{AuditLog, AuditQuery, NewAuditEntry};
pub use error::StoreError;
pub use operations::{Operations, Preparation};
pub use query::{
    COUNT_LIMIT, CaseFilter, CaseSummary, Cursor, CursorError, Direction, Page, PageRequest,
    PageTooDeep,
};
pub use reunification::{ApplicationFilter, LeftBehind, Reunification, StoredApplication};
pub use sql::{Backend, SqlStore};

use async_trait::async_trait;
use resettle_domain::{Case, CaseId, CaseNumber, Consent, NewCase, Transition};

/// Everything the application asks of its database.
#[async_trait]
pub trait Store:
    Accounts
    + AuditLog
    + policy::PolicyStore
    + forecast::ForecastStore
    + placement::PlacementStore
    + operations::Operations
    + reunification::Reunification
    + Send
    + Sync
{
    /// Which database engine this is (for health and diagnostics).
    fn backend(&self) -> Backend;

    /// Checks that the database answers.
    async fn ping(&self) -> Result<(), StoreError>;

    /// Checks that the store can serve requests: the database answers and
    /// writes get through (for a readiness probe).
    async fn ready(&self) -> Result<(), StoreError> {
        self.ping().await
    }

    /// Stores new cases with their histories, all or nothing. A case number
    /// that exists already, or family reunification with a case that is not
    /// an arrived resettlement case, refuses the whole batch with every problem.
    /// `progress` is called with the number of cases written so far.
    async fn import_cases(
        &self,
        cases: &[NewCase],
        progress: &(dyn Fn(usize) + Send + Sync),
    ) -> Result<(), StoreError>;

    /// A case with its members.
    async fn case(&self, id: CaseId) -> Result<Option<Case>, StoreError>;

    async fn case_by_number(&self, number: &CaseNumber) -> Result<Option<Case>, StoreError>;

    /// The full history of a case, oldest first.
    async fn history(&self, id: CaseId) -> Result<Vec<Transition>, StoreError>;

    async fn list_cases(
        &self,
        filter: &CaseFilter,
        page: PageRequest,
    ) -> Result<Page<CaseSummary>, StoreError>;

    /// Saves `case` as changed by `transition`, if nobody changed the case
    /// since the version the transition was made against; otherwise
    /// [`StoreError::Conflict`] and nothing is written. `audit`, when given,
    /// is appended to the audit trail in the same transaction.
    async fn record_transition(
        &self,
        case: &Case,
        transition: &Transition,
        audit: Option<&NewAuditEntry>,
    ) -> Result<(), StoreError>;

    /// Records consent to share a case's needs (or an authorised override).
    async fn add_consent(&self, case: CaseId, consent: &Consent) -> Result<(), StoreError>;

    /// Re-encrypts every special-category value and second-factor secret that
    /// is not under the current data key (checked by fingerprint), then proves
    /// that every value decrypts with the current key alone.
    async fn rotate_data_keys(&self) -> Result<keys::Rotation, StoreError>;

    /// Closed cases not yet pseudonymised, closed before `closed_before`.
    async fn retention_candidates(
        &self,
        closed_before: time::Date,
    ) -> Result<Vec<CaseId>, StoreError>;

    /// Stores the pseudonymised `case` (see `resettle_domain::retention`): member
    /// names, dates of birth and documents as given, special-category data and
    /// history reasons removed, in one transaction.
    async fn store_pseudonymised(
        &self,
        case: &Case,
        at: time::OffsetDateTime,
    ) -> Result<(), StoreError>;

    /// Every case still on its way (submitted up to departed) that matches
    /// `filter`, oldest submission first: what the time norms watch.
    async fn cases_in_pipeline(&self, filter: &CaseFilter) -> Result<Vec<CaseSummary>, StoreError>;

    /// Number of cases stored.
    async fn count_cases(&self) -> Result<i64, StoreError>;
}
