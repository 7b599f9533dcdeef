#![doc = include_str!("../README.md")]

pub mod chain;
pub mod governance;
pub mod receipts;
pub mod runtime;
pub mod validators;
pub mod wait;
pub mod worker;

pub use chain::{signer, Chain, Failure, Included};
pub use runtime::api;
pub use subxt::utils::{AccountId32, Static};
pub use subxt_signer::sr25519::Keypair;

/// An account as the chain's primitives hold it (the 32 bytes of an `AccountId32`).
pub type AccountBytes = [u8; 32];

/// A registered worker's record (`Inference.Workers`), its models bound as large as any
/// runtime's.
pub type Worker =
	verity_primitives::WorkerInfo<u128, u32, bounded_collections::ConstU32<{ u32::MAX }>>;
