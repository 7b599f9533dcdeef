//! A test runtime: System, Balances, Timestamp and Payments, with 32-byte accounts so that
//! Ethereum addresses pay from pallet-revive's fallback accounts.

use crate as pallet_payments;
use frame_support::{derive_impl, parameter_types, traits::ConstU64};
use sp_runtime::{traits::IdentityLookup, AccountId32, BuildStorage};
use verity_primitives::x402::Domain;

type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Timestamp: pallet_timestamp,
		Payments: pallet_payments,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountId = AccountId32;
	type Lookup = IdentityLookup<AccountId32>;
	type AccountData = pallet_balances::AccountData<u128>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = u128;
	type ExistentialDeposit = ConstU64Balance;
	type AccountStore = System;
	type RuntimeHoldReason = RuntimeHoldReason;
}

impl pallet_timestamp::Config for Test {
	type Moment = u64;
	type OnTimestampSet = ();
	type MinimumPeriod = ConstU64<1>;
	type WeightInfo = ();
}

/// The existential deposit.
pub const ED: u128 = 10;
/// The longest validity accepted (seconds).
pub const MAX_VALIDITY: u64 = 600;
/// The EVM chain id.
pub const CHAIN_ID: u64 = 420_420;

parameter_types! {
	pub const ConstU64Balance: u128 = ED;
	pub TestDomain: Domain = Domain {
		name: b"Verity".to_vec().try_into().unwrap(),
		version: b"1".to_vec().try_into().unwrap(),
		chain_id: CHAIN_ID,
		verifying_contract: [0xEE; 20],
	};
}

impl pallet_payments::Config for Test {
	type Currency = Balances;
	type AddressMapper = crate::FallbackAccounts;
	type Time = Timestamp;
	type Domain = TestDomain;
	type MaxValidity = ConstU64<MAX_VALIDITY>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = SetTimestamp;
}

/// Sets `pallet_timestamp`'s time.
#[cfg(feature = "runtime-benchmarks")]
pub struct SetTimestamp;

#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper for SetTimestamp {
	fn set_time(seconds: u64) {
		pallet_timestamp::Now::<Test>::put(seconds * 1000);
	}
}

/// UNIX time of the first block (seconds).
pub const START: u64 = 1_800_000_000;

/// A chain at `START`, with a keystore (for the benchmarks' signing key).
pub fn new_test_ext() -> sp_io::TestExternalities {
	let storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.register_extension(sp_keystore::KeystoreExt::new(
		sp_keystore::testing::MemoryKeystore::new(),
	));
	ext.execute_with(|| {
		System::set_block_number(1);
		Timestamp::set_timestamp(START * 1000);
	});
	ext
}
