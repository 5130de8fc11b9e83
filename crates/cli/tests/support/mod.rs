//! Shared set-up of the command-line tests.
#![allow(dead_code)]

pub mod cluster;
