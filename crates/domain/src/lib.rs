//! The pure rules of refugee resettlement: what a case is, which states it moves
//! through, and which values are valid. Nothing here reads a clock, a file or a
//! database: the current date is always a parameter, so norms are testable.

pub mod access;
pub mod account;
pub mod audit;
pub mod calendar;
pub mod case;
pub mod country;
pub mod country_policy;
pub mod forecast;
pub mod ids;
pub mod import;
pub mod ledger;
pub mod lifecycle;
pub mod login_watch;
pub mod mission;
pub mod norms;
pub mod operations;
pub mod person;
pub mod policy;
pub mod retention;
pub mod reunification;
pub mod rule;
pub mod sample;
pub mod submission;
mod text;

pub use access::{CaseScope, CaseView, Permission, Role, SpecialCategory};
pub use account::{TokenScope, User, Username};
pub use case::{Case, CaseKind, Consent, NewCase, SpecialItem, Submission};
pub use country::{CountryCode, Nationality};
pub use ids::{CaseId, HoldId, MissionId, PersonId, PolicyNoteId, TokenId, UserId};
pub use lifecycle::{
    Action, ActionKind, CaseState, Context, FieldRule, Guidance, Housing, Permit, RejectionGround,
    TrainingMode, Transition, TransitionError,
};
pub use person::{DateOfBirth, IdentityDocument, Member, Relationship, Sex};
pub use submission::{CaseNumber, Programme, SubmissionCategory, SubmissionPriority, Track};
