//! A test runtime: System, Balances and the registry.

use crate as pallet_model_registry;
use frame_support::{
	derive_impl, parameter_types,
	traits::{ConstU32, ConstU64},
};
use frame_system::EnsureRoot;
use sp_runtime::BuildStorage;

type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		ModelRegistry: pallet_model_registry,
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

/// Deposit per record.
pub const DEPOSIT_BASE: u64 = 100;
/// Deposit per byte.
pub const DEPOSIT_PER_BYTE: u64 = 2;
/// Largest artifact in the tests.
pub const MAX_ARTIFACT_SIZE: u64 = 1 << 30;
/// Most versions per model in the tests.
pub const MAX_VERSIONS: u32 = 3;

parameter_types! {
	pub const DepositBase: u64 = DEPOSIT_BASE;
	pub const DepositPerByte: u64 = DEPOSIT_PER_BYTE;
}

impl pallet_model_registry::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type TakeDownOrigin = EnsureRoot<u64>;
	type DepositBase = DepositBase;
	type DepositPerByte = DepositPerByte;
	type MaxArtifactSize = ConstU64<MAX_ARTIFACT_SIZE>;
	type MaxVersionsPerModel = ConstU32<MAX_VERSIONS>;
	type MaxTensorElements = ConstU64<{ 1 << 24 }>;
	type MaxContextTokens = ConstU32<131_072>;
	type ZkKeyChecker = Groth16Keys;
	type WeightInfo = ();
}

/// Checks keys with Verity's real Groth16 verifier (natively, on arkworks' own curve).
pub struct Groth16Keys;

impl pallet_model_registry::ZkKeyChecker for Groth16Keys {
	fn is_valid(key: &[u8], input_len: u64, output_len: u64) -> bool {
		verity_zkml::verifier::key_fits::<ark_bls12_381::Bls12_381>(key, input_len, output_len)
	}
}

/// Accounts 1, 2 and 3 start with 1,000,000 each; account 4 with just enough to exist.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: vec![(1, 1_000_000), (2, 1_000_000), (3, 1_000_000), (4, 10)],
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	ext
}
