#![doc = include_str!("../README.md")]

pub mod convert;
pub mod engine;
pub mod rng;
#[cfg(any(test, feature = "testing"))]
pub mod testmodels;

/// The model format (its own crate, so that the ZKML circuit needs no engine).
pub use verity_int8_format as format;
pub use verity_int8_format::*;
