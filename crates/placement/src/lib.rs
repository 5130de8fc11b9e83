//! Placement of resettled families in municipalities: maximise the total
//! expected-integration score within every municipality's room (persons,
//! large dwellings, school places, …) and the hard constraints (pairs that
//! are not allowed), each family placed at most once. Every solution carries
//! an upper bound (the LP relaxation's, through its Lagrangian dual), so the
//! gap to the best possible is known, and every proposal can be explained.

pub mod explain;
pub mod instance;
pub mod model;
pub mod output;
pub mod problem;
pub mod sample;
pub mod solve;

mod dual;
mod neighbourhood;
mod repack;
mod search;
mod transport;

pub use instance::{Instance, InstanceProblem, InvalidInstance};
pub use problem::Problem;
pub use solve::{Method, Options, Solution, solve};
