#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]
// `#[frame_support::runtime]` expands to large types.
#![recursion_limit = "256"]

#[cfg(feature = "std")]
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));

extern crate alloc;

pub mod apis;
#[cfg(feature = "runtime-benchmarks")]
mod benchmarks;
pub mod configs;
pub mod genesis_config_presets;
pub mod governance;
use alloc::{borrow::Cow, vec::Vec};
use sp_runtime::{
	generic, impl_opaque_keys,
	traits::{BlakeTwo256, IdentifyAccount, Verify},
	MultiAddress, MultiSignature,
};
use sp_version::RuntimeVersion;

pub use configs::{
	currency::{Balance, EXISTENTIAL_DEPOSIT, MILLI_UNIT, TOKEN_DECIMALS, TOKEN_SYMBOL, UNIT},
	time::{BlockNumber, DAYS, HOURS, MILLI_SECS_PER_BLOCK, MINUTES, SLOT_DURATION},
	GENESIS_SUPPLY,
};
pub use frame_system::Call as SystemCall;
pub use pallet_balances::Call as BalancesCall;
#[cfg(any(feature = "std", test))]
pub use sp_runtime::BuildStorage;

/// Types the node uses without knowing the runtime's extrinsic format.
pub mod opaque {
	use super::*;
	use sp_runtime::traits::Hash as HashT;

	pub use sp_runtime::OpaqueExtrinsic as UncheckedExtrinsic;

	/// Opaque block header type.
	pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
	/// Opaque block type.
	pub type Block = generic::Block<Header, UncheckedExtrinsic>;
	/// Opaque block hash type.
	pub type Hash = <BlakeTwo256 as HashT>::Output;
}

impl_opaque_keys! {
	/// The keys a validator holds: Aura for block production, GRANDPA for finality.
	pub struct SessionKeys {
		pub aura: Aura,
		pub grandpa: Grandpa,
	}
}

/// The runtime's version. Bump `spec_version` with every runtime change that reaches a chain
/// (in both declarations below); the chain refuses an upgrade whose `spec_name` differs or
/// whose `spec_version` is not higher.
#[cfg(not(feature = "spec-version-bump"))]
#[sp_version::runtime_version]
pub const VERSION: RuntimeVersion = RuntimeVersion {
	spec_name: Cow::Borrowed("verity"),
	impl_name: Cow::Borrowed("verity-node"),
	authoring_version: 1,
	spec_version: 109,
	impl_version: 1,
	apis: apis::RUNTIME_API_VERSIONS,
	transaction_version: 4,
	system_version: 1,
};

/// The same runtime one `spec_version` higher (feature `spec-version-bump`): the upgrade that
/// the runtime-upgrade test passes by referendum.
#[cfg(feature = "spec-version-bump")]
#[sp_version::runtime_version]
pub const VERSION: RuntimeVersion = RuntimeVersion {
	spec_name: Cow::Borrowed("verity"),
	impl_name: Cow::Borrowed("verity-node"),
	authoring_version: 1,
	spec_version: 110,
	impl_version: 1,
	apis: apis::RUNTIME_API_VERSIONS,
	transaction_version: 4,
	system_version: 1,
};

/// A transaction signature (sr25519, ed25519 or ecdsa).
pub type Signature = MultiSignature;
/// An account: the public key of the transaction signing scheme.
pub type AccountId = <<Signature as Verify>::Signer as IdentifyAccount>::AccountId;
/// Count of transactions an account has sent.
pub type Nonce = u32;
/// A hash of some data used by the chain.
pub type Hash = sp_core::H256;
/// The address format for describing accounts.
pub type Address = MultiAddress<AccountId, ()>;
/// Block header type.
pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
/// Block type.
pub type Block = generic::Block<Header, UncheckedExtrinsic>;

