//! How Ethereum addresses map to accounts, and the pruning buckets.

use verity_primitives::x402::{fallback_account, EthAddress};

/// Used nonces are pruned in buckets of this many seconds of `validBefore`.
pub const BUCKET_SECONDS: u64 = 60;

/// The account an Ethereum address pays from and is paid to.
pub trait AddressMapper<AccountId> {
	/// `address`'s account.
	fn to_account(address: &EthAddress) -> AccountId;
}

/// pallet-revive's mapping of an address that has no native account bound to it: the address
/// followed by twelve `0xEE` bytes. (With pallet-revive in the runtime, its `AddressMapper`
/// also honours accounts bound with `map_account`; the fallback accounts are the same.)
pub struct FallbackAccounts;

impl<AccountId: From<[u8; 32]>> AddressMapper<AccountId> for FallbackAccounts {
	fn to_account(address: &EthAddress) -> AccountId {
		fallback_account(address).into()
	}
}

/// What the benchmarks need of the runtime.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper {
	/// Sets the chain's time to `seconds` after the UNIX epoch.
	fn set_time(seconds: u64);
}
