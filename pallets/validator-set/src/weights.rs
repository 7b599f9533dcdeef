//! Weights of `pallet_validator_set`.
//!
//! Not yet measured: these are upper bounds derived by hand from the storage each call touches
//! (worst case: a full set of `MaxValidators` 32-byte accounts) with ref-time figures taken
//! from the measured calls of `pallet_model_registry` that read and write records of similar
//! size. Regenerate with `scripts/bench-weights.sh` (frame-omni-bencher) once it has run on
//! this pallet; do not edit by hand afterwards.

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens, unused_imports, missing_docs)]

use core::marker::PhantomData;
use frame_support::{traits::Get, weights::{constants::ParityDbWeight, Weight}};

/// Weight functions of `pallet_validator_set`.
pub trait WeightInfo {
	fn add_validator() -> Weight;
	fn remove_validator() -> Weight;
}

/// Weights with the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	/// Storage: `Session::NextKeys` (r:1 w:0)
	/// Storage: `ValidatorSet::Validators` (r:1 w:1)
	/// Storage: `ValidatorSet::SetChanged` (r:0 w:1)
	fn add_validator() -> Weight {
		Weight::from_parts(40_000_000, 4_000)
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	/// Storage: `ValidatorSet::Validators` (r:1 w:1)
	/// Storage: `ValidatorSet::SetChanged` (r:0 w:1)
	fn remove_validator() -> Weight {
		Weight::from_parts(35_000_000, 2_600)
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
}

/// For tests: the same bounds with ParityDb's database weights.
impl WeightInfo for () {
	fn add_validator() -> Weight {
		Weight::from_parts(40_000_000, 4_000)
			.saturating_add(ParityDbWeight::get().reads(2_u64))
			.saturating_add(ParityDbWeight::get().writes(2_u64))
	}
	fn remove_validator() -> Weight {
		Weight::from_parts(35_000_000, 2_600)
			.saturating_add(ParityDbWeight::get().reads(1_u64))
			.saturating_add(ParityDbWeight::get().writes(2_u64))
	}
}
