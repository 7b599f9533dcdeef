//! Benchmarks of every call, each on its worst case: records of the largest encoded size (every
//! bounded field full, schemas with the most tensors of the highest rank and distinct names that
//! share a long prefix, the most locations with the longest URLs).
//!
//! Other pallets' benchmarks that need a model version set one up with [`published_version`]
//! and [`zk_keys`] (a runtime's benchmark helpers call them).

use super::*;
use crate::Pallet as ModelRegistry;
use alloc::{boxed::Box, vec, vec::Vec};
use frame_benchmarking::v2::*;
use frame_support::{
	traits::{fungible::Mutate, EnsureOrigin, Get},
	BoundedVec,
};
use frame_system::RawOrigin;
use sp_runtime::traits::Bounded;
use verity_primitives::{
	ArtifactDigest, ArtifactFormat, IoSchema, ModelId, ModelVersionRef, StorageLocation, Task,
	TensorDtype, TensorSpec, VerificationMode, VerificationModes, VersionNumber, VersionSpec,
	ZkKeys, MAX_DESCRIPTION_LEN, MAX_LICENCE_LEN, MAX_LOCATIONS, MAX_NAME_LEN, MAX_REASON_LEN,
	MAX_TAGS, MAX_TAG_LEN, MAX_TENSORS, MAX_TENSOR_NAME_LEN, MAX_TENSOR_RANK, MAX_URL_LEN,
};

extern crate alloc;

/// `len` bytes of text ending in `suffix`'s digits, so names that must differ do.
fn text<S: Get<u32>>(len: u32, suffix: u32) -> BoundedVec<u8, S> {
	let mut bytes = vec![b'a'; len as usize];
	let digits = alloc::format!("{suffix}");
	let start = bytes.len().saturating_sub(digits.len());
	let take = bytes.len() - start;
	bytes[start..].copy_from_slice(&digits.as_bytes()[..take]);
	bytes.try_into().expect("len is the bound")
}

fn funded<T: Config>(name: &'static str, index: u32) -> T::AccountId {
	let who: T::AccountId = account(name, index, 0);
	T::Currency::set_balance(&who, BalanceOf::<T>::max_value() / 4u32.into());
	who
}

fn largest_model<T: Config>(owner: &T::AccountId, name_suffix: u32) -> ModelId {
	let model = NextModelId::<T>::get();
	ModelRegistry::<T>::do_create_model(
		owner.clone(),
		text(MAX_NAME_LEN, name_suffix),
		text(MAX_DESCRIPTION_LEN, 0),
		Task::Classification,
		text(MAX_LICENCE_LEN, 0),
		(0..MAX_TAGS).map(|i| text(MAX_TAG_LEN, i)).collect::<Vec<_>>().try_into().unwrap(),
	)
	.expect("funded owner, fresh name");
	model
}

fn largest_spec<T: Config>() -> VersionSpec<BalanceOf<T>> {
	let tensors = || {
		(0..MAX_TENSORS)
			.map(|i| TensorSpec {
				name: text(MAX_TENSOR_NAME_LEN, i),
				dtype: TensorDtype::F32,
				shape: vec![1; MAX_TENSOR_RANK as usize].try_into().unwrap(),
			})
			.collect::<Vec<_>>()
			.try_into()
			.unwrap()
	};
	let url = |i: u32| {
		let mut url = b"https://".to_vec();
		url.extend(
			text::<frame_support::traits::ConstU32<MAX_URL_LEN>>(MAX_URL_LEN - 8, i).into_inner(),
		);
		url.try_into().unwrap()
	};
	VersionSpec {
		artifact: ArtifactDigest {
			size: T::MaxArtifactSize::get(),
			..ArtifactDigest::of(b"model")
		},
		format: ArtifactFormat::VerityInt8,
		schema: IoSchema::Tensors { inputs: tensors(), outputs: tensors() },
		modes: VerificationModes::of(&VerificationMode::ALL),
		price_per_inference: 1_000u32.into(),
		price_per_token: 1u32.into(),
		zk_verifying_key: Some(ArtifactDigest::of(b"verifying key")),
		locations: (0..MAX_LOCATIONS)
			.map(|i| StorageLocation::Https(url(i)))
			.collect::<Vec<_>>()
			.try_into()
			.unwrap(),
	}
}

