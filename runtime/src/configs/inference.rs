//! The inference pallet's configuration, and the adapters it is wired with: the Model Hub as its
//! [`pallet_inference::ModelProvider`], parent-hash randomness for assignment, and the
//! construction of the authorized transactions its offchain worker submits.

use super::{
	currency::{Balance, UNIT},
	time::{BlockNumber, HOURS},
};
use crate::{
	governance::period, AccountId, Hash, Runtime, RuntimeCall, RuntimeHoldReason, TxExtension,
	UncheckedExtrinsic,
};
use frame_support::{
	parameter_types,
	traits::{ConstU128, ConstU32, Randomness},
	PalletId,
};
use sp_runtime::{
	generic::Era,
	traits::{AccountIdConversion, BlakeTwo256, Hash as HashT},
	Permill,
};
use verity_primitives::{ModelVersionRef, VersionStatus};

parameter_types! {
	/// The protocol treasury's account: receives the protocol's share of inference fees and the
	/// penalties of workers that let requests expire.
	pub TreasuryAccount: AccountId = PalletId(*b"vrt/trsy").into_account_truncating();
	/// 5% on top of the model price plus the worker fee.
	pub const InferenceTreasuryShare: Permill = Permill::from_percent(5);
	/// The sampling pot's account: receives the sampling premium of integer-model requests and
	/// pays the worker fees of sampled re-execution checks.
	pub SamplingPot: AccountId = PalletId(*b"vrt/smpl").into_account_truncating();
	/// 5% of the worker's fee: sampling re-executes 2% of results, with at most two checks each
	/// costing at most the original worker's fee (4% on average at worst).
	pub const SamplingPremium: Permill = Permill::from_percent(5);
}

impl pallet_inference::Config for Runtime {
	type Currency = crate::Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Models = ModelHub;
	type Attestations = super::TeeAttestations;
	// Results fan out to every observer in the tuple (MemSync, twins and the EVM precompile
	// join it as they come); the verification path also hears of expired checks.
	type Observers = (super::ResultsToProofs,);
	type Verification = super::ResultsToProofs;
	type Randomness = ParentHashRandomness;
	type TreasuryAccount = TreasuryAccount;
	type TreasuryShare = InferenceTreasuryShare;
	type SamplingPot = SamplingPot;
	type SamplingPremium = SamplingPremium;
	/// 100 VRT.
	type MinWorkerStake = ConstU128<{ 100 * UNIT }>;
	/// 1 VRT per expired request.
	type TimeoutPenalty = ConstU128<{ UNIT }>;
	/// 7 days (20 blocks with `fast-runtime`).
	type UnbondingPeriod = ConstU32<{ period(7 * 24 * HOURS, 20) }>;
	/// One hour.
	type MaxDeadline = ConstU32<{ HOURS }>;
	/// 30 seconds (3 blocks with `fast-runtime`): a worker sees the request in the next block,
	/// and its result needs a block of its own.
	type MinDeadline = ConstU32<{ period(10, 3) }>;
	/// 7 days (20 minutes with `fast-runtime`): receipts stay checkable and results disputable
	/// for a week; older results are pruned.
	type ResultRetention = ConstU32<{ period(7 * 24 * HOURS, 400) }>;
	/// Pruning examines up to 256 request ids a block.
	type MaxPrunedPerBlock = ConstU32<256>;
	type MaxWorkers = ConstU32<64>;
	type MaxModelsPerWorker = ConstU32<16>;
	type MaxRequestsPerBlock = ConstU32<64>;
	/// 5 minutes (100 blocks) to prove an answered ZKML request: the reference models prove in
	/// well under a second; this leaves room for large CNNs and a busy prover queue.
	type ZkProofWindow = ConstU32<100>;
	type WeightInfo = pallet_inference::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = ModelHub;
}

/// The Model Hub (`pallet-model-registry`) as the inference pallet sees it.
pub struct ModelHub;

impl ModelHub {
	fn read(
		model: &ModelVersionRef,
		servable_only: bool,
	) -> Option<pallet_inference::ServableModel<AccountId, Balance>> {
		let record = pallet_model_registry::Versions::<Runtime>::get(model.model, model.version)?;
		if servable_only && record.status != VersionStatus::Active {
			return None;
		}
		let owner = pallet_model_registry::Models::<Runtime>::get(model.model)?.owner;
		let spec_hash = record.spec.spec_hash();
		Some(pallet_inference::ServableModel {
			spec_hash,
			owner,
			artifact: record.spec.artifact,
			format: record.spec.format,
			schema: record.spec.schema,
			modes: record.spec.modes,
			price: record.spec.price_per_inference,
			price_per_token: record.spec.price_per_token,
			locations: record.spec.locations,
			// Only a version offering ZKML has keys: no other request reads for them.
			zk_keys: record
				.spec
				.modes
				.contains(verity_primitives::VerificationMode::Zkml)
				.then(|| pallet_model_registry::Pallet::<Runtime>::zk_proving_key(model))
				.flatten()
				.zip(record.spec.zk_verifying_key)
				.map(|(proving_key, verifying_key)| verity_primitives::ZkKeyDigests {
					proving_key,
					verifying_key,
				}),
		})
	}
}

