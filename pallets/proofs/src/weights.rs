//! Weights of `pallet_proofs`. Placeholder values until `scripts/bench-weights.sh` measures them;
//! do not edit by hand once generated.

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens, unused_imports, missing_docs)]

use core::marker::PhantomData;
use frame_support::{traits::Get, weights::{constants::ParityDbWeight, Weight}};

/// Weight functions of `pallet_proofs`.
pub trait WeightInfo {
	fn approve_pcr_set() -> Weight;
	fn revoke_pcr_set() -> Weight;
	fn set_attestation_root() -> Weight;
	fn attest(c: u32, ) -> Weight;
	fn attest_cached() -> Weight;
	fn submit_batch() -> Weight;
	fn challenge_leaf(d: u32, ) -> Weight;
	fn finalize_batches(n: u32, ) -> Weight;
	fn dispute_result() -> Weight;
	fn record_receipt() -> Weight;
}

/// Measured weights, with the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn approve_pcr_set() -> Weight {
		Weight::from_parts(20_000_000, 3600)
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	fn revoke_pcr_set() -> Weight {
		Weight::from_parts(20_000_000, 3600)
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	fn set_attestation_root() -> Weight {
		Weight::from_parts(20_000_000, 0)
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	fn attest(c: u32, ) -> Weight {
		Weight::from_parts(50_000_000, 20_000)
			.saturating_add(Weight::from_parts(5_000_000_000, 0).saturating_mul(c.into()))
			.saturating_add(T::DbWeight::get().reads(6_u64))
			.saturating_add(T::DbWeight::get().writes(3_u64))
	}
	fn attest_cached() -> Weight {
		Weight::from_parts(2_000_000_000, 20_000)
			.saturating_add(T::DbWeight::get().reads(6_u64))
			.saturating_add(T::DbWeight::get().writes(3_u64))
	}
	fn submit_batch() -> Weight {
		Weight::from_parts(40_000_000, 6000)
			.saturating_add(T::DbWeight::get().reads(5_u64))
			.saturating_add(T::DbWeight::get().writes(3_u64))
	}
	fn challenge_leaf(d: u32, ) -> Weight {
		Weight::from_parts(200_000_000, 8000)
			.saturating_add(Weight::from_parts(2_000_000, 0).saturating_mul(d.into()))
			.saturating_add(T::DbWeight::get().reads(6_u64))
			.saturating_add(T::DbWeight::get().writes(6_u64))
	}
	fn record_receipt() -> Weight {
		Weight::from_parts(150_000_000, 4000)
			.saturating_add(T::DbWeight::get().reads(4_u64))
	}
	fn dispute_result() -> Weight {
		Weight::from_parts(30_000_000, 4000)
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	fn finalize_batches(n: u32, ) -> Weight {
		Weight::from_parts(5_000_000, 1000)
			.saturating_add(Weight::from_parts(10_000_000, 3000).saturating_mul(n.into()))
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().reads((1_u64).saturating_mul(n.into())))
			.saturating_add(T::DbWeight::get().writes(1_u64))
			.saturating_add(T::DbWeight::get().writes((1_u64).saturating_mul(n.into())))
	}
}

impl WeightInfo for () {
	fn dispute_result() -> Weight { Weight::zero() }
	fn record_receipt() -> Weight { Weight::zero() }
	fn approve_pcr_set() -> Weight { Weight::zero() }
	fn revoke_pcr_set() -> Weight { Weight::zero() }
	fn set_attestation_root() -> Weight { Weight::zero() }
	fn attest(_c: u32, ) -> Weight { Weight::zero() }
	fn attest_cached() -> Weight { Weight::zero() }
	fn submit_batch() -> Weight { Weight::zero() }
	fn challenge_leaf(_d: u32, ) -> Weight { Weight::zero() }
	fn finalize_batches(_n: u32, ) -> Weight { Weight::zero() }
}
