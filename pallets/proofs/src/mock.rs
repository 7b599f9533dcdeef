//! A test runtime: System, Balances and the proofs pallet, with stand-ins for the workers' stake
//! (a ledger in a thread-local) and for the clock.

#![allow(clippy::type_complexity)]

use crate as pallet_proofs;
use crate::{AwaitingZkProof, ReExecutor, SettledSummary, WorkerStakes, ZkResults};
use core::cell::RefCell;
use frame_support::{
	derive_impl, parameter_types,
	traits::{ConstU32, ConstU64, UnixTime},
};
use frame_support::{traits::Randomness, weights::Weight};
use frame_system::EnsureRoot;
use sp_core::H256;
use sp_runtime::DispatchError;
use sp_runtime::{BuildStorage, Perbill, Permill};
use std::collections::BTreeMap;
use verity_primitives::SigningKey;
use verity_primitives::{ModelVersionRef, RequestInput};

/// The transaction extensions: `AuthorizeCall`, so authorized proofs take the real path.
pub type TxExtension = (frame_system::AuthorizeCall<Test>,);
/// Extrinsics of the test runtime.
pub type Extrinsic = frame_system::mocking::MockUncheckedExtrinsic<
	Test,
	sp_runtime::testing::TestSignature,
	TxExtension,
>;
type Block =
	frame_system::mocking::MockBlock<Test, sp_runtime::testing::TestSignature, TxExtension>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Proofs: pallet_proofs,
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
}

impl frame_system::offchain::CreateTransactionBase<pallet_proofs::Call<Test>> for Test {
	type Extrinsic = Extrinsic;
	type RuntimeCall = RuntimeCall;
}

impl frame_system::offchain::CreateTransaction<pallet_proofs::Call<Test>> for Test {
	type Extension = TxExtension;
	fn create_transaction(call: RuntimeCall, extension: TxExtension) -> Extrinsic {
		Extrinsic::new_transaction(call, extension)
	}
}

impl frame_system::offchain::CreateAuthorizedTransaction<pallet_proofs::Call<Test>> for Test {
	fn create_extension() -> TxExtension {
		(frame_system::AuthorizeCall::new(),)
	}
}

/// The treasury account.
pub const TREASURY: u64 = 1000;
/// The sampling pot's account.
pub const POT: u64 = 1001;
/// What a dispute holds from the disputer.
pub const DISPUTE_BOND: u64 = 500;

thread_local! {
	/// Registered workers: account -> (signing key, stake).
	pub static WORKERS: RefCell<BTreeMap<u64, (SigningKey, u64)>> = const { RefCell::new(BTreeMap::new()) };
	/// Workers that are unbonding.
	pub static UNBONDING: RefCell<Vec<u64>> = const { RefCell::new(Vec::new()) };
	/// Stake moved by slashes, by receiving account.
	pub static CREDITED: RefCell<BTreeMap<u64, u64>> = const { RefCell::new(BTreeMap::new()) };
}

thread_local! {
	/// Settled original results the executor stand-in knows.
	pub static SETTLED: RefCell<BTreeMap<u64, SettledSummary<u64>>> = const { RefCell::new(BTreeMap::new()) };
	/// Checks opened: (payer, original, excluded workers, check request, checker).
	pub static CHECKS: RefCell<Vec<(u64, u64, Vec<u64>, u64, u64)>> = const { RefCell::new(Vec::new()) };
	/// The input each check was opened with, in order.
	pub static CHECK_INPUTS: RefCell<Vec<RequestInput>> = const { RefCell::new(Vec::new()) };
}

/// The stand-in's spec hash of a version.
pub fn spec_hash_of(model: &ModelVersionRef) -> [u8; 32] {
	use codec::Encode;
	verity_primitives::blake2_256(&(b"test spec", model).encode())
}

/// What every check costs in the mock.
pub const CHECK_FEE: u64 = 10;

/// The executor stand-in: assigns a check to the lowest registered worker not excluded, at
/// [`CHECK_FEE`].
pub struct TestExecutor;
impl ReExecutor<u64, u64> for TestExecutor {
	fn open_check(
		payer: &u64,
		original: u64,
		_model: ModelVersionRef,
		input: RequestInput,
		exclude: &[u64],
		max_fee: Option<u64>,
	) -> Result<(u64, u64), DispatchError> {
		if max_fee.is_some_and(|max| max < CHECK_FEE) {
			return Err(DispatchError::Other("every checker costs more than the cap"));
		}
		CHECK_INPUTS.with(|c| c.borrow_mut().push(input));
		let checker = WORKERS
			.with(|w| w.borrow().keys().copied().find(|w| !exclude.contains(w)))
			.ok_or(DispatchError::Other("no worker serves"))?;
		let check = CHECKS.with(|c| {
			let mut checks = c.borrow_mut();
			let check = 1000 + checks.len() as u64;
			checks.push((*payer, original, exclude.to_vec(), check, checker));
			check
		});
		Ok((check, checker))
	}
	fn settled(request: u64) -> Option<SettledSummary<u64>> {
		SETTLED.with(|s| s.borrow().get(&request).cloned())
	}
	fn open_check_weight() -> Weight {
		Weight::zero()
	}
	fn spec_hash(model: &ModelVersionRef) -> Option<[u8; 32]> {
		Some(spec_hash_of(model))
	}
}

