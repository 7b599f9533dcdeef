//! Weights of `pallet_model_registry`, measured by frame-omni-bencher 64.0.0 on 2026-12-06
//! (AMD EPYC; steps 2, repeat 20, WASM execution Compiled).
//! Regenerate with `scripts/bench-weights.sh` after changing a call; do not edit by hand.

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens, unused_imports, missing_docs)]

use core::marker::PhantomData;
use frame_support::{traits::Get, weights::{constants::ParityDbWeight, Weight}};

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
	fn set_zk_keys() -> Weight;
}

/// Measured weights, with the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	/// Storage: `ModelRegistry::ModelIdByName` (r:1 w:1)
	/// Proof: `ModelRegistry::ModelIdByName` (`max_values`: None, `max_size`: Some(138), added: 2613, mode: `MaxEncodedLen`)
	/// Storage: `ModelRegistry::NextModelId` (r:1 w:1)
	/// Proof: `ModelRegistry::NextModelId` (`max_values`: Some(1), `max_size`: Some(8), added: 503, mode: `MaxEncodedLen`)
	/// Storage: `Parameters::Parameters` (r:2 w:0)
	/// Proof: `Parameters::Parameters` (`max_values`: None, `max_size`: Some(36), added: 2511, mode: `MaxEncodedLen`)
	/// Storage: `System::Account` (r:1 w:1)
	/// Proof: `System::Account` (`max_values`: None, `max_size`: Some(128), added: 2603, mode: `MaxEncodedLen`)
	/// Storage: `Balances::Holds` (r:1 w:1)
	/// Proof: `Balances::Holds` (`max_values`: None, `max_size`: Some(175), added: 2650, mode: `MaxEncodedLen`)
	/// Storage: `ModelRegistry::Models` (r:0 w:1)
	/// Proof: `ModelRegistry::Models` (`max_values`: None, `max_size`: Some(1521), added: 3996, mode: `MaxEncodedLen`)
	fn create_model() -> Weight {
		// Proof size: measured 149 bytes, estimated 6012.
		Weight::from_parts(71_025_000, 6012)
			.saturating_add(T::DbWeight::get().reads(6_u64))
			.saturating_add(T::DbWeight::get().writes(5_u64))
	}
	/// Storage: `ModelRegistry::Models` (r:1 w:1)
	/// Proof: `ModelRegistry::Models` (`max_values`: None, `max_size`: Some(1521), added: 3996, mode: `MaxEncodedLen`)
	/// Storage: `ModelRegistry::Versions` (r:1 w:1)
	/// Proof: `ModelRegistry::Versions` (`max_values`: None, `max_size`: Some(4742), added: 7217, mode: `MaxEncodedLen`)
	/// Storage: `Parameters::Parameters` (r:2 w:0)
	/// Proof: `Parameters::Parameters` (`max_values`: None, `max_size`: Some(36), added: 2511, mode: `MaxEncodedLen`)
	/// Storage: `System::Account` (r:1 w:1)
	/// Proof: `System::Account` (`max_values`: None, `max_size`: Some(128), added: 2603, mode: `MaxEncodedLen`)
	/// Storage: `Balances::Holds` (r:1 w:1)
	/// Proof: `Balances::Holds` (`max_values`: None, `max_size`: Some(175), added: 2650, mode: `MaxEncodedLen`)
	fn publish_version() -> Weight {
		// Proof size: measured 1911 bytes, estimated 8207.
		Weight::from_parts(107_930_000, 8207)
			.saturating_add(T::DbWeight::get().reads(6_u64))
			.saturating_add(T::DbWeight::get().writes(4_u64))
	}
	/// Storage: `ModelRegistry::Models` (r:1 w:0)
	/// Proof: `ModelRegistry::Models` (`max_values`: None, `max_size`: Some(1521), added: 3996, mode: `MaxEncodedLen`)
	/// Storage: `ModelRegistry::Versions` (r:1 w:1)
	/// Proof: `ModelRegistry::Versions` (`max_values`: None, `max_size`: Some(4742), added: 7217, mode: `MaxEncodedLen`)
	fn deprecate_version() -> Weight {
		// Proof size: measured 6161 bytes, estimated 8207.
		Weight::from_parts(39_568_000, 8207)
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	/// Storage: `ModelRegistry::Models` (r:1 w:0)
	/// Proof: `ModelRegistry::Models` (`max_values`: None, `max_size`: Some(1521), added: 3996, mode: `MaxEncodedLen`)
	/// Storage: `ModelRegistry::Versions` (r:1 w:1)
	/// Proof: `ModelRegistry::Versions` (`max_values`: None, `max_size`: Some(4742), added: 7217, mode: `MaxEncodedLen`)
	fn take_down_version() -> Weight {
		// Proof size: measured 4693 bytes, estimated 8207.
		Weight::from_parts(39_198_000, 8207)
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	/// Storage: `ModelRegistry::Models` (r:1 w:1)
	/// Proof: `ModelRegistry::Models` (`max_values`: None, `max_size`: Some(1521), added: 3996, mode: `MaxEncodedLen`)
	/// Storage: `ModelRegistry::Versions` (r:1 w:1)
	/// Proof: `ModelRegistry::Versions` (`max_values`: None, `max_size`: Some(4742), added: 7217, mode: `MaxEncodedLen`)
	/// Storage: `System::Account` (r:1 w:1)
	/// Proof: `System::Account` (`max_values`: None, `max_size`: Some(128), added: 2603, mode: `MaxEncodedLen`)
	/// Storage: `Balances::Holds` (r:1 w:1)
	/// Proof: `Balances::Holds` (`max_values`: None, `max_size`: Some(175), added: 2650, mode: `MaxEncodedLen`)
	/// Storage: `ModelRegistry::ZkProvingKeys` (r:0 w:1)
	/// Proof: `ModelRegistry::ZkProvingKeys` (`max_values`: None, `max_size`: Some(116), added: 2591, mode: `MaxEncodedLen`)
	/// Storage: `ModelRegistry::ZkVerifyingKeys` (r:0 w:1)
	/// Proof: `ModelRegistry::ZkVerifyingKeys` (`max_values`: None, `max_size`: Some(16432), added: 18907, mode: `MaxEncodedLen`)
	fn remove_version() -> Weight {
		// Proof size: measured 6319 bytes, estimated 8207.
		Weight::from_parts(84_115_000, 8207)
			.saturating_add(T::DbWeight::get().reads(4_u64))
			.saturating_add(T::DbWeight::get().writes(6_u64))
	}
	/// Storage: `ModelRegistry::Models` (r:1 w:1)
	/// Proof: `ModelRegistry::Models` (`max_values`: None, `max_size`: Some(1521), added: 3996, mode: `MaxEncodedLen`)
	/// Storage: `System::Account` (r:1 w:1)
	/// Proof: `System::Account` (`max_values`: None, `max_size`: Some(128), added: 2603, mode: `MaxEncodedLen`)
	/// Storage: `Balances::Holds` (r:1 w:1)
	/// Proof: `Balances::Holds` (`max_values`: None, `max_size`: Some(175), added: 2650, mode: `MaxEncodedLen`)
	/// Storage: `ModelRegistry::ModelIdByName` (r:0 w:1)
	/// Proof: `ModelRegistry::ModelIdByName` (`max_values`: None, `max_size`: Some(138), added: 2613, mode: `MaxEncodedLen`)
	/// Storage: `ModelRegistry::OwnershipOffers` (r:0 w:1)
	/// Proof: `ModelRegistry::OwnershipOffers` (`max_values`: None, `max_size`: Some(56), added: 2531, mode: `MaxEncodedLen`)
	fn remove_model() -> Weight {
		// Proof size: measured 1839 bytes, estimated 4986.
		Weight::from_parts(58_627_000, 4986)
			.saturating_add(T::DbWeight::get().reads(3_u64))
			.saturating_add(T::DbWeight::get().writes(5_u64))
	}
	/// Storage: `ModelRegistry::Models` (r:1 w:0)
	/// Proof: `ModelRegistry::Models` (`max_values`: None, `max_size`: Some(1521), added: 3996, mode: `MaxEncodedLen`)
	/// Storage: `ModelRegistry::OwnershipOffers` (r:0 w:1)
	/// Proof: `ModelRegistry::OwnershipOffers` (`max_values`: None, `max_size`: Some(56), added: 2531, mode: `MaxEncodedLen`)
	fn offer_ownership() -> Weight {
		// Proof size: measured 1648 bytes, estimated 4986.
		Weight::from_parts(17_325_000, 4986)
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	/// Storage: `ModelRegistry::Models` (r:1 w:0)
	/// Proof: `ModelRegistry::Models` (`max_values`: None, `max_size`: Some(1521), added: 3996, mode: `MaxEncodedLen`)
	/// Storage: `ModelRegistry::OwnershipOffers` (r:1 w:1)
	/// Proof: `ModelRegistry::OwnershipOffers` (`max_values`: None, `max_size`: Some(56), added: 2531, mode: `MaxEncodedLen`)
	fn cancel_ownership_offer() -> Weight {
		// Proof size: measured 1726 bytes, estimated 4986.
		Weight::from_parts(19_429_000, 4986)
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	/// Storage: `ModelRegistry::OwnershipOffers` (r:1 w:1)
	/// Proof: `ModelRegistry::OwnershipOffers` (`max_values`: None, `max_size`: Some(56), added: 2531, mode: `MaxEncodedLen`)
	/// Storage: `ModelRegistry::Models` (r:1 w:1)
	/// Proof: `ModelRegistry::Models` (`max_values`: None, `max_size`: Some(1521), added: 3996, mode: `MaxEncodedLen`)
	/// Storage: `ModelRegistry::ModelIdByName` (r:1 w:2)
	/// Proof: `ModelRegistry::ModelIdByName` (`max_values`: None, `max_size`: Some(138), added: 2613, mode: `MaxEncodedLen`)
	/// Storage: `System::Account` (r:2 w:2)
	/// Proof: `System::Account` (`max_values`: None, `max_size`: Some(128), added: 2603, mode: `MaxEncodedLen`)
	/// Storage: `Balances::Holds` (r:2 w:2)
	/// Proof: `Balances::Holds` (`max_values`: None, `max_size`: Some(175), added: 2650, mode: `MaxEncodedLen`)
	fn accept_ownership() -> Weight {
		// Proof size: measured 2155 bytes, estimated 6290.
		Weight::from_parts(117_884_000, 6290)
			.saturating_add(T::DbWeight::get().reads(7_u64))
			.saturating_add(T::DbWeight::get().writes(8_u64))
	}
	/// Storage: `ModelRegistry::Models` (r:1 w:1)
	/// Proof: `ModelRegistry::Models` (`max_values`: None, `max_size`: Some(1521), added: 3996, mode: `MaxEncodedLen`)
	/// Storage: `ModelRegistry::Versions` (r:1 w:1)
	/// Proof: `ModelRegistry::Versions` (`max_values`: None, `max_size`: Some(4742), added: 7217, mode: `MaxEncodedLen`)
	/// Storage: `ModelRegistry::ZkProvingKeys` (r:1 w:1)
	/// Proof: `ModelRegistry::ZkProvingKeys` (`max_values`: None, `max_size`: Some(116), added: 2591, mode: `MaxEncodedLen`)
	/// Storage: `Parameters::Parameters` (r:2 w:0)
	/// Proof: `Parameters::Parameters` (`max_values`: None, `max_size`: Some(36), added: 2511, mode: `MaxEncodedLen`)
	/// Storage: `System::Account` (r:1 w:1)
	/// Proof: `System::Account` (`max_values`: None, `max_size`: Some(128), added: 2603, mode: `MaxEncodedLen`)
	/// Storage: `Balances::Holds` (r:1 w:1)
	/// Proof: `Balances::Holds` (`max_values`: None, `max_size`: Some(175), added: 2650, mode: `MaxEncodedLen`)
	/// Storage: `ModelRegistry::ZkVerifyingKeys` (r:0 w:1)
	/// Proof: `ModelRegistry::ZkVerifyingKeys` (`max_values`: None, `max_size`: Some(16432), added: 18907, mode: `MaxEncodedLen`)
	fn set_zk_keys() -> Weight {
		// Proof size: measured 3266 bytes, estimated 8207.
		Weight::from_parts(16_278_721_000, 8207)
			.saturating_add(T::DbWeight::get().reads(7_u64))
			.saturating_add(T::DbWeight::get().writes(6_u64))
	}
}

/// The same measurements with ParityDb weights, for mocks and tests.
impl WeightInfo for () {
	fn create_model() -> Weight {
		Weight::from_parts(71_025_000, 6012)
			.saturating_add(ParityDbWeight::get().reads(6_u64))
			.saturating_add(ParityDbWeight::get().writes(5_u64))
	}
	fn publish_version() -> Weight {
		Weight::from_parts(107_930_000, 8207)
			.saturating_add(ParityDbWeight::get().reads(6_u64))
			.saturating_add(ParityDbWeight::get().writes(4_u64))
	}
	fn deprecate_version() -> Weight {
		Weight::from_parts(39_568_000, 8207)
			.saturating_add(ParityDbWeight::get().reads(2_u64))
			.saturating_add(ParityDbWeight::get().writes(1_u64))
	}
	fn take_down_version() -> Weight {
		Weight::from_parts(39_198_000, 8207)
			.saturating_add(ParityDbWeight::get().reads(2_u64))
			.saturating_add(ParityDbWeight::get().writes(1_u64))
	}
	fn remove_version() -> Weight {
		Weight::from_parts(84_115_000, 8207)
			.saturating_add(ParityDbWeight::get().reads(4_u64))
			.saturating_add(ParityDbWeight::get().writes(6_u64))
	}
	fn remove_model() -> Weight {
		Weight::from_parts(58_627_000, 4986)
			.saturating_add(ParityDbWeight::get().reads(3_u64))
			.saturating_add(ParityDbWeight::get().writes(5_u64))
	}
	fn offer_ownership() -> Weight {
		Weight::from_parts(17_325_000, 4986)
			.saturating_add(ParityDbWeight::get().reads(1_u64))
			.saturating_add(ParityDbWeight::get().writes(1_u64))
	}
	fn cancel_ownership_offer() -> Weight {
		Weight::from_parts(19_429_000, 4986)
			.saturating_add(ParityDbWeight::get().reads(2_u64))
			.saturating_add(ParityDbWeight::get().writes(1_u64))
	}
	fn accept_ownership() -> Weight {
		Weight::from_parts(117_884_000, 6290)
			.saturating_add(ParityDbWeight::get().reads(7_u64))
			.saturating_add(ParityDbWeight::get().writes(8_u64))
	}
	fn set_zk_keys() -> Weight {
		Weight::from_parts(16_278_721_000, 8207)
			.saturating_add(ParityDbWeight::get().reads(7_u64))
			.saturating_add(ParityDbWeight::get().writes(6_u64))
	}
}
