//! A test runtime: System, Balances and the inference pallet, with a Model Hub stand-in and
//! `AuthorizeCall` in the transaction extensions so that authorized results go through the real
//! validation path.

#![allow(clippy::type_complexity)]

use crate as pallet_inference;
use crate::{ModelProvider, ServableModel};
use codec::Encode;
use core::cell::RefCell;
use frame_support::{
	derive_impl, parameter_types,
	traits::{ConstU32, ConstU64, Randomness},
};
use sp_core::H256;
use sp_runtime::{testing::TestSignature, BuildStorage, Permill};
use std::collections::BTreeMap;
use verity_primitives::{
	ArtifactDigest, ArtifactFormat, IoSchema, ModelVersionRef, TensorDtype, TensorSpec,
	VerificationMode, VerificationModes,
};

/// The transaction extensions of the test runtime.
pub type TxExtension = (frame_system::AuthorizeCall<Test>,);
/// Extrinsics of the test runtime.
pub type Extrinsic =
	frame_system::mocking::MockUncheckedExtrinsic<Test, TestSignature, TxExtension>;
type Block = frame_system::mocking::MockBlock<Test, TestSignature, TxExtension>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Inference: pallet_inference,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<u64>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type AccountStore = System;
	type RuntimeHoldReason = RuntimeHoldReason;
}

impl frame_system::offchain::CreateTransactionBase<pallet_inference::Call<Test>> for Test {
	type Extrinsic = Extrinsic;
	type RuntimeCall = RuntimeCall;
}

impl frame_system::offchain::CreateTransaction<pallet_inference::Call<Test>> for Test {
	type Extension = TxExtension;
	fn create_transaction(call: RuntimeCall, extension: TxExtension) -> Extrinsic {
		Extrinsic::new_transaction(call, extension)
	}
}

impl frame_system::offchain::CreateAuthorizedTransaction<pallet_inference::Call<Test>> for Test {
	fn create_extension() -> TxExtension {
		(frame_system::AuthorizeCall::new(),)
	}
}

thread_local! {
	/// The Model Hub stand-in: version -> (record, servable).
	pub static MODELS: RefCell<BTreeMap<ModelVersionRef, (ServableModel<u64, u64>, bool)>> =
		const { RefCell::new(BTreeMap::new()) };
	/// Workers with a live TEE attestation, with the key it binds.
	pub static ATTESTED: RefCell<BTreeMap<u64, verity_primitives::SigningKey>> =
		const { RefCell::new(BTreeMap::new()) };
	/// Workers whose stake the verification path still holds.
	pub static UNDER_REVIEW: RefCell<Vec<u64>> = const { RefCell::new(Vec::new()) };
	/// What the observer was told: settled results and expired checks.
	pub static OBSERVED: RefCell<Vec<Observed>> = const { RefCell::new(Vec::new()) };
	/// The requests whose results the second observer was told of.
	pub static SECOND_OBSERVED: RefCell<Vec<u64>> = const { RefCell::new(Vec::new()) };
	/// The randomness the next assignment sees.
	pub static SEED: RefCell<H256> = const { RefCell::new(H256::zero()) };
}

/// The attestation stand-in.
pub struct TestAttestations;
impl crate::AttestationProvider<u64> for TestAttestations {
	fn is_attested(worker: &u64, signing_key: &verity_primitives::SigningKey) -> bool {
		ATTESTED.with(|a| a.borrow().get(worker) == Some(signing_key))
	}
}

/// Marks `worker` attested for `key` (or not, with `None`).
pub fn set_attested(worker: u64, key: Option<verity_primitives::SigningKey>) {
	ATTESTED.with(|a| match key {
		Some(key) => a.borrow_mut().insert(worker, key),
		None => a.borrow_mut().remove(&worker),
	});
}

/// One call to the observer stand-in.
#[derive(Clone, Debug, PartialEq)]
pub enum Observed {
	/// A result settled.
	Result(crate::SettledInfo<u64>),
	/// A check expired: (check, original).
	CheckExpired(u64, u64),
	CheckDeclined(u64, u64),
	/// A ZKML answer's proof never came: (request, worker, evidence).
	ProofMissing(u64, u64, [u8; 32]),
}

/// The observer stand-in: records every call.
pub struct TestObserver;
impl crate::ResultObserver<u64> for TestObserver {
	fn on_result(settled: &crate::SettledInfo<u64>) -> frame_support::weights::Weight {
		OBSERVED.with(|o| o.borrow_mut().push(Observed::Result(settled.clone())));
		frame_support::weights::Weight::from_parts(1, 0)
	}
	fn on_result_weight() -> frame_support::weights::Weight {
		frame_support::weights::Weight::from_parts(1, 0)
	}
}
impl crate::Verification<u64> for TestObserver {
	fn on_check_expired(check: u64, original: u64) {
		OBSERVED.with(|o| o.borrow_mut().push(Observed::CheckExpired(check, original)));
	}
	fn on_check_declined(check: u64, original: u64) {
		OBSERVED.with(|o| o.borrow_mut().push(Observed::CheckDeclined(check, original)));
	}
	fn on_proof_missing(request: u64, worker: &u64, evidence: [u8; 32]) {
		OBSERVED.with(|o| o.borrow_mut().push(Observed::ProofMissing(request, *worker, evidence)));
	}
	fn holds_stake(worker: &u64) -> bool {
		UNDER_REVIEW.with(|u| u.borrow().contains(worker))
	}
}

