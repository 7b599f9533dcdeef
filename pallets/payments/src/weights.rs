//! Weights of `pallet_payments`.
//!
//! Not yet measured: upper bounds derived by hand from the storage each call touches and from
//! the runtime's measured calls of similar work (a secp256k1 recovery through the host
//! function is about 60 µs natively; three Keccak-256 hashes and a balance transfer). Regenerate
//! with `scripts/bench-weights.sh` (frame-omni-bencher) once it has run on this pallet; do not
//! edit by hand afterwards.

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens, unused_imports, missing_docs)]

use core::marker::PhantomData;
use frame_support::{traits::Get, weights::{constants::ParityDbWeight, Weight}};

/// Weight functions of `pallet_payments`.
pub trait WeightInfo {
	fn settle() -> Weight;
	fn prune(n: u32, ) -> Weight;
}

/// Weights with the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	/// Storage: `Timestamp::Now` (r:1 w:0)
	/// Storage: `Payments::UsedNonces` (r:1 w:1)
	/// Storage: `Payments::Expiring` (r:0 w:1)
	/// Storage: `Payments::PruneCursor` (r:1 w:1)
	/// Storage: `System::Account` (r:2 w:2)
	fn settle() -> Weight {
		Weight::from_parts(150_000_000, 8_000)
			.saturating_add(T::DbWeight::get().reads(6_u64))
			.saturating_add(T::DbWeight::get().writes(5_u64))
	}
	/// A bucket of `n` entries drained.
	/// Storage: `Timestamp::Now` (r:1 w:0)
	/// Storage: `Payments::Expiring` (r:n+1 w:n)
	/// Storage: `Payments::UsedNonces` (r:0 w:n)
	fn prune(n: u32, ) -> Weight {
		Weight::from_parts(10_000_000, 4_000)
			.saturating_add(Weight::from_parts(3_000_000, 0).saturating_mul(n.into()))
			.saturating_add(Weight::from_parts(0, 120).saturating_mul(n.into()))
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
			.saturating_add(T::DbWeight::get().reads_writes((1_u64).saturating_mul(n.into()), (2_u64).saturating_mul(n.into())))
	}
}

impl WeightInfo for () {
	fn settle() -> Weight {
		Weight::from_parts(150_000_000, 8_000)
			.saturating_add(ParityDbWeight::get().reads(6_u64))
			.saturating_add(ParityDbWeight::get().writes(5_u64))
	}
	fn prune(n: u32, ) -> Weight {
		Weight::from_parts(10_000_000, 4_000)
			.saturating_add(Weight::from_parts(3_000_000, 0).saturating_mul(n.into()))
			.saturating_add(Weight::from_parts(0, 120).saturating_mul(n.into()))
			.saturating_add(ParityDbWeight::get().reads(2_u64))
			.saturating_add(ParityDbWeight::get().writes(1_u64))
			.saturating_add(ParityDbWeight::get().reads_writes((1_u64).saturating_mul(n.into()), (2_u64).saturating_mul(n.into())))
	}
}
