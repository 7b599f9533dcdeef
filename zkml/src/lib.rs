#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]
#![warn(missing_docs)]

extern crate alloc;

pub mod fixture;
pub mod verifier;

#[cfg(feature = "prover")]
mod circuit;
#[cfg(feature = "prover")]
mod prover;
#[cfg(feature = "prover")]
mod reference;

#[cfg(feature = "prover")]
pub use circuit::ModelCircuit;
#[cfg(feature = "prover")]
pub use prover::{
	circuit_info, setup, setup_from_seed, verify_native, CircuitInfo, CryptoRng, Keys, ProveError,
	Proved, Prover, RngCore,
};
#[cfg(feature = "prover")]
pub use reference::reference_mlp;
pub use verifier::{ZkError, MAX_VERIFYING_KEY_LEN, PACK_BYTES, PROOF_LEN};
