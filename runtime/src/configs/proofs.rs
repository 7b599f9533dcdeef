//! The proofs pallet's configuration, and the adapters that connect it with the inference
//! pallet in both directions: workers' stake for slashing ([`pallet_proofs::WorkerStakes`]),
//! re-execution of jobs for sampling and disputes ([`pallet_proofs::ReExecutor`]), attestations
//! for TEE assignment ([`pallet_inference::AttestationProvider`]) and settled results for the
//! verification path ([`pallet_inference::ResultObserver`], [`pallet_inference::Verification`]).

use super::{currency::Balance, time::MINUTES};
use crate::{governance::period, AccountId, Runtime};
use frame_support::{
	parameter_types,
	traits::{ConstU128, ConstU32, ConstU64, EitherOfDiverse},
	weights::Weight,
};
use frame_system::EnsureRoot;
use pallet_inference::ModelProvider;
use sp_runtime::{DispatchError, DispatchResult, Perbill, Permill};
use verity_primitives::{
	ArtifactFormat, Digest32, ModelVersionRef, RequestId, RequestInput, SettledInfo, SigningKey,
};

parameter_types! {
	/// A proven fault costs half the worker's stake.
	pub const FaultSlash: Perbill = Perbill::from_percent(50);
	/// A tenth of a slash rewards whoever proved the fault; the rest goes to the treasury.
	pub const ReporterShare: Permill = Permill::from_percent(10);
	/// 2% of deterministic results are re-executed by a second worker.
	pub const SampleRate: Perbill = Perbill::from_percent(2);
}

impl pallet_proofs::Config for Runtime {
	type Currency = crate::Balances;
	type RuntimeHoldReason = crate::RuntimeHoldReason;
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
	type Executor = Reexecution;
	type Randomness = super::ParentHashRandomness;
	type SampleRate = SampleRate;
	type SamplingPot = super::SamplingPot;
	/// 1 VRT: a dispute costs its bond when the result stands.
	type DisputeBond = ConstU128<{ super::currency::UNIT }>;
	type MaxDrawsPerBlock = ConstU32<32>;
	/// A minute: 32 draws a block for 20 blocks before a sample is skipped.
	type MaxDrawDelay = ConstU32<20>;
	type ZkResults = ZkAnswers;
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
	fn is_active(worker: &AccountId) -> bool {
		pallet_inference::Pallet::<Runtime>::is_active_worker(worker)
	}
	fn slash(worker: &AccountId, amount: Balance, to: &AccountId) -> Balance {
		pallet_inference::Pallet::<Runtime>::slash_stake(worker, amount, to)
	}
}

/// Re-execution by the inference pallet (check requests), and its settled results.
pub struct Reexecution;

impl pallet_proofs::ReExecutor<AccountId, Balance> for Reexecution {
	fn open_check(
		payer: &AccountId,
		original: RequestId,
		model: ModelVersionRef,
		input: RequestInput,
		exclude: &[AccountId],
		max_fee: Option<Balance>,
	) -> Result<(RequestId, AccountId), DispatchError> {
		pallet_inference::Pallet::<Runtime>::open_check(
			payer.clone(),
			original,
			model,
			input,
			exclude,
			max_fee,
		)
	}
	fn settled(request: RequestId) -> Option<pallet_proofs::SettledSummary<AccountId>> {
		// Only originals: a check's own result is judged within its sample, never disputed.
		let result = pallet_inference::Results::<Runtime>::get(request)
			.filter(|result| result.check_of.is_none())?;
		let deterministic = super::ModelHub::artifact(&result.receipt.model)
			.is_some_and(|version| version.format == ArtifactFormat::VerityInt8);
		// A chat result's check answers with a verdict on its evidence: an agreeing checker
		// returns the accepting one.
		let verdict = verity_primitives::CheckVerdict::accepting(&result.receipt);
		Some(pallet_proofs::SettledSummary {
			evidence: result.receipt.evidence(&result.signature),
			proved: result.receipt.mode == verity_primitives::VerificationMode::Zkml,
			worker: result.receipt.worker,
			model: result.receipt.model,
			input: result.input,
			output_digest: verdict.map_or(result.receipt.output_digest, |verdict| verdict.digest()),
			checkable: deterministic || verdict.is_some(),
			exact: verdict.is_none(),
		})
	}
	fn spec_hash(model: &ModelVersionRef) -> Option<verity_primitives::Digest32> {
		super::ModelHub::artifact(model).map(|version| version.spec_hash)
	}
	fn open_check_weight() -> Weight {
		pallet_inference::Pallet::<Runtime>::request_weight()
	}
}

/// Settled results (an observer) and the rest of the inference life cycle the verification
/// path needs (expired and declined checks, missing proofs, held stake), passed on to the
/// proofs pallet.
pub struct ResultsToProofs;

impl pallet_inference::ResultObserver<AccountId> for ResultsToProofs {
	fn on_result(settled: &SettledInfo<AccountId>) -> Weight {
		let db = <Runtime as frame_system::Config>::DbWeight::get();
		// The sample record, the randomness and a slash (two stake transfers) cost reads and writes;
		// opening a check costs a request.
		let base = db.reads_writes(8, 8);
		// Opening a check happens in a later block's draw (charged there).
		pallet_proofs::Pallet::<Runtime>::on_result(settled.clone());
		base
	}
	/// Sampling queues a draw (probing up to `MaxDrawDelay` buckets), or a check's result
	/// closes its sample or slashes.
	fn on_result_weight() -> Weight {
		let db = <Runtime as frame_system::Config>::DbWeight::get();
		db.reads_writes(8 + 20, 8)
	}
}

