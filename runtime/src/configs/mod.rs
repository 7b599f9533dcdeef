//! The `Config` of every pallet in the runtime, and the chain-wide constants they use.

mod inference;
mod proofs;
pub use inference::{ModelHub, ParentHashRandomness, SamplingPot, TreasuryAccount};
pub use proofs::{Reexecution, ResultsToProofs, TeeAttestations, WorkerStake};

use frame_support::{
	derive_impl,
	dispatch::DispatchClass,
	parameter_types,
	traits::{ConstBool, ConstU128, ConstU32, ConstU64, ConstU8, VariantCountOf},
	weights::{
		constants::{ParityDbWeight, WEIGHT_REF_TIME_PER_SECOND},
		ConstantMultiplier, Weight,
	},
};
use frame_system::limits::{BlockLength, BlockWeights};
use pallet_transaction_payment::{ConstFeeMultiplier, FungibleAdapter, Multiplier};
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_runtime::{traits::One, Perbill};
use sp_version::RuntimeVersion;

use super::{
	AccountId, Aura, Balances, Block, Hash, Nonce, OriginCaller, PalletInfo, Runtime, RuntimeCall,
	RuntimeEvent, RuntimeFreezeReason, RuntimeHoldReason, RuntimeOrigin, RuntimeTask, System,
	VERSION,
};
use currency::{Balance, EXISTENTIAL_DEPOSIT};
use time::{BlockNumber, SLOT_DURATION};

/// Block timing. Blocks are produced once per Aura slot.
pub mod time {
	/// An index to a block.
	pub type BlockNumber = u32;

	/// Target block time in milliseconds (one Aura slot). It cannot be changed on a live chain:
	/// a different slot duration stops block production.
	pub const MILLI_SECS_PER_BLOCK: u64 = 3_000;
	/// The Aura slot duration, equal to the block time.
	pub const SLOT_DURATION: u64 = MILLI_SECS_PER_BLOCK;

	/// Blocks per minute.
	pub const MINUTES: BlockNumber = 60_000 / (MILLI_SECS_PER_BLOCK as BlockNumber);
	/// Blocks per hour.
	pub const HOURS: BlockNumber = MINUTES * 60;
	/// Blocks per day.
	pub const DAYS: BlockNumber = HOURS * 24;
}

/// The native token.
pub mod currency {
	/// Balance of an account, in the smallest unit (10^-18 of a token).
	pub type Balance = u128;

	/// The token's symbol, shown by wallets (chain-spec property `tokenSymbol`).
	pub const TOKEN_SYMBOL: &str = "VRT";
	/// Decimal places of the token (chain-spec property `tokenDecimals`).
	pub const TOKEN_DECIMALS: u8 = 18;
	/// One whole token.
	pub const UNIT: Balance = 10u128.pow(TOKEN_DECIMALS as u32);
	/// A thousandth of a token.
	pub const MILLI_UNIT: Balance = UNIT / 1_000;
	/// A millionth of a token.
	pub const MICRO_UNIT: Balance = UNIT / 1_000_000;

	/// The smallest balance an account may hold; below it the account is reaped.
	pub const EXISTENTIAL_DEPOSIT: Balance = MILLI_UNIT;

	/// Fee per unit of `ref_time` weight (picoseconds of reference compute). A plain
	/// transfer (about 0.1 ms of weight in total) costs about 0.001 token.
	pub const FEE_PER_REF_TIME: Balance = 10_000_000;
	/// Fee per byte of encoded transaction.
	pub const FEE_PER_BYTE: Balance = MICRO_UNIT;
}

/// The whole token supply, created at genesis and fixed: 1,000,000,000 tokens.
pub const GENESIS_SUPPLY: currency::Balance = 1_000_000_000 * currency::UNIT;

/// The largest block, in bytes of encoded extrinsics.
const MAX_BLOCK_LENGTH: u32 = 5 * 1024 * 1024;

/// Share of a block's weight and length that normal (not operational) transactions may use.
const NORMAL_DISPATCH_RATIO: Perbill = Perbill::from_percent(75);

parameter_types! {
	pub const BlockHashCount: BlockNumber = 2400;
	pub const Version: RuntimeVersion = VERSION;

	/// One second of compute per 3-second block, leaving time for import and propagation.
	pub RuntimeBlockWeights: BlockWeights = BlockWeights::with_sensible_defaults(
		Weight::from_parts(WEIGHT_REF_TIME_PER_SECOND, u64::MAX),
		NORMAL_DISPATCH_RATIO,
	);
	/// At most 5 MiB of extrinsics per block, 75% of it for normal transactions.
	pub RuntimeBlockLength: BlockLength = BlockLength::builder()
		.max_length(MAX_BLOCK_LENGTH)
		.modify_max_length_for_class(DispatchClass::Normal, |max| *max = NORMAL_DISPATCH_RATIO * *max)
		.build();
	/// Generic Substrate SS58 prefix.
	pub const SS58Prefix: u16 = 42;
}

