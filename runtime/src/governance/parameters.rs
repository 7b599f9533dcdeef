//! Runtime parameters that governance changes without a runtime upgrade (`Parameters` pallet),
//! by Root or through the `parameter_admin` track.

use super::origins::ParameterAdmin;
use crate::{
	configs::currency::{MILLI_UNIT, UNIT},
	Balance, RuntimeOrigin,
};
use frame_support::{
	dynamic_params::{dynamic_pallet_params, dynamic_params},
	traits::{EnsureOrigin, EnsureOriginWithArg},
};

#[dynamic_params(RuntimeParameters, pallet_parameters::Parameters::<crate::Runtime>)]
pub mod dynamic_params {
	use super::*;

	/// Model Hub deposits.
	#[dynamic_pallet_params]
	#[codec(index = 0)]
	pub mod model_hub {
		use super::*;

		/// Deposit of every Model Hub record, whatever its size.
		#[codec(index = 0)]
		pub static DepositBase: Balance = UNIT / 10;

		/// Deposit per byte of a Model Hub record.
		#[codec(index = 1)]
		pub static DepositPerByte: Balance = MILLI_UNIT;
	}
}

#[cfg(feature = "runtime-benchmarks")]
impl Default for RuntimeParameters {
	fn default() -> Self {
		RuntimeParameters::ModelHub(dynamic_params::model_hub::Parameters::DepositBase(
			dynamic_params::model_hub::DepositBase,
			Some(UNIT / 10),
		))
	}
}

/// Who may change a parameter: Root, or a passed `parameter_admin` referendum.
pub struct ParameterAdminOrigin;

impl EnsureOriginWithArg<RuntimeOrigin, RuntimeParametersKey> for ParameterAdminOrigin {
	type Success = ();

	fn try_origin(
		origin: RuntimeOrigin,
		_key: &RuntimeParametersKey,
	) -> Result<Self::Success, RuntimeOrigin> {
		<frame_system::EnsureRoot<crate::AccountId> as EnsureOrigin<RuntimeOrigin>>::try_origin(
			origin,
		)
		.or_else(<ParameterAdmin as EnsureOrigin<RuntimeOrigin>>::try_origin)
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn try_successful_origin(_key: &RuntimeParametersKey) -> Result<RuntimeOrigin, ()> {
		Ok(RuntimeOrigin::root())
	}
}