/// The transaction extensions, in order. `AuthorizeCall` comes first: it lets a call's own
/// `#[pallet::authorize]` rule admit a general (unsigned-style) transaction, which is how
/// offchain workers submit results without paying fees.
pub type TxExtension = (
	frame_system::AuthorizeCall<Runtime>,
	frame_system::CheckNonZeroSender<Runtime>,
	frame_system::CheckSpecVersion<Runtime>,
	frame_system::CheckTxVersion<Runtime>,
	frame_system::CheckGenesis<Runtime>,
	frame_system::CheckEra<Runtime>,
	frame_system::CheckNonce<Runtime>,
	frame_system::CheckWeight<Runtime>,
	pallet_transaction_payment::ChargeTransactionPayment<Runtime>,
	frame_system::WeightReclaim<Runtime>,
);

/// Extrinsic type as it arrives from outside.
pub type UncheckedExtrinsic =
	generic::UncheckedExtrinsic<Address, RuntimeCall, Signature, TxExtension>;
/// The payload being signed in transactions.
pub type SignedPayload = generic::SignedPayload<RuntimeCall, TxExtension>;

/// Migrations to run on runtime upgrade, beyond those declared by the pallets.
type Migrations = (
	pallet_inference::migrations::MigrateToV1<Runtime>,
	pallet_inference::migrations::MigrateToV2<Runtime>,
);

/// Executive: dispatches blocks and extrinsics to the pallets.
pub type Executive = frame_executive::Executive<
	Runtime,
	Block,
	frame_system::ChainContext<Runtime>,
	Runtime,
	AllPalletsWithSystem,
	Migrations,
>;

#[frame_support::runtime]
mod runtime {
	#[runtime::runtime]
	#[runtime::derive(
		RuntimeCall,
		RuntimeEvent,
		RuntimeError,
		RuntimeOrigin,
		RuntimeFreezeReason,
		RuntimeHoldReason,
		RuntimeSlashReason,
		RuntimeLockId,
		RuntimeTask,
		RuntimeViewFunction
	)]
	pub struct Runtime;

	#[runtime::pallet_index(0)]
	pub type System = frame_system;

	#[runtime::pallet_index(1)]
	pub type Timestamp = pallet_timestamp;

	#[runtime::pallet_index(4)]
	pub type Balances = pallet_balances;

	#[runtime::pallet_index(5)]
	pub type TransactionPayment = pallet_transaction_payment;

	// Validators: declared after Balances (genesis session keys need existing accounts) and
	// before Aura and GRANDPA, so that at genesis and at every session boundary the set is
	// decided (ValidatorSet), then keyed (Session), before consensus reads it.
	#[runtime::pallet_index(30)]
	pub type Authorship = pallet_authorship;

	#[runtime::pallet_index(31)]
	pub type ValidatorSet = pallet_validator_set;

	#[runtime::pallet_index(32)]
	pub type Session = pallet_session;

	#[runtime::pallet_index(33)]
	pub type Historical = pallet_session::historical;

	#[runtime::pallet_index(34)]
	pub type Offences = pallet_offences;

	#[runtime::pallet_index(2)]
	pub type Aura = pallet_aura;

	#[runtime::pallet_index(3)]
	pub type Grandpa = pallet_grandpa;

	#[runtime::pallet_index(6)]
	pub type Sudo = pallet_sudo;

	#[runtime::pallet_index(7)]
	pub type Utility = pallet_utility;

	#[runtime::pallet_index(10)]
	pub type ModelRegistry = pallet_model_registry;

	#[runtime::pallet_index(11)]
	pub type Inference = pallet_inference;

	#[runtime::pallet_index(12)]
	pub type Proofs = pallet_proofs;

	#[runtime::pallet_index(13)]
	pub type Payments = pallet_payments;

	// Governance.
	#[runtime::pallet_index(20)]
	pub type Preimage = pallet_preimage;

	#[runtime::pallet_index(21)]
	pub type Scheduler = pallet_scheduler;

	#[runtime::pallet_index(22)]
	pub type Referenda = pallet_referenda;

	#[runtime::pallet_index(23)]
	pub type ConvictionVoting = pallet_conviction_voting;

	#[runtime::pallet_index(24)]
	pub type TechnicalCommittee = pallet_collective<Instance1>;

	#[runtime::pallet_index(25)]
	pub type Whitelist = pallet_whitelist;

	#[runtime::pallet_index(26)]
	pub type Origins = governance::origins::pallet_custom_origins;

	#[runtime::pallet_index(27)]
	pub type Parameters = pallet_parameters;
}
