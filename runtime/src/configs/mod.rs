//! The `Config` of every pallet in the runtime, one file per pallet (the validator set's with
//! the session, offences and authorship pallets it works with), and the chain-wide
//! constants they use (`time`, `currency`, block limits).

mod aura;
mod balances;
mod grandpa;
mod inference;
mod model_registry;
mod payments;
mod proofs;
mod sudo;
mod system;
mod timestamp;
mod transaction_payment;
mod utility;
mod validator_set;
pub use inference::{ModelHub, ParentHashRandomness, SamplingPot, TreasuryAccount};
pub use payments::{PaymentDomain, EVM_CHAIN_ID, NATIVE_ASSET};
pub use proofs::{Reexecution, ResultsToProofs, TeeAttestations, WorkerStake};
pub use system::RuntimeBlockWeights;
pub use validator_set::{SessionPeriod, HISTORY_DEPTH};

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
