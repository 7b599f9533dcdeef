//! Weights of `pallet_inference`, measured by frame-omni-bencher 64.0.0 on 2026-12-06
//! (AMD EPYC; steps 2, repeat 20, WASM execution Compiled).
//! Regenerate with `scripts/bench-weights.sh` after changing a call; do not edit by hand.

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens, unused_imports, missing_docs)]

use core::marker::PhantomData;
use frame_support::{traits::Get, weights::{constants::ParityDbWeight, Weight}};

/// Weight functions of `pallet_inference`.
pub trait WeightInfo {
	fn register_worker() -> Weight;
	fn update_worker() -> Weight;
	fn set_min_deadline() -> Weight;
	fn bond_extra() -> Weight;
	fn unbond() -> Weight;
	fn withdraw() -> Weight;
	fn request_inference(w: u32, ) -> Weight;
	fn request_chat(w: u32, ) -> Weight;
	fn submit_result() -> Weight;
	fn authorize_submit_result() -> Weight;
	fn authorize_submit_result_forged() -> Weight;
	fn decline_request() -> Weight;
	fn expire_requests(n: u32, ) -> Weight;
}

/// Measured weights, with the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	/// Storage: `Inference::Workers` (r:1 w:1)
	/// Proof: `Inference::Workers` (`max_values`: None, `max_size`: Some(586), added: 3061, mode: `MaxEncodedLen`)
	/// Storage: `Inference::WorkerBySigningKey` (r:1 w:1)
	/// Proof: `Inference::WorkerBySigningKey` (`max_values`: None, `max_size`: Some(80), added: 2555, mode: `MaxEncodedLen`)
	/// Storage: `System::BlockHash` (r:1 w:0)
	/// Proof: `System::BlockHash` (`max_values`: None, `max_size`: Some(44), added: 2519, mode: `MaxEncodedLen`)
	/// Storage: `Inference::ActiveWorkers` (r:1 w:1)
	/// Proof: `Inference::ActiveWorkers` (`max_values`: Some(1), `max_size`: Some(2050), added: 2545, mode: `MaxEncodedLen`)
	/// Storage: `System::Account` (r:1 w:1)
	/// Proof: `System::Account` (`max_values`: None, `max_size`: Some(128), added: 2603, mode: `MaxEncodedLen`)
	/// Storage: `Balances::Holds` (r:1 w:1)
	/// Proof: `Balances::Holds` (`max_values`: None, `max_size`: Some(175), added: 2650, mode: `MaxEncodedLen`)
	fn register_worker() -> Weight {
		// Proof size: measured 4217 bytes, estimated 4051.
		Weight::from_parts(182_521_000, 4051)
			.saturating_add(T::DbWeight::get().reads(6_u64))
			.saturating_add(T::DbWeight::get().writes(5_u64))
	}
	/// Storage: `Inference::Workers` (r:1 w:1)
	/// Proof: `Inference::Workers` (`max_values`: None, `max_size`: Some(586), added: 3061, mode: `MaxEncodedLen`)
	fn update_worker() -> Weight {
		// Proof size: measured 758 bytes, estimated 4051.
		Weight::from_parts(24_456_000, 4051)
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	/// Storage: `Inference::Workers` (r:1 w:1)
	/// Proof: `Inference::Workers` (`max_values`: None, `max_size`: Some(586), added: 3061, mode: `MaxEncodedLen`)
	fn set_min_deadline() -> Weight {
		// Proof size: measured 758 bytes, estimated 4051.
		Weight::from_parts(21_261_000, 4051)
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	/// Storage: `Inference::Workers` (r:1 w:1)
	/// Proof: `Inference::Workers` (`max_values`: None, `max_size`: Some(586), added: 3061, mode: `MaxEncodedLen`)
	/// Storage: `System::Account` (r:1 w:1)
	/// Proof: `System::Account` (`max_values`: None, `max_size`: Some(128), added: 2603, mode: `MaxEncodedLen`)
	/// Storage: `Balances::Holds` (r:1 w:1)
	/// Proof: `Balances::Holds` (`max_values`: None, `max_size`: Some(175), added: 2650, mode: `MaxEncodedLen`)
	fn bond_extra() -> Weight {
		// Proof size: measured 954 bytes, estimated 4051.
		Weight::from_parts(69_383_000, 4051)
			.saturating_add(T::DbWeight::get().reads(3_u64))
			.saturating_add(T::DbWeight::get().writes(3_u64))
	}
	/// Storage: `Inference::Workers` (r:1 w:1)
	/// Proof: `Inference::Workers` (`max_values`: None, `max_size`: Some(586), added: 3061, mode: `MaxEncodedLen`)
	/// Storage: `Inference::ActiveWorkers` (r:1 w:1)
	/// Proof: `Inference::ActiveWorkers` (`max_values`: Some(1), `max_size`: Some(2050), added: 2545, mode: `MaxEncodedLen`)
	fn unbond() -> Weight {
		// Proof size: measured 3369 bytes, estimated 4051.
		Weight::from_parts(57_214_000, 4051)
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	/// Storage: `Inference::Workers` (r:1 w:1)
	/// Proof: `Inference::Workers` (`max_values`: None, `max_size`: Some(586), added: 3061, mode: `MaxEncodedLen`)
	/// Storage: `Proofs::Exposure` (r:1 w:0)
	/// Proof: `Proofs::Exposure` (`max_values`: None, `max_size`: Some(52), added: 2527, mode: `MaxEncodedLen`)
	/// Storage: `System::Account` (r:1 w:1)
	/// Proof: `System::Account` (`max_values`: None, `max_size`: Some(128), added: 2603, mode: `MaxEncodedLen`)
	/// Storage: `Balances::Holds` (r:1 w:1)
	/// Proof: `Balances::Holds` (`max_values`: None, `max_size`: Some(175), added: 2650, mode: `MaxEncodedLen`)
	/// Storage: `Inference::WorkerBySigningKey` (r:0 w:1)
	/// Proof: `Inference::WorkerBySigningKey` (`max_values`: None, `max_size`: Some(80), added: 2555, mode: `MaxEncodedLen`)
	fn withdraw() -> Weight {
		// Proof size: measured 988 bytes, estimated 4051.
		Weight::from_parts(66_930_000, 4051)
			.saturating_add(T::DbWeight::get().reads(4_u64))
			.saturating_add(T::DbWeight::get().writes(4_u64))
	}
	/// Storage: `ModelRegistry::Versions` (r:1 w:0)
	/// Proof: `ModelRegistry::Versions` (`max_values`: None, `max_size`: Some(4742), added: 7217, mode: `MaxEncodedLen`)
	/// Storage: `ModelRegistry::Models` (r:1 w:0)
	/// Proof: `ModelRegistry::Models` (`max_values`: None, `max_size`: Some(1521), added: 3996, mode: `MaxEncodedLen`)
	/// Storage: `ModelRegistry::ZkProvingKeys` (r:1 w:0)
	/// Proof: `ModelRegistry::ZkProvingKeys` (`max_values`: None, `max_size`: Some(116), added: 2591, mode: `MaxEncodedLen`)
	/// Storage: `Inference::NextRequestId` (r:1 w:1)
	/// Proof: `Inference::NextRequestId` (`max_values`: Some(1), `max_size`: Some(8), added: 503, mode: `MaxEncodedLen`)
	/// Storage: `Inference::ActiveWorkers` (r:1 w:0)
	/// Proof: `Inference::ActiveWorkers` (`max_values`: Some(1), `max_size`: Some(2050), added: 2545, mode: `MaxEncodedLen`)
	/// Storage: `Inference::Workers` (r:64 w:1)
	/// Proof: `Inference::Workers` (`max_values`: None, `max_size`: Some(586), added: 3061, mode: `MaxEncodedLen`)
	/// Storage: `System::ParentHash` (r:1 w:0)
	/// Proof: `System::ParentHash` (`max_values`: Some(1), `max_size`: Some(32), added: 527, mode: `MaxEncodedLen`)
	/// Storage: `Inference::Deadlines` (r:1 w:1)
	/// Proof: `Inference::Deadlines` (`max_values`: None, `max_size`: Some(526), added: 3001, mode: `MaxEncodedLen`)
	/// Storage: `System::Account` (r:1 w:1)
	/// Proof: `System::Account` (`max_values`: None, `max_size`: Some(128), added: 2603, mode: `MaxEncodedLen`)
	/// Storage: `Balances::Holds` (r:1 w:1)
	/// Proof: `Balances::Holds` (`max_values`: None, `max_size`: Some(175), added: 2650, mode: `MaxEncodedLen`)
	/// Storage: `Inference::Assignments` (r:0 w:1)
	/// Proof: `Inference::Assignments` (`max_values`: None, `max_size`: Some(64), added: 2539, mode: `MaxEncodedLen`)
	/// Storage: `Inference::Requests` (r:0 w:1)
	/// Proof: `Inference::Requests` (`max_values`: None, `max_size`: Some(65852), added: 68327, mode: `MaxEncodedLen`)
	fn request_inference(w: u32, ) -> Weight {
		// Proof size: measured 1017 bytes, estimated 8207.
		Weight::from_parts(672_369_653, 8207)
			.saturating_add(Weight::from_parts(7_242_071, 0).saturating_mul(w.into()))
			.saturating_add(T::DbWeight::get().reads(9_u64))
			.saturating_add(T::DbWeight::get().writes(7_u64))
			.saturating_add(T::DbWeight::get().reads((1_u64).saturating_mul(w.into())))
			.saturating_add(Weight::from_parts(0, 3061).saturating_mul(w.into()))
	}
	/// Not measured yet: `request_inference`'s measurement (the same path, plus the hold of
	/// `max_tokens` × the price per token) until `scripts/bench-weights.sh` runs again.
	fn request_chat(w: u32, ) -> Weight {
		Self::request_inference(w)
	}
	/// Storage: `Inference::Workers` (r:1 w:1)
	/// Proof: `Inference::Workers` (`max_values`: None, `max_size`: Some(586), added: 3061, mode: `MaxEncodedLen`)
	/// Storage: `Inference::Requests` (r:1 w:1)
	/// Proof: `Inference::Requests` (`max_values`: None, `max_size`: Some(65852), added: 68327, mode: `MaxEncodedLen`)
	/// Storage: `Inference::AwaitingProof` (r:1 w:0)
	/// Proof: `Inference::AwaitingProof` (`max_values`: None, `max_size`: Some(16735), added: 19210, mode: `MaxEncodedLen`)
	/// Storage: `System::BlockHash` (r:1 w:0)
	/// Proof: `System::BlockHash` (`max_values`: None, `max_size`: Some(44), added: 2519, mode: `MaxEncodedLen`)
	/// Storage: `Balances::Holds` (r:1 w:1)
	/// Proof: `Balances::Holds` (`max_values`: None, `max_size`: Some(175), added: 2650, mode: `MaxEncodedLen`)
	/// Storage: `System::Account` (r:4 w:4)
	/// Proof: `System::Account` (`max_values`: None, `max_size`: Some(128), added: 2603, mode: `MaxEncodedLen`)
	/// Storage: `Inference::Deadlines` (r:1 w:1)
	/// Proof: `Inference::Deadlines` (`max_values`: None, `max_size`: Some(526), added: 3001, mode: `MaxEncodedLen`)
	/// Storage: `Proofs::DrawCursor` (r:1 w:1)
	/// Proof: `Proofs::DrawCursor` (`max_values`: Some(1), `max_size`: Some(4), added: 499, mode: `MaxEncodedLen`)
	/// Storage: `Proofs::PendingDraws` (r:1 w:1)
	/// Proof: `Proofs::PendingDraws` (`max_values`: None, `max_size`: Some(301), added: 2776, mode: `MaxEncodedLen`)
	/// Storage: `Inference::Results` (r:0 w:1)
	/// Proof: `Inference::Results` (`max_values`: None, `max_size`: Some(82382), added: 84857, mode: `MaxEncodedLen`)
	/// Storage: `Inference::Assignments` (r:0 w:1)
	/// Proof: `Inference::Assignments` (`max_values`: None, `max_size`: Some(64), added: 2539, mode: `MaxEncodedLen`)
	fn submit_result() -> Weight {
		// Proof size: measured 67342 bytes, estimated 69317.
		Weight::from_parts(565_989_000, 69317)
			.saturating_add(T::DbWeight::get().reads(12_u64))
			.saturating_add(T::DbWeight::get().writes(12_u64))
	}
	/// Storage: `Inference::Workers` (r:1 w:0)
	/// Proof: `Inference::Workers` (`max_values`: None, `max_size`: Some(586), added: 3061, mode: `MaxEncodedLen`)
	/// Storage: `Inference::Requests` (r:1 w:0)
	/// Proof: `Inference::Requests` (`max_values`: None, `max_size`: Some(65852), added: 68327, mode: `MaxEncodedLen`)
	/// Storage: `Inference::AwaitingProof` (r:1 w:0)
	/// Proof: `Inference::AwaitingProof` (`max_values`: None, `max_size`: Some(16735), added: 19210, mode: `MaxEncodedLen`)
	/// Storage: `System::BlockHash` (r:1 w:0)
	/// Proof: `System::BlockHash` (`max_values`: None, `max_size`: Some(44), added: 2519, mode: `MaxEncodedLen`)
	fn authorize_submit_result() -> Weight {
		// Proof size: measured 66755 bytes, estimated 69317.
		Weight::from_parts(240_787_000, 69317)
			.saturating_add(T::DbWeight::get().reads(4_u64))
			.saturating_add(T::DbWeight::get().writes(0_u64))
	}
	/// Storage: `Inference::Workers` (r:1 w:0)
	/// Proof: `Inference::Workers` (`max_values`: None, `max_size`: Some(586), added: 3061, mode: `MaxEncodedLen`)
	fn authorize_submit_result_forged() -> Weight {
		// Proof size: measured 828 bytes, estimated 4051.
		Weight::from_parts(16_545_000, 4051)
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(0_u64))
	}
	/// Storage: `Inference::Workers` (r:1 w:1)
	/// Proof: `Inference::Workers` (`max_values`: None, `max_size`: Some(586), added: 3061, mode: `MaxEncodedLen`)
	/// Storage: `System::BlockHash` (r:1 w:0)
	/// Proof: `System::BlockHash` (`max_values`: None, `max_size`: Some(44), added: 2519, mode: `MaxEncodedLen`)
	/// Storage: `Inference::Requests` (r:1 w:1)
	/// Proof: `Inference::Requests` (`max_values`: None, `max_size`: Some(65852), added: 68327, mode: `MaxEncodedLen`)
	/// Storage: `Inference::AwaitingProof` (r:1 w:0)
	/// Proof: `Inference::AwaitingProof` (`max_values`: None, `max_size`: Some(16735), added: 19210, mode: `MaxEncodedLen`)
	/// Storage: `System::Account` (r:1 w:1)
	/// Proof: `System::Account` (`max_values`: None, `max_size`: Some(128), added: 2603, mode: `MaxEncodedLen`)
	/// Storage: `Balances::Holds` (r:1 w:1)
	/// Proof: `Balances::Holds` (`max_values`: None, `max_size`: Some(175), added: 2650, mode: `MaxEncodedLen`)
	/// Storage: `Inference::Deadlines` (r:1 w:1)
	/// Proof: `Inference::Deadlines` (`max_values`: None, `max_size`: Some(526), added: 3001, mode: `MaxEncodedLen`)
	/// Storage: `Inference::Assignments` (r:0 w:1)
	/// Proof: `Inference::Assignments` (`max_values`: None, `max_size`: Some(64), added: 2539, mode: `MaxEncodedLen`)
	fn decline_request() -> Weight {
		// Proof size: measured 1547 bytes, estimated 69317.
		Weight::from_parts(143_713_000, 69317)
			.saturating_add(T::DbWeight::get().reads(7_u64))
			.saturating_add(T::DbWeight::get().writes(6_u64))
	}
	/// Storage: `Inference::Deadlines` (r:1 w:1)
	/// Proof: `Inference::Deadlines` (`max_values`: None, `max_size`: Some(526), added: 3001, mode: `MaxEncodedLen`)
	/// Storage: `Inference::Requests` (r:64 w:64)
	/// Proof: `Inference::Requests` (`max_values`: None, `max_size`: Some(65852), added: 68327, mode: `MaxEncodedLen`)
	/// Storage: `System::Account` (r:66 w:66)
	/// Proof: `System::Account` (`max_values`: None, `max_size`: Some(128), added: 2603, mode: `MaxEncodedLen`)
	/// Storage: `Balances::Holds` (r:65 w:65)
	/// Proof: `Balances::Holds` (`max_values`: None, `max_size`: Some(175), added: 2650, mode: `MaxEncodedLen`)
	/// Storage: `Inference::AwaitingProof` (r:64 w:0)
	/// Proof: `Inference::AwaitingProof` (`max_values`: None, `max_size`: Some(16735), added: 19210, mode: `MaxEncodedLen`)
	/// Storage: `Inference::Workers` (r:1 w:1)
	/// Proof: `Inference::Workers` (`max_values`: None, `max_size`: Some(586), added: 3061, mode: `MaxEncodedLen`)
	/// Storage: `ModelRegistry::Versions` (r:1 w:0)
	/// Proof: `ModelRegistry::Versions` (`max_values`: None, `max_size`: Some(4742), added: 7217, mode: `MaxEncodedLen`)
	/// Storage: `ModelRegistry::Models` (r:1 w:0)
	/// Proof: `ModelRegistry::Models` (`max_values`: None, `max_size`: Some(1521), added: 3996, mode: `MaxEncodedLen`)
	/// Storage: `ModelRegistry::ZkProvingKeys` (r:1 w:0)
	/// Proof: `ModelRegistry::ZkProvingKeys` (`max_values`: None, `max_size`: Some(116), added: 2591, mode: `MaxEncodedLen`)
	/// Storage: `Inference::Assignments` (r:0 w:64)
	/// Proof: `Inference::Assignments` (`max_values`: None, `max_size`: Some(64), added: 2539, mode: `MaxEncodedLen`)
	fn expire_requests(n: u32, ) -> Weight {
		// Proof size: measured 80 bytes, estimated 3991.
		Weight::from_parts(5_514_157, 3991)
			.saturating_add(Weight::from_parts(165_980_880, 0).saturating_mul(n.into()))
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(0_u64))
			.saturating_add(T::DbWeight::get().reads((4_u64).saturating_mul(n.into())))
			.saturating_add(T::DbWeight::get().writes((4_u64).saturating_mul(n.into())))
			.saturating_add(Weight::from_parts(0, 68326).saturating_mul(n.into()))
	}
}