/// A second observer (as MemSync or Twin.fun would be): the runtime fans results out to a
/// tuple of observers.
pub struct SecondObserver;
impl crate::ResultObserver<u64> for SecondObserver {
	fn on_result(settled: &crate::SettledInfo<u64>) -> frame_support::weights::Weight {
		SECOND_OBSERVED.with(|o| o.borrow_mut().push(settled.request));
		frame_support::weights::Weight::from_parts(2, 0)
	}
	fn on_result_weight() -> frame_support::weights::Weight {
		frame_support::weights::Weight::from_parts(2, 0)
	}
}

/// The requests whose results the second observer saw.
pub fn second_observed() -> Vec<u64> {
	SECOND_OBSERVED.with(|o| o.borrow().clone())
}

/// What the observer saw so far.
pub fn observed() -> Vec<Observed> {
	OBSERVED.with(|o| o.borrow().clone())
}

/// The Model Hub stand-in.
pub struct TestModels;
impl ModelProvider<u64, u64> for TestModels {
	fn servable(model: &ModelVersionRef) -> Option<ServableModel<u64, u64>> {
		MODELS.with(|models| {
			models.borrow().get(model).filter(|(_, servable)| *servable).map(|(m, _)| m.clone())
		})
	}
	fn artifact(model: &ModelVersionRef) -> Option<ServableModel<u64, u64>> {
		MODELS.with(|models| models.borrow().get(model).map(|(m, _)| m.clone()))
	}
}

/// Randomness the tests control.
pub struct TestRandomness;
impl Randomness<H256, u64> for TestRandomness {
	fn random(subject: &[u8]) -> (H256, u64) {
		let seed = SEED.with(|seed| *seed.borrow());
		(H256(sp_io::hashing::blake2_256(&[seed.as_bytes(), subject].concat())), 0)
	}
}

/// The treasury's account.
pub const TREASURY: u64 = 99;
/// Least stake.
pub const MIN_STAKE: u64 = 1_000;
/// Penalty per expired request.
pub const PENALTY: u64 = 300;
/// Unbonding period.
pub const UNBONDING: u64 = 10;
/// Blocks a settled result is kept.
pub const RESULT_RETENTION: u64 = 200;
/// Shortest deadline a request may ask for.
pub const MIN_DEADLINE: u64 = 2;
/// Blocks a ZKML answer's proof may take.
pub const ZK_PROOF_WINDOW: u64 = 30;

/// The sampling pot's account.
pub const SAMPLING_POT: u64 = 98;

parameter_types! {
	pub const Treasury: u64 = TREASURY;
	pub const TreasuryShare: Permill = Permill::from_percent(10);
	pub const SamplingPot: u64 = SAMPLING_POT;
	pub const SamplingPremium: Permill = Permill::from_percent(10);
}

impl pallet_inference::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Models = TestModels;
	type Attestations = TestAttestations;
	type Observers = (TestObserver, SecondObserver);
	type Verification = TestObserver;
	type Randomness = TestRandomness;
	type TreasuryAccount = Treasury;
	type TreasuryShare = TreasuryShare;
	type SamplingPot = SamplingPot;
	type SamplingPremium = SamplingPremium;
	type MinWorkerStake = ConstU64<MIN_STAKE>;
	type TimeoutPenalty = ConstU64<PENALTY>;
	type UnbondingPeriod = ConstU64<UNBONDING>;
	type MaxDeadline = ConstU64<100>;
	type MinDeadline = ConstU64<MIN_DEADLINE>;
	type ResultRetention = ConstU64<RESULT_RETENTION>;
	type MaxPrunedPerBlock = ConstU32<4>;
	type MaxWorkers = ConstU32<8>;
	type MaxModelsPerWorker = ConstU32<4>;
	type MaxRequestsPerBlock = ConstU32<4>;
	type ZkProofWindow = ConstU64<ZK_PROOF_WINDOW>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = TestModels;
}

#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper for TestModels {
	fn servable_model() -> ModelVersionRef {
		let model = model_ref(9);
		let inline_f32s = verity_primitives::MAX_INLINE_INPUT / 4;
		let output_f32s = verity_primitives::MAX_INLINE_OUTPUT / 4;
		add_model_with(model, 50, true, &[1, inline_f32s], &[1, output_f32s]);
		model
	}

	fn servable_chat_model() -> ModelVersionRef {
		let model = model_ref(10);
		add_chat_model(model, 50, 2, 4096);
		model
	}
}

/// Owner of the test model.
pub const OWNER: u64 = 10;

/// The test model: `x: f32[1,4]` in, `y: f32[1,2]` out, price 50, Vanilla and TEE.
pub fn model_ref(version: u16) -> ModelVersionRef {
	ModelVersionRef {
		model: 0,
		version: verity_primitives::VersionNumber { major: 1, minor: version },
	}
}