impl pallet_inference::Verification<AccountId> for ResultsToProofs {
	fn on_check_expired(check: RequestId, original: RequestId) {
		pallet_proofs::Pallet::<Runtime>::on_check_expired(check, original)
	}
	fn on_check_declined(check: RequestId, original: RequestId) {
		pallet_proofs::Pallet::<Runtime>::on_check_declined(check, original)
	}
	fn on_proof_missing(request: RequestId, worker: &AccountId, evidence: Digest32) {
		pallet_proofs::Pallet::<Runtime>::punish_missing_proof(request, worker, evidence)
	}
	fn holds_stake(worker: &AccountId) -> bool {
		pallet_proofs::Pallet::<Runtime>::holds_stake(worker)
	}
}

/// ZKML answers awaiting their proof: the inference pallet's answer and request, with the
/// version's verifying key from the Model Hub.
pub struct ZkAnswers;

impl pallet_proofs::ZkResults<AccountId> for ZkAnswers {
	fn awaiting(request: RequestId) -> Option<pallet_proofs::AwaitingZkProof<AccountId>> {
		let (open, answer) = pallet_inference::Pallet::<Runtime>::awaiting_proof(request)?;
		// A version whose record (and keys) were removed cannot be verified any more: the
		// request expires and is refunded, and its worker is not penalized for it.
		let verifying_key =
			pallet_model_registry::Pallet::<Runtime>::zk_verifying_key(&open.model)?;
		let RequestInput::Inline(input) = open.input else { return None };
		Some(pallet_proofs::AwaitingZkProof {
			worker: open.worker,
			signing_key: answer.signing_key,
			verifying_key,
			binding: answer.receipt.zk_binding(),
			input: input.into_inner(),
			output: answer.output.into_inner(),
			evidence: answer.receipt.evidence(&answer.signature),
		})
	}
	fn signer(request: RequestId) -> Option<(SigningKey, Digest32)> {
		pallet_inference::AwaitingProof::<Runtime>::get(request)
			.map(|answer| (answer.signing_key, answer.receipt.zk_binding()))
	}
	fn awaiting_for(signing_key: &SigningKey) -> alloc::vec::Vec<RequestId> {
		pallet_inference::Pallet::<Runtime>::awaiting_proof_for(signing_key)
	}
	fn accept(request: RequestId) -> DispatchResult {
		pallet_inference::Pallet::<Runtime>::accept_zk_result(request)
	}
	fn reject(request: RequestId) -> DispatchResult {
		pallet_inference::Pallet::<Runtime>::reject_zk_result(request).map(|_| ())
	}
	/// Settling pays like a result: bounded by `submit_result`'s measured weight.
	fn accept_weight() -> Weight {
		use pallet_inference::WeightInfo;
		<Runtime as pallet_inference::Config>::WeightInfo::submit_result()
	}
}

/// Checks uploaded verifying keys with the same Groth16 code and host-function curve that
/// verifies proofs.
pub struct Groth16KeyChecker;

impl pallet_model_registry::ZkKeyChecker for Groth16KeyChecker {
	fn is_valid(key: &[u8], input_len: u64, output_len: u64) -> bool {
		verity_zkml::verifier::key_fits::<pallet_proofs::zk::RuntimeBls12_381>(
			key, input_len, output_len,
		)
	}
}

/// The proofs pallet's attestations, as the inference pallet asks for them.
pub struct TeeAttestations;

impl pallet_inference::AttestationProvider<AccountId> for TeeAttestations {
	fn is_attested(worker: &AccountId, signing_key: &SigningKey) -> bool {
		pallet_proofs::Pallet::<Runtime>::is_attested(worker, signing_key)
	}
}

/// The version the proofs benchmarks' workers serve and their ZKML answers are for.
#[cfg(feature = "runtime-benchmarks")]
const BENCH_MODEL: ModelVersionRef =
	ModelVersionRef { model: 0, version: verity_primitives::VersionNumber::new(1, 0) };

#[cfg(feature = "runtime-benchmarks")]
impl pallet_proofs::BenchmarkHelper<AccountId> for WorkerStake {
	fn register_worker(
		worker: &AccountId,
		signing_key: SigningKey,
		key_proof: verity_primitives::ReceiptSignature,
	) {
		pallet_inference::benchmarking::registered_worker::<Runtime>(
			worker,
			signing_key,
			key_proof,
			alloc::vec![BENCH_MODEL],
		)
	}
	fn set_now_ms(now_ms: u64) {
		pallet_timestamp::Now::<Runtime>::put(now_ms);
	}
	fn settled_deterministic_result(disputer: &AccountId) -> (RequestId, RequestInput) {
		let model = <super::ModelHub as pallet_inference::BenchmarkHelper>::servable_model();
		pallet_inference::benchmarking::settled_result::<Runtime>(model, disputer)
	}
	fn awaiting_zk_proof(
		worker: &AccountId,
		signing_key: SigningKey,
		verifying_key: &[u8],
		_binding: [u8; 32],
		input: &[u8],
		output: &[u8],
	) -> RequestId {
		pallet_model_registry::benchmarking::zk_keys::<Runtime>(BENCH_MODEL, verifying_key);
		pallet_inference::benchmarking::awaiting_zk_proof::<Runtime>(
			worker,
			signing_key,
			BENCH_MODEL,
			input,
			output,
		)
	}
}