impl pallet_inference::ModelProvider<AccountId, Balance> for ModelHub {
	fn servable(
		model: &ModelVersionRef,
	) -> Option<pallet_inference::ServableModel<AccountId, Balance>> {
		Self::read(model, true)
	}
	fn artifact(
		model: &ModelVersionRef,
	) -> Option<pallet_inference::ServableModel<AccountId, Balance>> {
		Self::read(model, false)
	}
}

/// Randomness from the parent block's hash, mixed with the subject. Whoever authored the parent
/// block could have re-rolled it only by producing a different block in its slot (or none):
/// enough to bias an assignment a little, never to choose it freely.
pub struct ParentHashRandomness;

impl Randomness<Hash, BlockNumber> for ParentHashRandomness {
	fn random(subject: &[u8]) -> (Hash, BlockNumber) {
		let parent = frame_system::Pallet::<Runtime>::parent_hash();
		let now = frame_system::Pallet::<Runtime>::block_number();
		let seed = BlakeTwo256::hash(&[parent.as_ref(), subject].concat());
		(seed, now.saturating_sub(1))
	}
}

impl<LocalCall> frame_system::offchain::CreateTransactionBase<LocalCall> for Runtime
where
	RuntimeCall: From<LocalCall>,
{
	type Extrinsic = UncheckedExtrinsic;
	type RuntimeCall = RuntimeCall;
}

impl<LocalCall> frame_system::offchain::CreateTransaction<LocalCall> for Runtime
where
	RuntimeCall: From<LocalCall>,
{
	type Extension = TxExtension;

	fn create_transaction(call: RuntimeCall, extension: TxExtension) -> UncheckedExtrinsic {
		UncheckedExtrinsic::new_transaction(call, extension)
	}
}

/// Bare extrinsics: GRANDPA's equivocation reports, which the node submits through the
/// runtime (checked by the GRANDPA pallet's own unsigned validation).
impl<LocalCall> frame_system::offchain::CreateBare<LocalCall> for Runtime
where
	RuntimeCall: From<LocalCall>,
{
	fn create_bare(call: RuntimeCall) -> UncheckedExtrinsic {
		UncheckedExtrinsic::new_bare(call)
	}
}

impl<LocalCall> frame_system::offchain::CreateAuthorizedTransaction<LocalCall> for Runtime
where
	RuntimeCall: From<LocalCall>,
{
	/// The full extension pipeline; for an authorized (unsigned-style) origin the nonce, fee and
	/// sender checks pass through without an account.
	fn create_extension() -> TxExtension {
		(
			frame_system::AuthorizeCall::<Runtime>::new(),
			frame_system::CheckNonZeroSender::<Runtime>::new(),
			frame_system::CheckSpecVersion::<Runtime>::new(),
			frame_system::CheckTxVersion::<Runtime>::new(),
			frame_system::CheckGenesis::<Runtime>::new(),
			frame_system::CheckEra::<Runtime>::from(Era::Immortal),
			frame_system::CheckNonce::<Runtime>::from(0),
			frame_system::CheckWeight::<Runtime>::new(),
			pallet_transaction_payment::ChargeTransactionPayment::<Runtime>::from(0),
			frame_system::WeightReclaim::<Runtime>::new(),
		)
	}
}

#[cfg(feature = "runtime-benchmarks")]
impl pallet_inference::BenchmarkHelper for ModelHub {
	fn servable_model() -> ModelVersionRef {
		pallet_model_registry::benchmarking::published_version::<Runtime>(
			pallet_inference::benchmarking::largest_inline_schema(),
			verity_primitives::ArtifactFormat::VerityInt8,
		)
	}

	fn servable_chat_model() -> ModelVersionRef {
		pallet_model_registry::benchmarking::published_version::<Runtime>(
			verity_primitives::IoSchema::Chat { max_context_tokens: 4096 },
			verity_primitives::ArtifactFormat::Gguf,
		)
	}
}
