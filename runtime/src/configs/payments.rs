//! `pallet_payments`: x402 payments in the native token, authorized with Ethereum keys
//! (EIP-3009 `TransferWithAuthorization`) and settled by anyone (the gateway's facilitator).

use super::*;
use crate::{Balances, Timestamp};
use verity_primitives::x402::{Domain, EthAddress};

/// Verity's EVM chain id (`eip155:1447383625`): "VERI" in ASCII, an id no public EVM network
/// uses. Payers sign it into every authorization, so one is never valid on another network.
pub const EVM_CHAIN_ID: u64 = 0x5645_5249;

/// The address x402 names the native token by (its `asset`, the EIP-712 domain's
/// `verifyingContract`): `0xEeee…EEeE`, the usual stand-in for a chain's native token.
pub const NATIVE_ASSET: EthAddress = [0xEE; 20];

parameter_types! {
	/// The domain payers sign under: x402's `extra: {name: "Verity", version: "1"}`, network
	/// `eip155:<EVM_CHAIN_ID>` and asset `NATIVE_ASSET`.
	pub PaymentDomain: Domain = Domain {
		name: b"Verity".to_vec().try_into().expect("6 bytes fit"),
		version: b"1".to_vec().try_into().expect("1 byte fits"),
		chain_id: EVM_CHAIN_ID,
		verifying_contract: NATIVE_ASSET,
	};
}

impl pallet_payments::Config for Runtime {
	type Currency = Balances;
	/// pallet-revive's fallback accounts (`address ‖ 0xEE × 12`).
	type AddressMapper = pallet_payments::FallbackAccounts;
	type Time = Timestamp;
	type Domain = PaymentDomain;
	/// An hour: x402 clients sign `validBefore = now + maxTimeoutSeconds` (minutes).
	type MaxValidity = ConstU64<3_600>;
	type WeightInfo = pallet_payments::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = SetTime;
}

/// Sets the benchmarks' time in `pallet_timestamp`.
#[cfg(feature = "runtime-benchmarks")]
pub struct SetTime;

#[cfg(feature = "runtime-benchmarks")]
impl pallet_payments::BenchmarkHelper for SetTime {
	fn set_time(seconds: u64) {
		pallet_timestamp::Now::<Runtime>::put(seconds * 1000);
	}
}
