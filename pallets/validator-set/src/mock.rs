//! A test runtime: System, Balances, Session (with historical sessions) and the validator set,
//! accounts 1 to 4 validating from genesis.

use crate as pallet_validator_set;
use codec::Encode;
use frame_support::{
	derive_impl, parameter_types,
	traits::{ConstU32, ConstU64},
};
use frame_system::EnsureRoot;
use pallet_session::SessionHandler;
use sp_runtime::{
	impl_opaque_keys,
	testing::UintAuthorityId,
	traits::{ConvertInto, OpaqueKeys},
	BuildStorage, KeyTypeId, RuntimeAppPublic,
};

type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		ValidatorSet: pallet_validator_set,
		Session: pallet_session,
		Historical: pallet_session::historical,
	}
);

impl_opaque_keys! {
	pub struct MockSessionKeys {
		pub dummy: UintAuthorityId,
	}
}

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

/// Blocks per session.
pub const SESSION_LENGTH: u64 = 5;
/// The fewest validators governance may leave.
pub const MIN_VALIDATORS: u32 = 4;
/// The most validators.
pub const MAX_VALIDATORS: u32 = 6;
/// Sessions of key-ownership history kept.
pub const HISTORY_DEPTH: u32 = 3;

parameter_types! {
	/// The validators the session handler was last told about.
	pub static Authorities: Vec<u64> = vec![];
}

/// Records each session's validators, as a consensus engine's handler would.
pub struct TestSessionHandler;

impl SessionHandler<u64> for TestSessionHandler {
	const KEY_TYPE_IDS: &'static [KeyTypeId] = &[UintAuthorityId::ID];
	fn on_genesis_session<K: OpaqueKeys>(validators: &[(u64, K)]) {
		Authorities::set(validators.iter().map(|(v, _)| *v).collect());
	}
	fn on_new_session<K: OpaqueKeys>(_: bool, validators: &[(u64, K)], _: &[(u64, K)]) {
		Authorities::set(validators.iter().map(|(v, _)| *v).collect());
	}
	fn on_disabled(_: u32) {}
}

type Periodic = pallet_session::PeriodicSessions<ConstU64<SESSION_LENGTH>, ConstU64<0>>;

impl pallet_session::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type ValidatorId = u64;
	type ValidatorIdOf = ConvertInto;
	type ShouldEndSession = Periodic;
	type NextSessionRotation = Periodic;
	type SessionManager = pallet_session::historical::NoteHistoricalRoot<Test, ValidatorSet>;
	type SessionHandler = TestSessionHandler;
	type Keys = MockSessionKeys;
	type DisablingStrategy = pallet_session::disabling::UpToLimitDisablingStrategy;
	type WeightInfo = ();
	type Currency = Balances;
	type KeyDeposit = ConstU64<10>;
}

impl pallet_session::historical::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type FullIdentification = ();
	type FullIdentificationOf = pallet_validator_set::FullIdentificationOf<Test>;
}

impl pallet_validator_set::Config for Test {
	type UpdateOrigin = EnsureRoot<u64>;
	type Session = Session;
	type MinValidators = ConstU32<MIN_VALIDATORS>;
	type MaxValidators = ConstU32<MAX_VALIDATORS>;
	type HistoryDepth = ConstU32<HISTORY_DEPTH>;
	type WeightInfo = ();
}

/// Account `who`'s session keys.
pub fn keys(who: u64) -> MockSessionKeys {
	MockSessionKeys { dummy: UintAuthorityId(who) }
}

/// The proof that `who` owns its keys, as `session.set_keys` takes it.
pub fn keys_proof(who: u64) -> Vec<u8> {
	UintAuthorityId(who).sign(&who.encode()).expect("test keys sign").encode()
}

/// Accounts 1 to 9 are funded; 1 to 4 are the genesis validators, with session keys.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: (1..10).map(|who| (who, 1_000)).collect(),
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	let genesis: Vec<u64> = (1..=4).collect();
	pallet_validator_set::GenesisConfig::<Test> { validators: genesis.clone() }
		.assimilate_storage(&mut storage)
		.unwrap();
	pallet_session::GenesisConfig::<Test> {
		keys: genesis.iter().map(|&who| (who, who, keys(who))).collect(),
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	ext
}

/// Runs blocks until session `index` has started.
pub fn run_to_session(index: u32) {
	use frame_support::traits::Hooks;
	while pallet_session::CurrentIndex::<Test>::get() < index {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		Session::on_initialize(next);
	}
}
