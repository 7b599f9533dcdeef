//! The origins that referenda tracks dispatch with, beside Root.

pub use pallet_custom_origins::*;

#[frame_support::pallet]
pub mod pallet_custom_origins {
	use frame_support::pallet_prelude::*;

	#[pallet::config]
	pub trait Config: frame_system::Config {}

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	/// Origins of referenda tracks other than `root`.
	#[derive(
		PartialEq, Eq, Clone, MaxEncodedLen, Encode, Decode, DecodeWithMemTracking, TypeInfo, Debug,
	)]
	#[pallet::origin]
	pub enum Origin {
		/// A referendum on the `whitelisted_caller` track passed: it may dispatch a call the
		/// technical committee whitelisted.
		WhitelistedCaller,
		/// A referendum on the `parameter_admin` track passed: it may change governable
		/// parameters.
		ParameterAdmin,
	}

	macro_rules! decl_ensure {
		($name:ident) => {
			#[doc = concat!("Ensures the origin is `", stringify!($name), "`.")]
			pub struct $name;
			impl<O: OriginTrait + From<Origin>> EnsureOrigin<O> for $name
			where
				for<'a> &'a O::PalletsOrigin: TryInto<&'a Origin>,
			{
				type Success = ();
				fn try_origin(o: O) -> Result<Self::Success, O> {
					if matches!(o.caller().try_into(), Ok(&Origin::$name)) {
						Ok(())
					} else {
						Err(o)
					}
				}
				#[cfg(feature = "runtime-benchmarks")]
				fn try_successful_origin() -> Result<O, ()> {
					Ok(O::from(Origin::$name))
				}
			}
		};
	}
	decl_ensure!(WhitelistedCaller);
	decl_ensure!(ParameterAdmin);
}
