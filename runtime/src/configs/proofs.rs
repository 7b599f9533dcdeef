//! The proofs pallet's configuration, and the adapters that connect it with the inference
//! pallet in both directions: workers' stake for slashing ([`pallet_proofs::WorkerStakes`]), and
//! attestations for TEE assignment ([`pallet_inference::AttestationProvider`]).

use super::{currency::Balance, time::MINUTES};
use crate::{governance::period, AccountId, Runtime};
use frame_support::{
	parameter_types,
	traits::{ConstU32, ConstU64, EitherOfDiverse},
};
use frame_system::EnsureRoot;
use sp_runtime::{Perbill, Permill};
use verity_primitives::SigningKey;

parameter_types! {
	/// A proven fault costs half the worker's stake.
	pub const FaultSlash: Perbill = Perbill::from_percent(50);
	/// A tenth of a slash rewards whoever proved the fault; the rest goes to the treasury.
	pub const ReporterShare: Permill = Permill::from_percent(10);
}

impl pallet_proofs::Config for Runtime {
	type Currency = crate::Balances;
	type Workers = WorkerStake;
	type Time = crate::Timestamp;
	/// Root (a referendum), or two thirds of the technical committee (to revoke a compromised
	/// enclave image quickly).
	type ApproveOrigin = EitherOfDiverse<
		EnsureRoot<AccountId>,
		pallet_collective::EnsureProportionAtLeast<
			AccountId,
			crate::governance::TechnicalCollective,
			2,
			3,
		>,
	>;
	type TreasuryAccount = super::TreasuryAccount;
	/// 30 minutes: a TEE worker re-attests (heartbeat) at least this often.
	type AttestationValidity = ConstU64<{ 30 * 60 * 1000 }>;
	/// A document must be at most 10 minutes old when submitted.
	type MaxAttestationAge = ConstU64<{ 10 * 60 * 1000 }>;
	type MaxCachedCertificates = ConstU32<64>;
	/// One hour (20 blocks with `fast-runtime`).
	type ChallengePeriod = ConstU32<{ period(60 * MINUTES, 20) }>;
	type MaxBatchesPerBlock = ConstU32<64>;
	type FaultSlash = FaultSlash;
	type ReporterShare = ReporterShare;
	type WeightInfo = pallet_proofs::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = WorkerStake;
}

/// Workers' stake, held by the inference pallet.
pub struct WorkerStake;

impl pallet_proofs::WorkerStakes<AccountId, Balance> for WorkerStake {
	fn signing_key(worker: &AccountId) -> Option<SigningKey> {
		pallet_inference::Pallet::<Runtime>::worker_key_and_stake(worker).map(|(key, _)| key)
	}
	fn stake(worker: &AccountId) -> Balance {
		pallet_inference::Pallet::<Runtime>::worker_key_and_stake(worker)
			.map(|(_, stake)| stake)
			.unwrap_or_default()
	}
	fn slash(worker: &AccountId, amount: Balance, to: &AccountId) -> Balance {
		pallet_inference::Pallet::<Runtime>::slash_stake(worker, amount, to)
	}
}

/// The proofs pallet's attestations, as the inference pallet asks for them.
pub struct TeeAttestations;

impl pallet_inference::AttestationProvider<AccountId> for TeeAttestations {
	fn is_attested(worker: &AccountId, signing_key: &SigningKey) -> bool {
		pallet_proofs::Pallet::<Runtime>::is_attested(worker, signing_key)
	}
}

#[cfg(feature = "runtime-benchmarks")]
impl pallet_proofs::BenchmarkHelper<AccountId> for WorkerStake {
	fn register_worker(worker: &AccountId, signing_key: SigningKey) {
		use frame_support::traits::fungible::Mutate;
		use verity_primitives::*;
		let unit = super::currency::UNIT;
		crate::Balances::set_balance(worker, 1_000_000 * unit);
		pallet_inference::Pallet::<Runtime>::register_worker(
			crate::RuntimeOrigin::signed(worker.clone()),
			signing_key,
			b"https://worker.example".to_vec().try_into().unwrap(),
			HardwareClass::Cpu,
			VerificationModes::of(&VerificationMode::ALL),
			alloc::vec![ModelVersionRef {
				model: 0,
				version: VersionNumber { major: 1, minor: 0 }
			}]
			.try_into()
			.unwrap(),
			unit,
			1_000 * unit,
		)
		.expect("a funded worker with a fresh key");
	}
	fn set_now_ms(now_ms: u64) {
		pallet_timestamp::Now::<Runtime>::put(now_ms);
	}
}