fn tensor(name: &str, shape: &[u32]) -> TensorSpec {
	TensorSpec {
		name: name.as_bytes().to_vec().try_into().unwrap(),
		dtype: TensorDtype::F32,
		shape: shape.to_vec().try_into().unwrap(),
	}
}

/// The stand-in's spec hash of a version (the runtime hashes the whole `VersionSpec`).
pub fn spec_hash_of(model: ModelVersionRef) -> [u8; 32] {
	verity_primitives::blake2_256(&(b"test spec", model).encode())
}

/// Puts a version in the Model Hub stand-in.
pub fn add_model(model: ModelVersionRef, price: u64, servable: bool) {
	add_model_with(model, price, servable, &[1, 4], &[1, 2]);
}

/// Puts a version with these input and output shapes in the Model Hub stand-in.
pub fn add_model_with(
	model: ModelVersionRef,
	price: u64,
	servable: bool,
	input: &[u32],
	output: &[u32],
) {
	let record = ServableModel {
		owner: OWNER,
		artifact: ArtifactDigest { blake2_256: [7; 32], sha256: [8; 32], size: 1234 },
		format: ArtifactFormat::Onnx,
		schema: IoSchema::Tensors {
			inputs: vec![tensor("x", input)].try_into().unwrap(),
			outputs: vec![tensor("y", output)].try_into().unwrap(),
		},
		modes: VerificationModes::of(&[VerificationMode::Vanilla, VerificationMode::Tee]),
		price,
		price_per_token: 0,
		locations: Default::default(),
		zk_keys: None,
		spec_hash: spec_hash_of(model),
	};
	MODELS.with(|models| models.borrow_mut().insert(model, (record, servable)));
}

/// Puts a chat version in the Model Hub stand-in: a GGUF model with a context of `context`
/// tokens, `price` per inference and `per_token` per generated token, Vanilla and TEE.
pub fn add_chat_model(model: ModelVersionRef, price: u64, per_token: u64, context: u32) {
	let record = ServableModel {
		owner: OWNER,
		artifact: ArtifactDigest { blake2_256: [5; 32], sha256: [6; 32], size: 4321 },
		format: ArtifactFormat::Gguf,
		schema: IoSchema::Chat { max_context_tokens: context },
		modes: VerificationModes::of(&[VerificationMode::Vanilla, VerificationMode::Tee]),
		price,
		price_per_token: per_token,
		locations: Default::default(),
		zk_keys: None,
		spec_hash: spec_hash_of(model),
	};
	MODELS.with(|models| models.borrow_mut().insert(model, (record, true)));
}

/// Puts a ZKML-ready version in the Model Hub stand-in: an int8 model with an int8 schema
/// (16 bytes in, 8 out), ZKML among its modes, and its ZK keys uploaded when `keys`.
pub fn add_zk_model(model: ModelVersionRef, price: u64, keys: bool) {
	let int8 = |name: &str, len: u32| TensorSpec {
		name: name.as_bytes().to_vec().try_into().unwrap(),
		dtype: TensorDtype::I8,
		shape: vec![len].try_into().unwrap(),
	};
	let record = ServableModel {
		owner: OWNER,
		artifact: ArtifactDigest { blake2_256: [7; 32], sha256: [8; 32], size: 1234 },
		format: ArtifactFormat::VerityInt8,
		schema: IoSchema::Tensors {
			inputs: vec![int8("x", 16)].try_into().unwrap(),
			outputs: vec![int8("y", 8)].try_into().unwrap(),
		},
		modes: VerificationModes::of(&[VerificationMode::Vanilla, VerificationMode::Zkml]),
		price,
		price_per_token: 0,
		locations: Default::default(),
		zk_keys: keys.then(|| verity_primitives::ZkKeyDigests {
			proving_key: ArtifactDigest::of(b"proving key"),
			verifying_key: ArtifactDigest::of(b"verifying key"),
		}),
		spec_hash: spec_hash_of(model),
	};
	MODELS.with(|models| models.borrow_mut().insert(model, (record, true)));
}

/// Accounts 1..=5 start with 1,000,000 each; the owner and the treasury with 1.
pub fn new_test_ext() -> sp_io::TestExternalities {
	MODELS.with(|models| models.borrow_mut().clear());
	ATTESTED.with(|attested| attested.borrow_mut().clear());
	OBSERVED.with(|observed| observed.borrow_mut().clear());
	SECOND_OBSERVED.with(|observed| observed.borrow_mut().clear());
	UNDER_REVIEW.with(|under_review| under_review.borrow_mut().clear());
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: vec![
			(1, 1_000_000),
			(2, 1_000_000),
			(3, 1_000_000),
			(4, 1_000_000),
			(5, 1_000_000),
			(OWNER, 1),
			(TREASURY, 1),
			(SAMPLING_POT, 1),
		],
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.register_extension(sp_keystore::KeystoreExt::new(
		sp_keystore::testing::MemoryKeystore::new(),
	));
	ext.execute_with(|| {
		System::set_block_number(1);
		add_model(model_ref(0), 50, true);
	});
	ext
}