/// The checks opened so far.
pub fn checks() -> Vec<(u64, u64, Vec<u64>, u64, u64)> {
	CHECKS.with(|c| c.borrow().clone())
}

/// Randomness: BLAKE2 of the subject, `Seed` and the parent block's hash (as the runtime's).
pub struct TestRandomness;
impl Randomness<H256, u64> for TestRandomness {
	fn random(subject: &[u8]) -> (H256, u64) {
		let mut bytes = subject.to_vec();
		bytes.extend_from_slice(&Seed::get().to_le_bytes());
		bytes.extend_from_slice(System::parent_hash().as_bytes());
		(H256(sp_io::hashing::blake2_256(&bytes)), 0)
	}
}

parameter_types! {
	/// Mixed into the randomness.
	pub static Seed: u64 = 0;
	/// Share of deterministic results re-executed.
	pub static SampleRate: Perbill = Perbill::from_percent(100);
	/// The block's wall-clock time, unix ms.
	pub static NowMs: u64 = 0;
	pub const Treasury: u64 = TREASURY;
	pub const Pot: u64 = POT;
}

/// The clock stand-in.
pub struct TestTime;
impl UnixTime for TestTime {
	fn now() -> core::time::Duration {
		core::time::Duration::from_millis(NowMs::get())
	}
}

/// The stake stand-in.
pub struct TestWorkers;
impl WorkerStakes<u64, u64> for TestWorkers {
	fn signing_key(worker: &u64) -> Option<SigningKey> {
		WORKERS.with(|w| w.borrow().get(worker).map(|(key, _)| *key))
	}
	fn stake(worker: &u64) -> u64 {
		WORKERS.with(|w| w.borrow().get(worker).map(|(_, stake)| *stake).unwrap_or(0))
	}
	fn is_active(worker: &u64) -> bool {
		WORKERS.with(|w| w.borrow().contains_key(worker))
			&& !UNBONDING.with(|u| u.borrow().contains(worker))
	}
	fn slash(worker: &u64, amount: u64, to: &u64) -> u64 {
		let moved = WORKERS.with(|w| {
			let mut workers = w.borrow_mut();
			let Some((_, stake)) = workers.get_mut(worker) else { return 0 };
			let moved = amount.min(*stake);
			*stake -= moved;
			moved
		});
		CREDITED.with(|c| *c.borrow_mut().entry(*to).or_default() += moved);
		moved
	}
}

thread_local! {
	/// ZKML answers awaiting a proof, by request.
	pub static AWAITING: RefCell<BTreeMap<u64, AwaitingZkProof<u64>>> = const { RefCell::new(BTreeMap::new()) };
	/// Verdicts the stand-in was told: (request, accepted).
	pub static VERDICTS: RefCell<Vec<(u64, bool)>> = const { RefCell::new(Vec::new()) };
}

/// The stand-in for the inference pallet's ZKML answers.
pub struct TestZkResults;
impl ZkResults<u64> for TestZkResults {
	fn awaiting(request: u64) -> Option<AwaitingZkProof<u64>> {
		AWAITING.with(|a| a.borrow().get(&request).cloned())
	}
	fn signer(request: u64) -> Option<(SigningKey, [u8; 32])> {
		AWAITING
			.with(|a| a.borrow().get(&request).map(|answer| (answer.signing_key, answer.binding)))
	}
	fn awaiting_for(signing_key: &SigningKey) -> Vec<u64> {
		AWAITING.with(|a| {
			a.borrow()
				.iter()
				.filter(|(_, answer)| &answer.signing_key == signing_key)
				.map(|(request, _)| *request)
				.collect()
		})
	}
	fn accept(request: u64) -> sp_runtime::DispatchResult {
		AWAITING.with(|a| a.borrow_mut().remove(&request)).ok_or(DispatchError::Other("none"))?;
		VERDICTS.with(|v| v.borrow_mut().push((request, true)));
		Ok(())
	}
	fn reject(request: u64) -> sp_runtime::DispatchResult {
		AWAITING.with(|a| a.borrow_mut().remove(&request)).ok_or(DispatchError::Other("none"))?;
		VERDICTS.with(|v| v.borrow_mut().push((request, false)));
		Ok(())
	}
	fn accept_weight() -> Weight {
		Weight::zero()
	}
}

/// Records a ZKML answer awaiting its proof.
pub fn add_awaiting(request: u64, answer: AwaitingZkProof<u64>) {
	AWAITING.with(|a| a.borrow_mut().insert(request, answer));
}

