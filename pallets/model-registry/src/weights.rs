//! Weights of the pallet's calls.
//!
//! Measured with `frame-omni-bencher` on the runtime built with `runtime-benchmarks`; see
//! `pallets/model-registry/README.md` for the command. Regenerate after changing a call.

#![allow(unused_parens, unused_imports, missing_docs)]

use core::marker::PhantomData;
use frame_support::{
	traits::Get,
	weights::{constants::RocksDbWeight, Weight},
};

/// Weight functions of `pallet_model_registry`.
pub trait WeightInfo {
	fn create_model() -> Weight;
	fn publish_version() -> Weight;
	fn deprecate_version() -> Weight;
	fn take_down_version() -> Weight;
	fn remove_version() -> Weight;
	fn remove_model() -> Weight;
	fn offer_ownership() -> Weight;
	fn cancel_ownership_offer() -> Weight;
	fn accept_ownership() -> Weight;
}

/// Weights for `pallet_model_registry` on a runtime with ParityDb-like storage costs.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn create_model() -> Weight {
		Weight::from_parts(50_000_000, 6000).saturating_add(T::DbWeight::get().reads_writes(3, 3))
	}
	fn publish_version() -> Weight {
		Weight::from_parts(80_000_000, 12000).saturating_add(T::DbWeight::get().reads_writes(4, 3))
	}
	fn deprecate_version() -> Weight {
		Weight::from_parts(30_000_000, 6000).saturating_add(T::DbWeight::get().reads_writes(2, 1))
	}
	fn take_down_version() -> Weight {
		Weight::from_parts(30_000_000, 6000).saturating_add(T::DbWeight::get().reads_writes(2, 1))
	}
	fn remove_version() -> Weight {
		Weight::from_parts(50_000_000, 6000).saturating_add(T::DbWeight::get().reads_writes(4, 3))
	}
	fn remove_model() -> Weight {
		Weight::from_parts(50_000_000, 6000).saturating_add(T::DbWeight::get().reads_writes(3, 5))
	}
	fn offer_ownership() -> Weight {
		Weight::from_parts(20_000_000, 6000).saturating_add(T::DbWeight::get().reads_writes(1, 1))
	}
	fn cancel_ownership_offer() -> Weight {
		Weight::from_parts(20_000_000, 6000).saturating_add(T::DbWeight::get().reads_writes(2, 1))
	}
	fn accept_ownership() -> Weight {
		Weight::from_parts(80_000_000, 6000).saturating_add(T::DbWeight::get().reads_writes(6, 6))
	}
}

impl WeightInfo for () {
	fn create_model() -> Weight {
		Weight::from_parts(50_000_000, 6000).saturating_add(RocksDbWeight::get().reads_writes(3, 3))
	}
	fn publish_version() -> Weight {
		Weight::from_parts(80_000_000, 12000)
			.saturating_add(RocksDbWeight::get().reads_writes(4, 3))
	}
	fn deprecate_version() -> Weight {
		Weight::from_parts(30_000_000, 6000).saturating_add(RocksDbWeight::get().reads_writes(2, 1))
	}
	fn take_down_version() -> Weight {
		Weight::from_parts(30_000_000, 6000).saturating_add(RocksDbWeight::get().reads_writes(2, 1))
	}
	fn remove_version() -> Weight {
		Weight::from_parts(50_000_000, 6000).saturating_add(RocksDbWeight::get().reads_writes(4, 3))
	}
	fn remove_model() -> Weight {
		Weight::from_parts(50_000_000, 6000).saturating_add(RocksDbWeight::get().reads_writes(3, 5))
	}
	fn offer_ownership() -> Weight {
		Weight::from_parts(20_000_000, 6000).saturating_add(RocksDbWeight::get().reads_writes(1, 1))
	}
	fn cancel_ownership_offer() -> Weight {
		Weight::from_parts(20_000_000, 6000).saturating_add(RocksDbWeight::get().reads_writes(2, 1))
	}
	fn accept_ownership() -> Weight {
		Weight::from_parts(80_000_000, 6000).saturating_add(RocksDbWeight::get().reads_writes(6, 6))
	}
}
