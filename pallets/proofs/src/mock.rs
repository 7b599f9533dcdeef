//! A test runtime: System, Balances and the proofs pallet, with stand-ins for the workers' stake
//! (a ledger in a thread-local) and for the clock.

use crate as pallet_proofs;
use crate::WorkerStakes;
use core::cell::RefCell;
use frame_support::{
	derive_impl, parameter_types,
	traits::{ConstU32, ConstU64, UnixTime},
};
use frame_system::EnsureRoot;
use sp_runtime::{BuildStorage, Perbill, Permill};
use std::collections::BTreeMap;
use verity_primitives::SigningKey;

type Block = frame_system::mocking::MockBlock<Test>;

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

/// The treasury account.
pub const TREASURY: u64 = 1000;

thread_local! {
	/// Registered workers: account -> (signing key, stake).
	pub static WORKERS: RefCell<BTreeMap<u64, (SigningKey, u64)>> = RefCell::new(BTreeMap::new());
	/// Stake moved by slashes, by receiving account.
	pub static CREDITED: RefCell<BTreeMap<u64, u64>> = RefCell::new(BTreeMap::new());
}

parameter_types! {
	/// The block's wall-clock time, unix ms.
	pub static NowMs: u64 = 0;
	pub const Treasury: u64 = TREASURY;
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
	fn register_worker(worker: &u64, signing_key: SigningKey) {
		add_worker(*worker, signing_key, 1_000_000);
	}
	fn set_now_ms(now_ms: u64) {
		NowMs::set(now_ms);
	}
}

impl pallet_proofs::Config for Test {
	type Currency = Balances;
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
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
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