/// The verdicts given so far.
pub fn verdicts() -> Vec<(u64, bool)> {
	VERDICTS.with(|v| v.borrow().clone())
}

/// Registers a worker with the stand-in.
pub fn add_worker(worker: u64, key: SigningKey, stake: u64) {
	WORKERS.with(|w| w.borrow_mut().insert(worker, (key, stake)));
}

/// What slashes credited to `account`.
pub fn credited(account: u64) -> u64 {
	CREDITED.with(|c| c.borrow().get(&account).copied().unwrap_or(0))
}

#[cfg(feature = "runtime-benchmarks")]
pub struct TestBenchmarkHelper;
#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper<u64> for TestBenchmarkHelper {
	fn register_worker(worker: &u64, signing_key: SigningKey, _key_proof: [u8; 64]) {
		add_worker(*worker, signing_key, 1_000_000);
	}
	fn set_now_ms(now_ms: u64) {
		NowMs::set(now_ms);
	}
	fn settled_deterministic_result(disputer: &u64) -> (u64, RequestInput) {
		use frame_support::traits::fungible::Mutate;
		Balances::set_balance(disputer, 1_000_000);
		add_worker(50, [50; 32], 1_000_000);
		add_worker(51, [51; 32], 1_000_000);
		let input = RequestInput::Inline(vec![1u8; 16].try_into().unwrap());
		SETTLED.with(|s| {
			s.borrow_mut().insert(
				7,
				SettledSummary {
					worker: 50,
					model: ModelVersionRef {
						model: 0,
						version: verity_primitives::VersionNumber { major: 1, minor: 0 },
					},
					input: input.clone(),
					output_digest: [1; 32],
					evidence: [2; 32],
					checkable: true,
					exact: true,
					proved: false,
				},
			)
		});
		(7, input)
	}
	fn awaiting_zk_proof(
		worker: &u64,
		signing_key: SigningKey,
		verifying_key: &[u8],
		binding: [u8; 32],
		input: &[u8],
		output: &[u8],
	) -> u64 {
		add_awaiting(
			9,
			AwaitingZkProof {
				worker: *worker,
				signing_key,
				verifying_key: verifying_key.to_vec(),
				binding,
				input: input.to_vec(),
				output: output.to_vec(),
				evidence: [9; 32],
			},
		);
		9
	}
}

impl pallet_proofs::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Workers = TestWorkers;
	type Time = TestTime;
	type ApproveOrigin = EnsureRoot<u64>;
	type TreasuryAccount = Treasury;
	type AttestationValidity = ConstU64<{ 30 * 60 * 1000 }>;
	type MaxAttestationAge = ConstU64<{ 10 * 60 * 1000 }>;
	type MaxCachedCertificates = ConstU32<4>;
	type ChallengePeriod = ConstU64<10>;
	type MaxBatchesPerBlock = ConstU32<3>;
	type FaultSlash = FaultSlash;
	type ReporterShare = ReporterShare;
	type Executor = TestExecutor;
	type Randomness = TestRandomness;
	type SampleRate = SampleRate;
	type SamplingPot = Pot;
	type DisputeBond = ConstU64<DISPUTE_BOND>;
	type MaxDrawsPerBlock = ConstU32<4>;
	type MaxDrawDelay = ConstU32<2>;
	type ZkResults = TestZkResults;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = TestBenchmarkHelper;
}

parameter_types! {
	pub const FaultSlash: Perbill = Perbill::from_percent(10);
	pub const ReporterShare: Permill = Permill::from_percent(50);
}

/// Externalities with the given attestation root, at block 1.
pub fn new_test_ext(root: Vec<u8>) -> sp_io::TestExternalities {
	WORKERS.with(|w| w.borrow_mut().clear());
	CREDITED.with(|c| c.borrow_mut().clear());
	UNBONDING.with(|u| u.borrow_mut().clear());
	SETTLED.with(|s| s.borrow_mut().clear());
	CHECKS.with(|c| c.borrow_mut().clear());
	CHECK_INPUTS.with(|c| c.borrow_mut().clear());
	AWAITING.with(|a| a.borrow_mut().clear());
	VERDICTS.with(|v| v.borrow_mut().clear());
	SampleRate::set(Perbill::from_percent(100));
	Seed::set(0);
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: (1..=10).map(|who| (who, 1_000_000)).chain([(TREASURY, 1), (POT, 1)]).collect(),
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	pallet_proofs::GenesisConfig::<Test> { attestation_root: root, _config: Default::default() }
		.assimilate_storage(&mut storage)
		.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.register_extension(sp_keystore::KeystoreExt::new(
		sp_keystore::testing::MemoryKeystore::new(),
	));
	ext.execute_with(|| System::set_block_number(1));
	ext
}

/// Externalities for the benchmark tests (no root; the benchmarks set their own).
#[cfg(feature = "runtime-benchmarks")]
pub fn new_bench_ext() -> sp_io::TestExternalities {
	new_test_ext(Vec::new())
}