fn publish_largest<T: Config>(owner: &T::AccountId, model: ModelId, version: VersionNumber) {
	ModelRegistry::<T>::do_publish_version(owner.clone(), model, version, largest_spec::<T>())
		.expect("owner publishes a higher version");
}

/// Publishes version 1.0 of a new model, owned by a funded account, with `schema`, offered in
/// every verification mode at a small price, with a verifying-key digest and one artifact-store
/// location, and returns it. For other pallets' benchmarks.
pub fn published_version<T: Config>(schema: IoSchema, format: ArtifactFormat) -> ModelVersionRef {
	let owner = funded::<T>("model-owner", 0);
	let model = NextModelId::<T>::get();
	let name = alloc::format!("bench-{model}").into_bytes().try_into().expect("a short name");
	ModelRegistry::<T>::do_create_model(
		owner.clone(),
		name,
		text(16, 0),
		Task::Classification,
		text(8, 0),
		Default::default(),
	)
	.expect("funded owner, fresh name");
	let store = b"http://127.0.0.1:9955".to_vec().try_into().expect("a short URL");
	let spec = VersionSpec {
		artifact: ArtifactDigest::of(b"bench model"),
		format,
		schema,
		modes: VerificationModes::of(&VerificationMode::ALL),
		price_per_inference: 1_000u32.into(),
		price_per_token: 0u32.into(),
		zk_verifying_key: Some(ArtifactDigest::of(b"verifying key")),
		locations: vec![StorageLocation::ArtifactStore(store)].try_into().expect("one location"),
	};
	let version = VersionNumber::new(1, 0);
	ModelRegistry::<T>::do_publish_version(owner, model, version, spec)
		.expect("a valid first version");
	ModelVersionRef { model, version }
}