/// The same measurements with ParityDb weights, for mocks and tests.
impl WeightInfo for () {
	fn register_worker() -> Weight {
		Weight::from_parts(182_521_000, 4051)
			.saturating_add(ParityDbWeight::get().reads(6_u64))
			.saturating_add(ParityDbWeight::get().writes(5_u64))
	}
	fn update_worker() -> Weight {
		Weight::from_parts(24_456_000, 4051)
			.saturating_add(ParityDbWeight::get().reads(1_u64))
			.saturating_add(ParityDbWeight::get().writes(1_u64))
	}
	fn set_min_deadline() -> Weight {
		Weight::from_parts(21_261_000, 4051)
			.saturating_add(ParityDbWeight::get().reads(1_u64))
			.saturating_add(ParityDbWeight::get().writes(1_u64))
	}
	fn bond_extra() -> Weight {
		Weight::from_parts(69_383_000, 4051)
			.saturating_add(ParityDbWeight::get().reads(3_u64))
			.saturating_add(ParityDbWeight::get().writes(3_u64))
	}
	fn unbond() -> Weight {
		Weight::from_parts(57_214_000, 4051)
			.saturating_add(ParityDbWeight::get().reads(2_u64))
			.saturating_add(ParityDbWeight::get().writes(2_u64))
	}
	fn withdraw() -> Weight {
		Weight::from_parts(66_930_000, 4051)
			.saturating_add(ParityDbWeight::get().reads(4_u64))
			.saturating_add(ParityDbWeight::get().writes(4_u64))
	}
	fn request_inference(w: u32, ) -> Weight {
		Weight::from_parts(672_369_653, 8207)
			.saturating_add(Weight::from_parts(7_242_071, 0).saturating_mul(w.into()))
			.saturating_add(ParityDbWeight::get().reads(9_u64))
			.saturating_add(ParityDbWeight::get().writes(7_u64))
	}
	fn request_chat(w: u32, ) -> Weight {
		Self::request_inference(w)
	}
	fn submit_result() -> Weight {
		Weight::from_parts(565_989_000, 69317)
			.saturating_add(ParityDbWeight::get().reads(12_u64))
			.saturating_add(ParityDbWeight::get().writes(12_u64))
	}
	fn authorize_submit_result() -> Weight {
		Weight::from_parts(240_787_000, 69317)
			.saturating_add(ParityDbWeight::get().reads(4_u64))
			.saturating_add(ParityDbWeight::get().writes(0_u64))
	}
	fn authorize_submit_result_forged() -> Weight {
		Weight::from_parts(16_545_000, 4051)
			.saturating_add(ParityDbWeight::get().reads(1_u64))
			.saturating_add(ParityDbWeight::get().writes(0_u64))
	}
	fn decline_request() -> Weight {
		Weight::from_parts(143_713_000, 69317)
			.saturating_add(ParityDbWeight::get().reads(7_u64))
			.saturating_add(ParityDbWeight::get().writes(6_u64))
	}
	fn expire_requests(n: u32, ) -> Weight {
		Weight::from_parts(5_514_157, 3991)
			.saturating_add(Weight::from_parts(165_980_880, 0).saturating_mul(n.into()))
			.saturating_add(ParityDbWeight::get().reads(1_u64))
			.saturating_add(ParityDbWeight::get().writes(0_u64))
	}
}
