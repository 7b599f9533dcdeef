//! Referenda tracks: which origin a referendum dispatches with decides its track, and the track
//! decides deposits, periods and the approval and support a referendum needs.
//!
//! Approval: share of conviction-weighted votes that are aye. Support: share of the active
//! issuance that voted aye (before conviction). Both thresholds fall linearly from `ceil` to
//! `floor` over the decision period.

use super::{origins, period};
use crate::{
	configs::{
		currency::UNIT,
		time::{BlockNumber, DAYS, HOURS, MINUTES},
	},
	Balance, OriginCaller,
};
use alloc::borrow::Cow;
use pallet_referenda::{Curve, Track, TrackInfo};
use sp_runtime::{str_array as name, Perbill};

/// Track id of `root`.
pub const ROOT: u16 = 0;
/// Track id of `whitelisted_caller`.
pub const WHITELISTED_CALLER: u16 = 1;
/// Track id of `parameter_admin`.
pub const PARAMETER_ADMIN: u16 = 2;

const fn linear(floor: u32, ceil: u32) -> Curve {
	Curve::LinearDecreasing {
		length: Perbill::from_percent(100),
		floor: Perbill::from_percent(floor),
		ceil: Perbill::from_percent(ceil),
	}
}

const TRACKS: [Track<u16, Balance, BlockNumber>; 3] = [
	Track {
		id: ROOT,
		info: TrackInfo {
			name: name("root"),
			max_deciding: 1,
			decision_deposit: 1_000 * UNIT,
			prepare_period: period(2 * HOURS, 1),
			decision_period: period(14 * DAYS, 30),
			confirm_period: period(DAYS, 2),
			min_enactment_period: period(DAYS, 1),
			min_approval: linear(50, 100),
			min_support: linear(5, 30),
		},
	},
	Track {
		id: WHITELISTED_CALLER,
		info: TrackInfo {
			name: name("whitelisted_caller"),
			max_deciding: 10,
			decision_deposit: 100 * UNIT,
			prepare_period: period(30 * MINUTES, 1),
			decision_period: period(14 * DAYS, 30),
			confirm_period: period(10 * MINUTES, 1),
			min_enactment_period: period(10 * MINUTES, 1),
			min_approval: linear(50, 100),
			min_support: linear(1, 5),
		},
	},
	Track {
		id: PARAMETER_ADMIN,
		info: TrackInfo {
			name: name("parameter_admin"),
			max_deciding: 10,
			decision_deposit: 500 * UNIT,
			prepare_period: period(HOURS, 1),
			decision_period: period(7 * DAYS, 20),
			confirm_period: period(3 * HOURS, 1),
			min_enactment_period: period(HOURS, 1),
			min_approval: linear(50, 100),
			min_support: linear(5, 20),
		},
	},
];

/// The runtime's tracks.
pub struct TracksInfo;

impl pallet_referenda::TracksInfo<Balance, BlockNumber> for TracksInfo {
	type Id = u16;
	type RuntimeOrigin = OriginCaller;

	fn tracks() -> impl Iterator<Item = Cow<'static, Track<Self::Id, Balance, BlockNumber>>> {
		TRACKS.iter().map(Cow::Borrowed)
	}

	fn track_for(origin: &Self::RuntimeOrigin) -> Result<Self::Id, ()> {
		match origin {
			OriginCaller::system(frame_system::RawOrigin::Root) => Ok(ROOT),
			OriginCaller::Origins(origins::Origin::WhitelistedCaller) => Ok(WHITELISTED_CALLER),
			OriginCaller::Origins(origins::Origin::ParameterAdmin) => Ok(PARAMETER_ADMIN),
			_ => Err(()),
		}
	}
}
