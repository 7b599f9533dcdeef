//! `pallet_model_registry` (the Model Hub): deposits set by governance, bounds for artifacts and schemas, and the Groth16 key check of the proofs pallet.

use super::*;

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
