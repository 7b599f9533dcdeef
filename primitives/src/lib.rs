//! # Verity primitives
//!
//! Types shared by the chain (pallets, runtime) and off-chain code (node, worker, CLI), so both
//! sides encode and decode the same bytes. `no_std`; nothing here depends on FRAME.
//!
//! - [`digest`]: artifact digests (BLAKE2b-256 + SHA-256) and a streaming hasher.
//! - [`model`]: Model Hub records: models, versions, schemas, storage locations, modes.
//! - [`inference`]: requests, results and the receipt a worker signs.
//! - [`int8`]: Verity's integer-quantized model format.
//! - [`proofs`]: the verification path: TEE kinds and PCR sets, the attestation nonce, batch
//!   leaves and their Merkle proofs.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod digest;
pub mod inference;
pub mod int8;
pub mod model;
pub mod proofs;

pub use digest::{ArtifactDigest, ArtifactHasher};
pub use inference::*;
pub use model::*;
pub use proofs::*;
