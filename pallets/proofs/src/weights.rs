//! Weights of `pallet_proofs`, measured by frame-omni-bencher 64.0.0 on 2026-12-06
//! (AMD EPYC; steps 2, repeat 20, WASM execution Compiled).
//! Regenerate with `scripts/bench-weights.sh` after changing a call; do not edit by hand.

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
	fn set_max_check_fee() -> Weight;
	fn submit_batch() -> Weight;
	fn challenge_leaf(d: u32, ) -> Weight;
	fn record_receipt() -> Weight;
	fn dispute_result() -> Weight;
	fn finalize_batches(n: u32, ) -> Weight;
	fn submit_proof() -> Weight;
	fn authorize_submit_proof() -> Weight;
	fn authorize_submit_proof_forged() -> Weight;
}

/// Measured weights, with the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	/// Storage: `Proofs::ApprovedPcrSets` (r:1 w:1)
	/// Proof: `Proofs::ApprovedPcrSets` (`max_values`: None, `max_size`: Some(177), added: 2652, mode: `MaxEncodedLen`)
	fn approve_pcr_set() -> Weight {
		// Proof size: measured 43 bytes, estimated 3642.
		Weight::from_parts(11_767_000, 3642)
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	/// Storage: `Proofs::ApprovedPcrSets` (r:1 w:1)
	/// Proof: `Proofs::ApprovedPcrSets` (`max_values`: None, `max_size`: Some(177), added: 2652, mode: `MaxEncodedLen`)
	fn revoke_pcr_set() -> Weight {
		// Proof size: measured 244 bytes, estimated 3642.
		Weight::from_parts(10_596_000, 3642)
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	/// Storage: `Proofs::CertificateCache` (r:0 w:1)
	/// Proof: `Proofs::CertificateCache` (`max_values`: Some(1), `max_size`: Some(2562), added: 3057, mode: `MaxEncodedLen`)
	/// Storage: `Proofs::AttestationRoot` (r:0 w:1)
	/// Proof: `Proofs::AttestationRoot` (`max_values`: Some(1), `max_size`: Some(2050), added: 2545, mode: `MaxEncodedLen`)
	fn set_attestation_root() -> Weight {
		// Proof size: measured 0 bytes, estimated 0.
		Weight::from_parts(8_403_000, 0)
			.saturating_add(T::DbWeight::get().reads(0_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	/// Storage: `Inference::Workers` (r:1 w:0)
	/// Proof: `Inference::Workers` (`max_values`: None, `max_size`: Some(586), added: 3061, mode: `MaxEncodedLen`)
	/// Storage: `Timestamp::Now` (r:1 w:0)
	/// Proof: `Timestamp::Now` (`max_values`: Some(1), `max_size`: Some(8), added: 503, mode: `MaxEncodedLen`)
	/// Storage: `Proofs::AttestationRoot` (r:1 w:0)
	/// Proof: `Proofs::AttestationRoot` (`max_values`: Some(1), `max_size`: Some(2050), added: 2545, mode: `MaxEncodedLen`)
	/// Storage: `Proofs::CertificateCache` (r:1 w:1)
	/// Proof: `Proofs::CertificateCache` (`max_values`: Some(1), `max_size`: Some(2562), added: 3057, mode: `MaxEncodedLen`)
	/// Storage: `Proofs::ApprovedPcrSets` (r:1 w:0)
	/// Proof: `Proofs::ApprovedPcrSets` (`max_values`: None, `max_size`: Some(177), added: 2652, mode: `MaxEncodedLen`)
	/// Storage: `System::BlockHash` (r:1 w:0)
	/// Proof: `System::BlockHash` (`max_values`: None, `max_size`: Some(44), added: 2519, mode: `MaxEncodedLen`)
	/// Storage: `Proofs::AttestationCount` (r:1 w:1)
	/// Proof: `Proofs::AttestationCount` (`max_values`: None, `max_size`: Some(56), added: 2531, mode: `MaxEncodedLen`)
	/// Storage: `Proofs::AttestedSpans` (r:1 w:1)
	/// Proof: `Proofs::AttestedSpans` (`max_values`: None, `max_size`: Some(817), added: 3292, mode: `MaxEncodedLen`)
	/// Storage: `Proofs::Attestations` (r:0 w:1)
	/// Proof: `Proofs::Attestations` (`max_values`: None, `max_size`: Some(227), added: 2702, mode: `MaxEncodedLen`)
	fn attest(c: u32, ) -> Weight {
		// Proof size: measured 1131 bytes, estimated 4282.
		Weight::from_parts(161_669_761, 4282)
			.saturating_add(Weight::from_parts(9_306_913_485, 0).saturating_mul(c.into()))
			.saturating_add(T::DbWeight::get().reads(8_u64))
			.saturating_add(T::DbWeight::get().writes(3_u64))
	}
	/// Storage: `Inference::Workers` (r:1 w:0)
	/// Proof: `Inference::Workers` (`max_values`: None, `max_size`: Some(586), added: 3061, mode: `MaxEncodedLen`)
	/// Storage: `Timestamp::Now` (r:1 w:0)
	/// Proof: `Timestamp::Now` (`max_values`: Some(1), `max_size`: Some(8), added: 503, mode: `MaxEncodedLen`)
	/// Storage: `Proofs::AttestationRoot` (r:1 w:0)
	/// Proof: `Proofs::AttestationRoot` (`max_values`: Some(1), `max_size`: Some(2050), added: 2545, mode: `MaxEncodedLen`)
	/// Storage: `Proofs::CertificateCache` (r:1 w:0)
	/// Proof: `Proofs::CertificateCache` (`max_values`: Some(1), `max_size`: Some(2562), added: 3057, mode: `MaxEncodedLen`)
	/// Storage: `Proofs::ApprovedPcrSets` (r:1 w:0)
	/// Proof: `Proofs::ApprovedPcrSets` (`max_values`: None, `max_size`: Some(177), added: 2652, mode: `MaxEncodedLen`)
	/// Storage: `System::BlockHash` (r:1 w:0)
	/// Proof: `System::BlockHash` (`max_values`: None, `max_size`: Some(44), added: 2519, mode: `MaxEncodedLen`)
	/// Storage: `Proofs::AttestationCount` (r:1 w:1)
	/// Proof: `Proofs::AttestationCount` (`max_values`: None, `max_size`: Some(56), added: 2531, mode: `MaxEncodedLen`)
	/// Storage: `Proofs::AttestedSpans` (r:1 w:1)
	/// Proof: `Proofs::AttestedSpans` (`max_values`: None, `max_size`: Some(817), added: 3292, mode: `MaxEncodedLen`)
	/// Storage: `Proofs::Attestations` (r:0 w:1)
	/// Proof: `Proofs::Attestations` (`max_values`: None, `max_size`: Some(227), added: 2702, mode: `MaxEncodedLen`)
	fn attest_cached() -> Weight {
		// Proof size: measured 1508 bytes, estimated 4282.
		Weight::from_parts(19_103_939_000, 4282)
			.saturating_add(T::DbWeight::get().reads(8_u64))
			.saturating_add(T::DbWeight::get().writes(3_u64))
	}
	/// Storage: `Proofs::MaxCheckFee` (r:0 w:1)
	/// Proof: `Proofs::MaxCheckFee` (`max_values`: Some(1), `max_size`: Some(16), added: 511, mode: `MaxEncodedLen`)
	fn set_max_check_fee() -> Weight {
		// Proof size: measured 0 bytes, estimated 0.
		Weight::from_parts(6_650_000, 0)
			.saturating_add(T::DbWeight::get().reads(0_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	/// Storage: `Inference::Workers` (r:1 w:0)
	/// Proof: `Inference::Workers` (`max_values`: None, `max_size`: Some(586), added: 3061, mode: `MaxEncodedLen`)
	/// Storage: `Proofs::LastBatchAt` (r:1 w:1)
	/// Proof: `Proofs::LastBatchAt` (`max_values`: None, `max_size`: Some(52), added: 2527, mode: `MaxEncodedLen`)
	/// Storage: `Proofs::Exposure` (r:1 w:1)
	/// Proof: `Proofs::Exposure` (`max_values`: None, `max_size`: Some(52), added: 2527, mode: `MaxEncodedLen`)
	/// Storage: `Proofs::NextBatchId` (r:1 w:1)
	/// Proof: `Proofs::NextBatchId` (`max_values`: Some(1), `max_size`: Some(8), added: 503, mode: `MaxEncodedLen`)
	/// Storage: `Proofs::BatchWindows` (r:1 w:1)
	/// Proof: `Proofs::BatchWindows` (`max_values`: None, `max_size`: Some(526), added: 3001, mode: `MaxEncodedLen`)
	/// Storage: `Proofs::Attestations` (r:1 w:0)
	/// Proof: `Proofs::Attestations` (`max_values`: None, `max_size`: Some(227), added: 2702, mode: `MaxEncodedLen`)
	/// Storage: `Proofs::Batches` (r:0 w:1)
	/// Proof: `Proofs::Batches` (`max_values`: None, `max_size`: Some(417), added: 2892, mode: `MaxEncodedLen`)
	fn submit_batch() -> Weight {
		// Proof size: measured 450 bytes, estimated 4051.
		Weight::from_parts(41_181_000, 4051)
			.saturating_add(T::DbWeight::get().reads(6_u64))
			.saturating_add(T::DbWeight::get().writes(5_u64))
	}
	/// Storage: `Proofs::Batches` (r:1 w:1)
	/// Proof: `Proofs::Batches` (`max_values`: None, `max_size`: Some(417), added: 2892, mode: `MaxEncodedLen`)
	/// Storage: `ModelRegistry::Versions` (r:1 w:0)
	/// Proof: `ModelRegistry::Versions` (`max_values`: None, `max_size`: Some(4742), added: 7217, mode: `MaxEncodedLen`)
	/// Storage: `Proofs::AttestedSpans` (r:1 w:0)
	/// Proof: `Proofs::AttestedSpans` (`max_values`: None, `max_size`: Some(817), added: 3292, mode: `MaxEncodedLen`)
	/// Storage: `System::BlockHash` (r:1 w:0)
	/// Proof: `System::BlockHash` (`max_values`: None, `max_size`: Some(44), added: 2519, mode: `MaxEncodedLen`)
	/// Storage: `Inference::Workers` (r:1 w:1)
	/// Proof: `Inference::Workers` (`max_values`: None, `max_size`: Some(586), added: 3061, mode: `MaxEncodedLen`)
	/// Storage: `Balances::Holds` (r:1 w:1)
	/// Proof: `Balances::Holds` (`max_values`: None, `max_size`: Some(175), added: 2650, mode: `MaxEncodedLen`)
	/// Storage: `System::Account` (r:3 w:3)
	/// Proof: `System::Account` (`max_values`: None, `max_size`: Some(128), added: 2603, mode: `MaxEncodedLen`)
	fn challenge_leaf(d: u32, ) -> Weight {
		// Proof size: measured 1283 bytes, estimated 8799.
		Weight::from_parts(211_722_801, 8799)
			.saturating_add(Weight::from_parts(662_417, 0).saturating_mul(d.into()))
			.saturating_add(T::DbWeight::get().reads(9_u64))
			.saturating_add(T::DbWeight::get().writes(6_u64))
	}
	/// Storage: `Inference::Workers` (r:1 w:0)
	/// Proof: `Inference::Workers` (`max_values`: None, `max_size`: Some(586), added: 3061, mode: `MaxEncodedLen`)
	/// Storage: `ModelRegistry::Versions` (r:1 w:0)
	/// Proof: `ModelRegistry::Versions` (`max_values`: None, `max_size`: Some(4742), added: 7217, mode: `MaxEncodedLen`)
	/// Storage: `Proofs::AttestedSpans` (r:1 w:0)
	/// Proof: `Proofs::AttestedSpans` (`max_values`: None, `max_size`: Some(817), added: 3292, mode: `MaxEncodedLen`)
	/// Storage: `System::BlockHash` (r:1 w:0)
	/// Proof: `System::BlockHash` (`max_values`: None, `max_size`: Some(44), added: 2519, mode: `MaxEncodedLen`)
	fn record_receipt() -> Weight {
		// Proof size: measured 482 bytes, estimated 8207.
		Weight::from_parts(102_882_000, 8207)
			.saturating_add(T::DbWeight::get().reads(4_u64))
			.saturating_add(T::DbWeight::get().writes(0_u64))
	}
	/// Storage: `Inference::Results` (r:1 w:0)
	/// Proof: `Inference::Results` (`max_values`: None, `max_size`: Some(82382), added: 84857, mode: `MaxEncodedLen`)
	/// Storage: `ModelRegistry::Versions` (r:1 w:0)
	/// Proof: `ModelRegistry::Versions` (`max_values`: None, `max_size`: Some(4742), added: 7217, mode: `MaxEncodedLen`)
	/// Storage: `ModelRegistry::Models` (r:1 w:0)
	/// Proof: `ModelRegistry::Models` (`max_values`: None, `max_size`: Some(1521), added: 3996, mode: `MaxEncodedLen`)
	/// Storage: `ModelRegistry::ZkProvingKeys` (r:1 w:0)
	/// Proof: `ModelRegistry::ZkProvingKeys` (`max_values`: None, `max_size`: Some(116), added: 2591, mode: `MaxEncodedLen`)
	/// Storage: `Proofs::Samples` (r:1 w:1)
	/// Proof: `Proofs::Samples` (`max_values`: None, `max_size`: Some(347), added: 2822, mode: `MaxEncodedLen`)
	/// Storage: `Proofs::Judged` (r:1 w:0)
	/// Proof: `Proofs::Judged` (`max_values`: None, `max_size`: Some(16), added: 2491, mode: `MaxEncodedLen`)
	/// Storage: `System::Account` (r:1 w:1)
	/// Proof: `System::Account` (`max_values`: None, `max_size`: Some(128), added: 2603, mode: `MaxEncodedLen`)
	/// Storage: `Balances::Holds` (r:1 w:1)
	/// Proof: `Balances::Holds` (`max_values`: None, `max_size`: Some(175), added: 2650, mode: `MaxEncodedLen`)
	/// Storage: `Proofs::DrawCursor` (r:1 w:1)
	/// Proof: `Proofs::DrawCursor` (`max_values`: Some(1), `max_size`: Some(4), added: 499, mode: `MaxEncodedLen`)
	/// Storage: `Proofs::PendingDraws` (r:1 w:1)
	/// Proof: `Proofs::PendingDraws` (`max_values`: None, `max_size`: Some(301), added: 2776, mode: `MaxEncodedLen`)
	/// Storage: `Proofs::Exposure` (r:1 w:1)
	/// Proof: `Proofs::Exposure` (`max_values`: None, `max_size`: Some(52), added: 2527, mode: `MaxEncodedLen`)
	/// Storage: `Proofs::DisputeBonds` (r:0 w:1)
	/// Proof: `Proofs::DisputeBonds` (`max_values`: None, `max_size`: Some(64), added: 2539, mode: `MaxEncodedLen`)
	fn dispute_result() -> Weight {
		// Proof size: measured 67076 bytes, estimated 85847.
		Weight::from_parts(198_143_000, 85847)
			.saturating_add(T::DbWeight::get().reads(11_u64))
			.saturating_add(T::DbWeight::get().writes(7_u64))
	}
	/// Storage: `Proofs::BatchWindows` (r:1 w:1)
	/// Proof: `Proofs::BatchWindows` (`max_values`: None, `max_size`: Some(526), added: 3001, mode: `MaxEncodedLen`)
	/// Storage: `Proofs::Batches` (r:64 w:64)
	/// Proof: `Proofs::Batches` (`max_values`: None, `max_size`: Some(417), added: 2892, mode: `MaxEncodedLen`)
	/// Storage: `Proofs::Exposure` (r:1 w:1)
	/// Proof: `Proofs::Exposure` (`max_values`: None, `max_size`: Some(52), added: 2527, mode: `MaxEncodedLen`)
	fn finalize_batches(n: u32, ) -> Weight {
		// Proof size: measured 43 bytes, estimated 3991.
		Weight::from_parts(4_594_477, 3991)
			.saturating_add(Weight::from_parts(7_911_179, 0).saturating_mul(n.into()))
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(0_u64))
			.saturating_add(T::DbWeight::get().reads((1_u64).saturating_mul(n.into())))
			.saturating_add(T::DbWeight::get().writes((1_u64).saturating_mul(n.into())))
			.saturating_add(Weight::from_parts(0, 2907).saturating_mul(n.into()))
	}
	/// Storage: `Inference::AwaitingProof` (r:1 w:1)
	/// Proof: `Inference::AwaitingProof` (`max_values`: None, `max_size`: Some(16735), added: 19210, mode: `MaxEncodedLen`)
	/// Storage: `System::BlockHash` (r:1 w:0)
	/// Proof: `System::BlockHash` (`max_values`: None, `max_size`: Some(44), added: 2519, mode: `MaxEncodedLen`)
	/// Storage: `Inference::Requests` (r:1 w:1)
	/// Proof: `Inference::Requests` (`max_values`: None, `max_size`: Some(65852), added: 68327, mode: `MaxEncodedLen`)
	/// Storage: `ModelRegistry::ZkVerifyingKeys` (r:1 w:0)
	/// Proof: `ModelRegistry::ZkVerifyingKeys` (`max_values`: None, `max_size`: Some(16432), added: 18907, mode: `MaxEncodedLen`)
	/// Storage: `System::Account` (r:3 w:3)
	/// Proof: `System::Account` (`max_values`: None, `max_size`: Some(128), added: 2603, mode: `MaxEncodedLen`)
	/// Storage: `Balances::Holds` (r:2 w:2)
	/// Proof: `Balances::Holds` (`max_values`: None, `max_size`: Some(175), added: 2650, mode: `MaxEncodedLen`)
	/// Storage: `Inference::Deadlines` (r:1 w:1)
	/// Proof: `Inference::Deadlines` (`max_values`: None, `max_size`: Some(526), added: 3001, mode: `MaxEncodedLen`)
	/// Storage: `Inference::Workers` (r:1 w:1)
	/// Proof: `Inference::Workers` (`max_values`: None, `max_size`: Some(586), added: 3061, mode: `MaxEncodedLen`)
	/// Storage: `Inference::Assignments` (r:0 w:1)
	/// Proof: `Inference::Assignments` (`max_values`: None, `max_size`: Some(64), added: 2539, mode: `MaxEncodedLen`)
	fn submit_proof() -> Weight {
		// Proof size: measured 23120 bytes, estimated 69317.
		Weight::from_parts(7_511_745_000, 69317)
			.saturating_add(T::DbWeight::get().reads(11_u64))
			.saturating_add(T::DbWeight::get().writes(10_u64))
	}
	/// Storage: `Inference::AwaitingProof` (r:1 w:0)
	/// Proof: `Inference::AwaitingProof` (`max_values`: None, `max_size`: Some(16735), added: 19210, mode: `MaxEncodedLen`)
	/// Storage: `System::BlockHash` (r:1 w:0)
	/// Proof: `System::BlockHash` (`max_values`: None, `max_size`: Some(44), added: 2519, mode: `MaxEncodedLen`)
	fn authorize_submit_proof() -> Weight {
		// Proof size: measured 666 bytes, estimated 20200.
		Weight::from_parts(69_012_000, 20200)
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(0_u64))
	}
	/// Storage: `Inference::AwaitingProof` (r:1 w:0)
	/// Proof: `Inference::AwaitingProof` (`max_values`: None, `max_size`: Some(16735), added: 19210, mode: `MaxEncodedLen`)
	/// Storage: `System::BlockHash` (r:1 w:0)
	/// Proof: `System::BlockHash` (`max_values`: None, `max_size`: Some(44), added: 2519, mode: `MaxEncodedLen`)
	fn authorize_submit_proof_forged() -> Weight {
		// Proof size: measured 666 bytes, estimated 20200.
		Weight::from_parts(22_293_000, 20200)
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(0_u64))
	}
}

/// The same measurements with ParityDb weights, for mocks and tests.
impl WeightInfo for () {
	fn approve_pcr_set() -> Weight {
		Weight::from_parts(11_767_000, 3642)
			.saturating_add(ParityDbWeight::get().reads(1_u64))
			.saturating_add(ParityDbWeight::get().writes(1_u64))
	}
	fn revoke_pcr_set() -> Weight {
		Weight::from_parts(10_596_000, 3642)
			.saturating_add(ParityDbWeight::get().reads(1_u64))
			.saturating_add(ParityDbWeight::get().writes(1_u64))
	}
	fn set_attestation_root() -> Weight {
		Weight::from_parts(8_403_000, 0)
			.saturating_add(ParityDbWeight::get().reads(0_u64))
			.saturating_add(ParityDbWeight::get().writes(2_u64))
	}
	fn attest(c: u32, ) -> Weight {
		Weight::from_parts(161_669_761, 4282)
			.saturating_add(Weight::from_parts(9_306_913_485, 0).saturating_mul(c.into()))
			.saturating_add(ParityDbWeight::get().reads(8_u64))
			.saturating_add(ParityDbWeight::get().writes(3_u64))
	}
	fn attest_cached() -> Weight {
		Weight::from_parts(19_103_939_000, 4282)
			.saturating_add(ParityDbWeight::get().reads(8_u64))
			.saturating_add(ParityDbWeight::get().writes(3_u64))
	}
	fn set_max_check_fee() -> Weight {
		Weight::from_parts(6_650_000, 0)
			.saturating_add(ParityDbWeight::get().reads(0_u64))
			.saturating_add(ParityDbWeight::get().writes(1_u64))
	}
	fn submit_batch() -> Weight {
		Weight::from_parts(41_181_000, 4051)
			.saturating_add(ParityDbWeight::get().reads(6_u64))
			.saturating_add(ParityDbWeight::get().writes(5_u64))
	}
	fn challenge_leaf(d: u32, ) -> Weight {
		Weight::from_parts(211_722_801, 8799)
			.saturating_add(Weight::from_parts(662_417, 0).saturating_mul(d.into()))
			.saturating_add(ParityDbWeight::get().reads(9_u64))
			.saturating_add(ParityDbWeight::get().writes(6_u64))
	}
	fn record_receipt() -> Weight {
		Weight::from_parts(102_882_000, 8207)
			.saturating_add(ParityDbWeight::get().reads(4_u64))
			.saturating_add(ParityDbWeight::get().writes(0_u64))
	}
	fn dispute_result() -> Weight {
		Weight::from_parts(198_143_000, 85847)
			.saturating_add(ParityDbWeight::get().reads(11_u64))
			.saturating_add(ParityDbWeight::get().writes(7_u64))
	}
	fn finalize_batches(n: u32, ) -> Weight {
		Weight::from_parts(4_594_477, 3991)
			.saturating_add(Weight::from_parts(7_911_179, 0).saturating_mul(n.into()))
			.saturating_add(ParityDbWeight::get().reads(1_u64))
			.saturating_add(ParityDbWeight::get().writes(0_u64))
	}
	fn submit_proof() -> Weight {
		Weight::from_parts(7_511_745_000, 69317)
			.saturating_add(ParityDbWeight::get().reads(11_u64))
			.saturating_add(ParityDbWeight::get().writes(10_u64))
	}
	fn authorize_submit_proof() -> Weight {
		Weight::from_parts(69_012_000, 20200)
			.saturating_add(ParityDbWeight::get().reads(2_u64))
			.saturating_add(ParityDbWeight::get().writes(0_u64))
	}
	fn authorize_submit_proof_forged() -> Weight {
		Weight::from_parts(22_293_000, 20200)
			.saturating_add(ParityDbWeight::get().reads(2_u64))
			.saturating_add(ParityDbWeight::get().writes(0_u64))
	}
}