/// Stores `verifying_key` (and a proving-key digest) as `model`'s ZKML keys, as an accepted
/// key upload would. For other pallets' benchmarks.
pub fn zk_keys<T: Config>(model: ModelVersionRef, verifying_key: &[u8]) {
	let key = BoundedVec::<u8, _>::try_from(verifying_key.to_vec()).expect("the fixture fits");
	ZkVerifyingKeys::<T>::insert(model.model, model.version, key);
	ZkProvingKeys::<T>::insert(model.model, model.version, ArtifactDigest::of(b"proving key"));
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn create_model() {
		let owner = funded::<T>("owner", 0);
		let name = text(MAX_NAME_LEN, 7);

		#[extrinsic_call]
		_(
			RawOrigin::Signed(owner.clone()),
			name.clone(),
			text(MAX_DESCRIPTION_LEN, 0),
			Task::Classification,
			text(MAX_LICENCE_LEN, 0),
			(0..MAX_TAGS).map(|i| text(MAX_TAG_LEN, i)).collect::<Vec<_>>().try_into().unwrap(),
		);

		assert!(ModelIdByName::<T>::contains_key(&owner, &name));
	}

	#[benchmark]
	fn publish_version() {
		let owner = funded::<T>("owner", 0);
		let model = largest_model::<T>(&owner, 0);
		// A version exists, so every ordering check runs.
		publish_largest::<T>(&owner, model, VersionNumber::new(1, 0));
		let version = VersionNumber::new(1, 1);

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), model, version, Box::new(largest_spec::<T>()));

		assert!(Versions::<T>::contains_key(model, version));
	}

	#[benchmark]
	fn deprecate_version() {
		let owner = funded::<T>("owner", 0);
		let model = largest_model::<T>(&owner, 0);
		let version = VersionNumber::new(1, 0);
		publish_largest::<T>(&owner, model, version);

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), model, version);

		assert!(ModelRegistry::<T>::servable_version(model, version).is_none());
	}

	#[benchmark]
	fn take_down_version() -> Result<(), BenchmarkError> {
		let owner = funded::<T>("owner", 0);
		let model = largest_model::<T>(&owner, 0);
		let version = VersionNumber::new(1, 0);
		publish_largest::<T>(&owner, model, version);
		let origin =
			T::TakeDownOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, model, version, text(MAX_REASON_LEN, 0));

		assert!(ModelRegistry::<T>::servable_version(model, version).is_none());
		Ok(())
	}

	#[benchmark]
	fn remove_version() {
		let owner = funded::<T>("owner", 0);
		let model = largest_model::<T>(&owner, 0);
		let version = VersionNumber::new(1, 0);
		publish_largest::<T>(&owner, model, version);
		ModelRegistry::<T>::do_deprecate_version(owner.clone(), model, version).unwrap();

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), model, version);

		assert!(!Versions::<T>::contains_key(model, version));
	}

	#[benchmark]
	fn remove_model() {
		let owner = funded::<T>("owner", 0);
		let model = largest_model::<T>(&owner, 0);
		ModelRegistry::<T>::do_offer_ownership(owner.clone(), model, account("to", 0, 0)).unwrap();

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), model);

		assert!(!Models::<T>::contains_key(model));
	}

	#[benchmark]
	fn offer_ownership() {
		let owner = funded::<T>("owner", 0);
		let model = largest_model::<T>(&owner, 0);
		let to: T::AccountId = account("to", 0, 0);

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), model, to.clone());

		assert_eq!(OwnershipOffers::<T>::get(model), Some(to));
	}

	#[benchmark]
	fn cancel_ownership_offer() {
		let owner = funded::<T>("owner", 0);
		let model = largest_model::<T>(&owner, 0);
		ModelRegistry::<T>::do_offer_ownership(owner.clone(), model, account("to", 0, 0)).unwrap();

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), model);

		assert!(!OwnershipOffers::<T>::contains_key(model));
	}

	#[benchmark]
	fn accept_ownership() {
		let owner = funded::<T>("owner", 0);
		let model = largest_model::<T>(&owner, 0);
		publish_largest::<T>(&owner, model, VersionNumber::new(1, 0));
		let to = funded::<T>("to", 0);
		ModelRegistry::<T>::do_offer_ownership(owner, model, to.clone()).unwrap();

		#[extrinsic_call]
		_(RawOrigin::Signed(to.clone()), model);

		assert_eq!(Models::<T>::get(model).map(|info| info.owner), Some(to));
	}

	/// The largest verifying key the chain takes that is also valid (a real key with the most
	/// public inputs, from `verity-zkml`'s fixture), on a version whose schema fits it.
	#[benchmark]
	fn set_zk_keys() {
		let owner = funded::<T>("owner", 0);
		let model = largest_model::<T>(&owner, 0);
		let version = VersionNumber::new(1, 0);
		let fixture = verity_zkml::fixture::largest();
		let tensor = |name: &[u8], len: usize| -> BoundedVec<_, _> {
			vec![TensorSpec {
				name: name.to_vec().try_into().unwrap(),
				dtype: TensorDtype::I8,
				shape: vec![len as u32].try_into().unwrap(),
			}]
			.try_into()
			.unwrap()
		};
		let spec = VersionSpec {
			schema: IoSchema::Tensors {
				inputs: tensor(b"x", fixture.input.len()),
				outputs: tensor(b"y", fixture.output.len()),
			},
			zk_verifying_key: Some(ArtifactDigest::of(fixture.verifying_key)),
			..largest_spec::<T>()
		};
		ModelRegistry::<T>::do_publish_version(owner.clone(), model, version, spec).unwrap();
		let keys = ZkKeys {
			verifying_key: fixture.verifying_key.to_vec().try_into().unwrap(),
			proving_key: ArtifactDigest::of(b"proving key"),
		};

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), model, version, Box::new(keys));

		assert!(ZkVerifyingKeys::<T>::contains_key(model, version));
	}

	impl_benchmark_test_suite!(ModelRegistry, crate::mock::new_test_ext(), crate::mock::Test);
}