#[derive_impl(frame_system::config_preludes::SolochainDefaultConfig)]
impl frame_system::Config for Runtime {
	type Block = Block;
	type BlockWeights = RuntimeBlockWeights;
	type BlockLength = RuntimeBlockLength;
	type AccountId = AccountId;
	type Nonce = Nonce;
	type Hash = Hash;
	type BlockHashCount = BlockHashCount;
	/// The node uses ParityDb, never RocksDB.
	type DbWeight = ParityDbWeight;
	type Version = Version;
	type AccountData = pallet_balances::AccountData<Balance>;
	type SS58Prefix = SS58Prefix;
	type MaxConsumers = ConstU32<16>;
}

impl pallet_timestamp::Config for Runtime {
	/// Milliseconds since the Unix epoch.
	type Moment = u64;
	type OnTimestampSet = Aura;
	type MinimumPeriod = ConstU64<{ SLOT_DURATION / 2 }>;
	type WeightInfo = pallet_timestamp::weights::SubstrateWeight<Runtime>;
}

impl pallet_aura::Config for Runtime {
	type AuthorityId = AuraId;
	type DisabledValidators = ();
	type MaxAuthorities = ConstU32<32>;
	type AllowMultipleBlocksPerSlot = ConstBool<false>;
	type SlotDuration = pallet_aura::MinimumPeriodTimesTwo<Runtime>;
}

impl pallet_grandpa::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = ();
	type MaxAuthorities = ConstU32<32>;
	type MaxNominators = ConstU32<0>;
	type MaxSetIdSessionEntries = ConstU64<0>;
	// No session pallet, so equivocations cannot be proven to an owner yet.
	type KeyOwnerProof = sp_core::Void;
	type EquivocationReportSystem = ();
}

impl pallet_balances::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeHoldReason = RuntimeHoldReason;
	type RuntimeFreezeReason = RuntimeFreezeReason;
	type WeightInfo = pallet_balances::weights::SubstrateWeight<Runtime>;
	type Balance = Balance;
	type DustRemoval = ();
	type ExistentialDeposit = ConstU128<EXISTENTIAL_DEPOSIT>;
	type AccountStore = System;
	type ReserveIdentifier = [u8; 8];
	type FreezeIdentifier = RuntimeFreezeReason;
	type MaxLocks = ConstU32<50>;
	type MaxReserves = ConstU32<50>;
	type MaxFreezes = VariantCountOf<RuntimeFreezeReason>;
	type DoneSlashHandler = ();
}

parameter_types! {
	/// Fees do not rise with congestion (yet): the multiplier stays at one.
	pub FeeMultiplier: Multiplier = Multiplier::one();
}

impl pallet_transaction_payment::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	/// Fees are withdrawn from the sender and burned.
	type OnChargeTransaction = FungibleAdapter<Balances, ()>;
	type WeightToFee = ConstantMultiplier<Balance, ConstU128<{ currency::FEE_PER_REF_TIME }>>;
	type LengthToFee = ConstantMultiplier<Balance, ConstU128<{ currency::FEE_PER_BYTE }>>;
	type FeeMultiplierUpdate = ConstFeeMultiplier<FeeMultiplier>;
	type OperationalFeeMultiplier = ConstU8<5>;
	type WeightInfo = pallet_transaction_payment::weights::SubstrateWeight<Runtime>;
}

impl pallet_sudo::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type WeightInfo = pallet_sudo::weights::SubstrateWeight<Runtime>;
}

impl pallet_utility::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type PalletsOrigin = OriginCaller;
	type WeightInfo = pallet_utility::weights::SubstrateWeight<Runtime>;
}

impl pallet_model_registry::Config for Runtime {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	/// Root: a referendum on the `root` track, or a call the technical committee whitelisted
	/// and a `whitelisted_caller` referendum passed.
	type TakeDownOrigin = frame_system::EnsureRoot<AccountId>;
	/// Governable (`Parameters` pallet): 0.1 VRT per record plus 0.001 VRT per byte at genesis
	/// (a largest version record, about 4.6 KB, holds about 4.7 VRT).
	type DepositBase = crate::governance::parameters::dynamic_params::model_hub::DepositBase;
	type DepositPerByte = crate::governance::parameters::dynamic_params::model_hub::DepositPerByte;
	/// 16 GiB: room for quantized LLMs.
	type MaxArtifactSize = ConstU64<{ 16 << 30 }>;
	type MaxVersionsPerModel = ConstU32<64>;
	/// 2^26 elements (256 MiB of f32) in one tensor.
	type MaxTensorElements = ConstU64<{ 1 << 26 }>;
	type MaxContextTokens = ConstU32<{ 1 << 20 }>;
	type ZkKeyChecker = proofs::Groth16KeyChecker;
	type WeightInfo = pallet_model_registry::weights::SubstrateWeight<Runtime>;
}
