//! The pallet's type aliases over the shared records in `verity-primitives`.

use crate::Config;
use frame_support::traits::fungible::Inspect;
use frame_system::pallet_prelude::BlockNumberFor;
use verity_primitives::{ModelInfo, ModelVersion};

/// The balance type of the pallet's currency.
pub type BalanceOf<T> =
	<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;

/// A model record.
pub type ModelInfoOf<T> = ModelInfo<<T as frame_system::Config>::AccountId, BalanceOf<T>>;

/// A version record.
pub type ModelVersionOf<T> = ModelVersion<BalanceOf<T>, BlockNumberFor<T>>;

/// Checks that uploaded bytes are a ZK verifying key for a model with the given input and output
/// lengths (in bytes). Declared here, implemented by the runtime with Verity's Groth16 verifier.
pub trait ZkKeyChecker {
	/// Whether `key` is a well-formed verifying key whose public inputs fit a model taking
	/// `input_len` bytes and returning `output_len` bytes.
	fn is_valid(key: &[u8], input_len: u64, output_len: u64) -> bool;
}

/// Accepts no key: a chain without ZKML.
impl ZkKeyChecker for () {
	fn is_valid(_: &[u8], _: u64, _: u64) -> bool {
		false
	}
}
