#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod digest;
pub mod generation;
pub mod inference;
pub mod model;
pub mod proofs;
#[cfg(feature = "std")]
pub mod worker_info;
pub mod x402;

pub use digest::{ArtifactDigest, ArtifactHasher};
pub use generation::{CheckVerdict, GenerationClaim, GenerationEvidence};
pub use inference::*;
pub use model::*;
pub use proofs::*;
