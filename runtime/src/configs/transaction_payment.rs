//! `pallet_transaction_payment`: fees by weight and length, burned.

use super::*;

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
