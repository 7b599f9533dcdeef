//! Weights of `pallet_proofs`, measured by frame-omni-bencher 64.0.0 on 2026-11-25
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
	fn submit_batch() -> Weight;
	fn challenge_leaf(d: u32, ) -> Weight;
	fn record_receipt() -> Weight;
	fn dispute_result() -> Weight;
	fn finalize_batches(n: u32, ) -> Weight;
	fn submit_proof() -> Weight;
	fn authorize_submit_proof() -> Weight;
	fn set_max_check_fee() -> Weight;
}

/// Measured weights, with the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	/// Storage: `Proofs::ApprovedPcrSets` (r:1 w:1)
	/// Proof: `Proofs::ApprovedPcrSets` (`max_values`: None, `max_size`: Some(177), added: 2652, mode: `MaxEncodedLen`)
	fn approve_pcr_set() -> Weight {
		// Proof size: measured 43 bytes, estimated 3642.
		Weight::from_parts(11_927_000, 3642)
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	/// Storage: `Proofs::ApprovedPcrSets` (r:1 w:1)
	/// Proof: `Proofs::ApprovedPcrSets` (`max_values`: None, `max_size`: Some(177), added: 2652, mode: `MaxEncodedLen`)
	fn revoke_pcr_set() -> Weight {
		// Proof size: measured 244 bytes, estimated 3642.
		Weight::from_parts(10_766_000, 3642)
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	/// Storage: `Proofs::CertificateCache` (r:0 w:1)
	/// Proof: `Proofs::CertificateCache` (`max_values`: Some(1), `max_size`: Some(2562), added: 3057, mode: `MaxEncodedLen`)
	/// Storage: `Proofs::AttestationRoot` (r:0 w:1)
	/// Proof: `Proofs::AttestationRoot` (`max_values`: Some(1), `max_size`: Some(2050), added: 2545, mode: `MaxEncodedLen`)
	fn set_attestation_root() -> Weight {
		// Proof size: measured 0 bytes, estimated 0.
		Weight::from_parts(8_583_000, 0)
			.saturating_add(T::DbWeight::get().reads(0_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	/// Storage: `Inference::Workers` (r:1 w:0)
	/// Proof: `Inference::Workers` (`max_values`: None, `max_size`: Some(582), added: 3057, mode: `MaxEncodedLen`)
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
	/// Storage: `Proofs::Attestations` (r:0 w:1)
	/// Proof: `Proofs::Attestations` (`max_values`: None, `max_size`: Some(227), added: 2702, mode: `MaxEncodedLen`)
	fn attest(c: u32, ) -> Weight {
		// Proof size: measured 1127 bytes, estimated 4047.
		Weight::from_parts(251_880_704, 4047)
			.saturating_add(Weight::from_parts(9_397_629_847, 0).saturating_mul(c.into()))
			.saturating_add(T::DbWeight::get().reads(7_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	/// Storage: `Inference::Workers` (r:1 w:0)
	/// Proof: `Inference::Workers` (`max_values`: None, `max_size`: Some(582), added: 3057, mode: `MaxEncodedLen`)
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
	/// Storage: `Proofs::Attestations` (r:0 w:1)
	/// Proof: `Proofs::Attestations` (`max_values`: None, `max_size`: Some(227), added: 2702, mode: `MaxEncodedLen`)
	fn attest_cached() -> Weight {
		// Proof size: measured 1383 bytes, estimated 4047.
		Weight::from_parts(19_098_096_000, 4047)
			.saturating_add(T::DbWeight::get().reads(7_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	/// Storage: `Inference::Workers` (r:1 w:0)
	/// Proof: `Inference::Workers` (`max_values`: None, `max_size`: Some(582), added: 3057, mode: `MaxEncodedLen`)
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
	/// Proof: `Proofs::Batches` (`max_values`: None, `max_size`: Some(158), added: 2633, mode: `MaxEncodedLen`)
	fn submit_batch() -> Weight {
		// Proof size: measured 446 bytes, estimated 4047.
		Weight::from_parts(35_714_000, 4047)
			.saturating_add(T::DbWeight::get().reads(6_u64))
			.saturating_add(T::DbWeight::get().writes(5_u64))
	}
	/// Storage: `Proofs::Batches` (r:1 w:1)
	/// Proof: `Proofs::Batches` (`max_values`: None, `max_size`: Some(158), added: 2633, mode: `MaxEncodedLen`)
	/// Storage: `System::BlockHash` (r:1 w:0)
	/// Proof: `System::BlockHash` (`max_values`: None, `max_size`: Some(44), added: 2519, mode: `MaxEncodedLen`)
	/// Storage: `Inference::Workers` (r:1 w:1)
	/// Proof: `Inference::Workers` (`max_values`: None, `max_size`: Some(582), added: 3057, mode: `MaxEncodedLen`)
	/// Storage: `Balances::Holds` (r:1 w:1)
	/// Proof: `Balances::Holds` (`max_values`: None, `max_size`: Some(157), added: 2632, mode: `MaxEncodedLen`)
	/// Storage: `System::Account` (r:3 w:3)
	/// Proof: `System::Account` (`max_values`: None, `max_size`: Some(128), added: 2603, mode: `MaxEncodedLen`)
	fn challenge_leaf(d: u32, ) -> Weight {
		// Proof size: measured 978 bytes, estimated 8799.
		Weight::from_parts(181_715_017, 8799)
			.saturating_add(Weight::from_parts(1_026_860, 0).saturating_mul(d.into()))
			.saturating_add(T::DbWeight::get().reads(7_u64))
			.saturating_add(T::DbWeight::get().writes(6_u64))
	}
	/// Storage: `Inference::Workers` (r:1 w:0)
	/// Proof: `Inference::Workers` (`max_values`: None, `max_size`: Some(582), added: 3057, mode: `MaxEncodedLen`)
	/// Storage: `Proofs::Attestations` (r:1 w:0)
	/// Proof: `Proofs::Attestations` (`max_values`: None, `max_size`: Some(227), added: 2702, mode: `MaxEncodedLen`)
	/// Storage: `System::BlockHash` (r:1 w:0)
	/// Proof: `System::BlockHash` (`max_values`: None, `max_size`: Some(44), added: 2519, mode: `MaxEncodedLen`)
	fn record_receipt() -> Weight {
		// Proof size: measured 436 bytes, estimated 4047.
		Weight::from_parts(73_910_000, 4047)
			.saturating_add(T::DbWeight::get().reads(3_u64))
			.saturating_add(T::DbWeight::get().writes(0_u64))
	}
	/// Storage: `Inference::Results` (r:1 w:0)
	/// Proof: `Inference::Results` (`max_values`: None, `max_size`: Some(16775), added: 19250, mode: `MaxEncodedLen`)
	/// Storage: `ModelRegistry::Versions` (r:1 w:0)
	/// Proof: `ModelRegistry::Versions` (`max_values`: None, `max_size`: Some(4742), added: 7217, mode: `MaxEncodedLen`)
	/// Storage: `ModelRegistry::Models` (r:1 w:0)
	/// Proof: `ModelRegistry::Models` (`max_values`: None, `max_size`: Some(1521), added: 3996, mode: `MaxEncodedLen`)
	/// Storage: `ModelRegistry::ZkProvingKeys` (r:1 w:0)
	/// Proof: `ModelRegistry::ZkProvingKeys` (`max_values`: None, `max_size`: Some(116), added: 2591, mode: `MaxEncodedLen`)
	/// Storage: `Proofs::Samples` (r:1 w:1)
	/// Proof: `Proofs::Samples` (`max_values`: None, `max_size`: Some(282), added: 2757, mode: `MaxEncodedLen`)
	/// Storage: `Proofs::Judged` (r:1 w:0)
	/// Proof: `Proofs::Judged` (`max_values`: None, `max_size`: Some(16), added: 2491, mode: `MaxEncodedLen`)
	/// Storage: `Inference::NextRequestId` (r:1 w:1)
	/// Proof: `Inference::NextRequestId` (`max_values`: Some(1), `max_size`: Some(8), added: 503, mode: `MaxEncodedLen`)
	/// Storage: `Inference::ActiveWorkers` (r:1 w:0)
	/// Proof: `Inference::ActiveWorkers` (`max_values`: Some(1), `max_size`: Some(2050), added: 2545, mode: `MaxEncodedLen`)
	/// Storage: `Inference::Workers` (r:2 w:1)
	/// Proof: `Inference::Workers` (`max_values`: None, `max_size`: Some(582), added: 3057, mode: `MaxEncodedLen`)
	/// Storage: `System::ParentHash` (r:1 w:0)
	/// Proof: `System::ParentHash` (`max_values`: Some(1), `max_size`: Some(32), added: 527, mode: `MaxEncodedLen`)
	/// Storage: `Inference::Deadlines` (r:1 w:1)
	/// Proof: `Inference::Deadlines` (`max_values`: None, `max_size`: Some(526), added: 3001, mode: `MaxEncodedLen`)
	/// Storage: `System::Account` (r:1 w:1)
	/// Proof: `System::Account` (`max_values`: None, `max_size`: Some(128), added: 2603, mode: `MaxEncodedLen`)
	/// Storage: `Balances::Holds` (r:1 w:1)
	/// Proof: `Balances::Holds` (`max_values`: None, `max_size`: Some(157), added: 2632, mode: `MaxEncodedLen`)
	/// Storage: `Proofs::Exposure` (r:1 w:1)
	/// Proof: `Proofs::Exposure` (`max_values`: None, `max_size`: Some(52), added: 2527, mode: `MaxEncodedLen`)
	/// Storage: `Inference::Assignments` (r:0 w:1)
	/// Proof: `Inference::Assignments` (`max_values`: None, `max_size`: Some(64), added: 2539, mode: `MaxEncodedLen`)
	/// Storage: `Inference::Requests` (r:0 w:1)
	/// Proof: `Inference::Requests` (`max_values`: None, `max_size`: Some(65804), added: 68279, mode: `MaxEncodedLen`)
	fn dispute_result() -> Weight {
		// Proof size: measured 1914 bytes, estimated 20240.
		Weight::from_parts(1_193_707_000, 20240)
			.saturating_add(T::DbWeight::get().reads(15_u64))
			.saturating_add(T::DbWeight::get().writes(9_u64))
	}
	/// Storage: `Proofs::BatchWindows` (r:1 w:1)
	/// Proof: `Proofs::BatchWindows` (`max_values`: None, `max_size`: Some(526), added: 3001, mode: `MaxEncodedLen`)
	/// Storage: `Proofs::Batches` (r:64 w:64)
	/// Proof: `Proofs::Batches` (`max_values`: None, `max_size`: Some(158), added: 2633, mode: `MaxEncodedLen`)
	/// Storage: `Proofs::Exposure` (r:1 w:1)
	/// Proof: `Proofs::Exposure` (`max_values`: None, `max_size`: Some(52), added: 2527, mode: `MaxEncodedLen`)
	fn finalize_batches(n: u32, ) -> Weight {
		// Proof size: measured 43 bytes, estimated 3991.
		Weight::from_parts(4_206_559, 3991)
			.saturating_add(Weight::from_parts(7_424_262, 0).saturating_mul(n.into()))
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(0_u64))
			.saturating_add(T::DbWeight::get().reads((1_u64).saturating_mul(n.into())))
			.saturating_add(T::DbWeight::get().writes((1_u64).saturating_mul(n.into())))
			.saturating_add(Weight::from_parts(0, 2648).saturating_mul(n.into()))
	}
	/// Storage: `Inference::Requests` (r:1 w:1)
	/// Proof: `Inference::Requests` (`max_values`: None, `max_size`: Some(65804), added: 68279, mode: `MaxEncodedLen`)
	/// Storage: `Inference::AwaitingProof` (r:1 w:1)
	/// Proof: `Inference::AwaitingProof` (`max_values`: None, `max_size`: Some(16685), added: 19160, mode: `MaxEncodedLen`)
	/// Storage: `ModelRegistry::ZkVerifyingKeys` (r:1 w:0)
	/// Proof: `ModelRegistry::ZkVerifyingKeys` (`max_values`: None, `max_size`: Some(16432), added: 18907, mode: `MaxEncodedLen`)
	/// Storage: `System::BlockHash` (r:1 w:0)
	/// Proof: `System::BlockHash` (`max_values`: None, `max_size`: Some(44), added: 2519, mode: `MaxEncodedLen`)
	/// Storage: `System::Account` (r:3 w:3)
	/// Proof: `System::Account` (`max_values`: None, `max_size`: Some(128), added: 2603, mode: `MaxEncodedLen`)
	/// Storage: `Balances::Holds` (r:2 w:2)
	/// Proof: `Balances::Holds` (`max_values`: None, `max_size`: Some(157), added: 2632, mode: `MaxEncodedLen`)
	/// Storage: `Inference::Deadlines` (r:1 w:1)
	/// Proof: `Inference::Deadlines` (`max_values`: None, `max_size`: Some(526), added: 3001, mode: `MaxEncodedLen`)
	/// Storage: `Inference::Workers` (r:1 w:1)
	/// Proof: `Inference::Workers` (`max_values`: None, `max_size`: Some(582), added: 3057, mode: `MaxEncodedLen`)
	/// Storage: `Inference::Assignments` (r:0 w:1)
	/// Proof: `Inference::Assignments` (`max_values`: None, `max_size`: Some(64), added: 2539, mode: `MaxEncodedLen`)
	fn submit_proof() -> Weight {
		// Proof size: measured 23026 bytes, estimated 69269.
		Weight::from_parts(9_094_586_000, 69269)
			.saturating_add(T::DbWeight::get().reads(11_u64))
			.saturating_add(T::DbWeight::get().writes(10_u64))
	}
	/// Storage: `Inference::Requests` (r:1 w:0)
	/// Proof: `Inference::Requests` (`max_values`: None, `max_size`: Some(65804), added: 68279, mode: `MaxEncodedLen`)
	/// Storage: `Inference::AwaitingProof` (r:1 w:0)
	/// Proof: `Inference::AwaitingProof` (`max_values`: None, `max_size`: Some(16685), added: 19160, mode: `MaxEncodedLen`)
	/// Storage: `ModelRegistry::ZkVerifyingKeys` (r:1 w:0)
	/// Proof: `ModelRegistry::ZkVerifyingKeys` (`max_values`: None, `max_size`: Some(16432), added: 18907, mode: `MaxEncodedLen`)
	/// Storage: `System::BlockHash` (r:1 w:0)
	/// Proof: `System::BlockHash` (`max_values`: None, `max_size`: Some(44), added: 2519, mode: `MaxEncodedLen`)
	fn authorize_submit_proof() -> Weight {
		// Proof size: measured 22348 bytes, estimated 69269.
		Weight::from_parts(90_364_000, 69269)
			.saturating_add(T::DbWeight::get().reads(4_u64))
			.saturating_add(T::DbWeight::get().writes(0_u64))
	}
	/// Not measured yet: one write of `Proofs::MaxCheckFee`, as `approve_pcr_set` without its
	/// read. Benchmark: `set_max_check_fee`.
	fn set_max_check_fee() -> Weight {
		Weight::from_parts(11_927_000, 0)
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
}

/// The same measurements with ParityDb weights, for mocks and tests.
impl WeightInfo for () {
	fn approve_pcr_set() -> Weight {
		Weight::from_parts(11_927_000, 3642)
			.saturating_add(ParityDbWeight::get().reads(1_u64))
			.saturating_add(ParityDbWeight::get().writes(1_u64))
	}
	fn revoke_pcr_set() -> Weight {
		Weight::from_parts(10_766_000, 3642)
			.saturating_add(ParityDbWeight::get().reads(1_u64))
			.saturating_add(ParityDbWeight::get().writes(1_u64))
	}
	fn set_attestation_root() -> Weight {
		Weight::from_parts(8_583_000, 0)
			.saturating_add(ParityDbWeight::get().reads(0_u64))
			.saturating_add(ParityDbWeight::get().writes(2_u64))
	}
	fn attest(c: u32, ) -> Weight {
		Weight::from_parts(251_880_704, 4047)
			.saturating_add(Weight::from_parts(9_397_629_847, 0).saturating_mul(c.into()))
			.saturating_add(ParityDbWeight::get().reads(7_u64))
			.saturating_add(ParityDbWeight::get().writes(2_u64))
	}
	fn attest_cached() -> Weight {
		Weight::from_parts(19_098_096_000, 4047)
			.saturating_add(ParityDbWeight::get().reads(7_u64))
			.saturating_add(ParityDbWeight::get().writes(2_u64))
	}
	fn submit_batch() -> Weight {
		Weight::from_parts(35_714_000, 4047)
			.saturating_add(ParityDbWeight::get().reads(6_u64))
			.saturating_add(ParityDbWeight::get().writes(5_u64))
	}
	fn challenge_leaf(d: u32, ) -> Weight {
		Weight::from_parts(181_715_017, 8799)
			.saturating_add(Weight::from_parts(1_026_860, 0).saturating_mul(d.into()))
			.saturating_add(ParityDbWeight::get().reads(7_u64))
			.saturating_add(ParityDbWeight::get().writes(6_u64))
	}
	fn record_receipt() -> Weight {
		Weight::from_parts(73_910_000, 4047)
			.saturating_add(ParityDbWeight::get().reads(3_u64))
			.saturating_add(ParityDbWeight::get().writes(0_u64))
	}
	fn dispute_result() -> Weight {
		Weight::from_parts(1_193_707_000, 20240)
			.saturating_add(ParityDbWeight::get().reads(15_u64))
			.saturating_add(ParityDbWeight::get().writes(9_u64))
	}
	fn finalize_batches(n: u32, ) -> Weight {
		Weight::from_parts(4_206_559, 3991)
			.saturating_add(Weight::from_parts(7_424_262, 0).saturating_mul(n.into()))
			.saturating_add(ParityDbWeight::get().reads(1_u64))
			.saturating_add(ParityDbWeight::get().writes(0_u64))
	}
	fn submit_proof() -> Weight {
		Weight::from_parts(9_094_586_000, 69269)
			.saturating_add(ParityDbWeight::get().reads(11_u64))
			.saturating_add(ParityDbWeight::get().writes(10_u64))
	}
	fn authorize_submit_proof() -> Weight {
		Weight::from_parts(90_364_000, 69269)
			.saturating_add(ParityDbWeight::get().reads(4_u64))
			.saturating_add(ParityDbWeight::get().writes(0_u64))
	}
	fn set_max_check_fee() -> Weight {
		Weight::from_parts(11_927_000, 0)
			.saturating_add(ParityDbWeight::get().writes(1_u64))
	}
}
