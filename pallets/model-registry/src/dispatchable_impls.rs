//! What each call does, once its origin is checked.

use crate::{
	BalanceOf, Config, Error, Event, HoldReason, ModelIdByName, ModelVersionOf, Models,
	NextModelId, OwnershipOffers, Pallet, Versions, ZkKeyChecker, ZkProvingKeys, ZkVerifyingKeys,
};
use codec::Encode;
use frame_support::{
	ensure,
	pallet_prelude::*,
	traits::{fungible::MutateHold, tokens::Precision},
};
use sp_runtime::{traits::Saturating, ArithmeticError};
use verity_primitives::{
	tensors_encoded_len, ArtifactDigest, ArtifactFormat, Description, IoSchema, Licence, ModelId,
	ModelInfo, ModelName, ModelVersion, ModelVersionRef, SchemaError, Tags, TakeDownReason, Task,
	TensorDtype, VerificationMode, VersionNumber, VersionSpec, VersionStatus, ZkKeys,
};

impl<T: Config> Pallet<T> {
	pub(crate) fn do_create_model(
		owner: T::AccountId,
		name: ModelName,
		description: Description,
		task: Task,
		licence: Licence,
		tags: Tags,
	) -> DispatchResult {
		ensure!(!name.is_empty() && core::str::from_utf8(&name).is_ok(), Error::<T>::InvalidName);
		ensure!(
			is_text(&description)
				&& is_text(&licence)
				&& tags.iter().all(|tag| !tag.is_empty() && is_text(tag)),
			Error::<T>::InvalidText
		);
		ensure!(!ModelIdByName::<T>::contains_key(&owner, &name), Error::<T>::NameTaken);

		let model = NextModelId::<T>::get();
		let next = model.checked_add(1).ok_or(ArithmeticError::Overflow)?;
		let mut info = ModelInfo {
			owner: owner.clone(),
			name: name.clone(),
			description,
			task,
			licence,
			tags,
			latest_version: None,
			version_count: 0,
			deposit: Default::default(),
			versions_deposit: Default::default(),
		};
		// The record plus its entry in the name index.
		let bytes = info.encoded_size() + name.encoded_size() + model.encoded_size();
		info.deposit = Self::deposit_for(bytes);
		Self::hold_deposit(&owner, info.deposit)?;

		NextModelId::<T>::put(next);
		ModelIdByName::<T>::insert(&owner, &name, model);
		let deposit = info.deposit;
		Models::<T>::insert(model, info);
		Self::deposit_event(Event::ModelCreated { model, owner, name, deposit });
		Ok(())
	}

	pub(crate) fn do_publish_version(
		owner: T::AccountId,
		model: ModelId,
		version: VersionNumber,
		spec: VersionSpec<BalanceOf<T>>,
	) -> DispatchResult {
		let mut info = Models::<T>::get(model).ok_or(Error::<T>::ModelNotFound)?;
		ensure!(info.owner == owner, Error::<T>::NotOwner);
		if let Some(latest) = info.latest_version {
			ensure!(version != latest, Error::<T>::VersionAlreadyPublished);
			ensure!(
				!Versions::<T>::contains_key(model, version),
				Error::<T>::VersionAlreadyPublished
			);
			ensure!(version > latest, Error::<T>::VersionNotIncreasing);
		}
		ensure!(info.version_count < T::MaxVersionsPerModel::get(), Error::<T>::TooManyVersions);
		Self::check_spec(&spec)?;

		let mut record = ModelVersion {
			spec,
			published_at: frame_system::Pallet::<T>::block_number(),
			status: VersionStatus::Active,
			deposit: Default::default(),
		};
		record.deposit = Self::deposit_for(record.encoded_size());
		Self::hold_deposit(&owner, record.deposit)?;

		info.latest_version = Some(version);
		info.version_count += 1;
		info.versions_deposit = info.versions_deposit.saturating_add(record.deposit);
		let (artifact, deposit) = (record.spec.artifact.blake2_256, record.deposit);
		Versions::<T>::insert(model, version, record);
		Models::<T>::insert(model, info);
		Self::deposit_event(Event::VersionPublished { model, version, artifact, deposit });
		Ok(())
	}

	pub(crate) fn do_deprecate_version(
		owner: T::AccountId,
		model: ModelId,
		version: VersionNumber,
	) -> DispatchResult {
		Self::owned_model(&owner, model)?;
		Versions::<T>::try_mutate(model, version, |record| {
			let record = record.as_mut().ok_or(Error::<T>::VersionNotFound)?;
			ensure!(record.status == VersionStatus::Active, Error::<T>::VersionNotActive);
			record.status = VersionStatus::Deprecated;
			Ok::<_, DispatchError>(())
		})?;
		Self::deposit_event(Event::VersionDeprecated { model, version });
		Ok(())
	}

	/// The record's deposit stays as it was: the reason's bytes are governance's, not the owner's.
	pub(crate) fn do_take_down_version(
		model: ModelId,
		version: VersionNumber,
		reason: TakeDownReason,
	) -> DispatchResult {
		ensure!(is_text(&reason), Error::<T>::InvalidText);
		ensure!(Models::<T>::contains_key(model), Error::<T>::ModelNotFound);
		Versions::<T>::try_mutate(model, version, |record| {
			let record = record.as_mut().ok_or(Error::<T>::VersionNotFound)?;
			ensure!(
				!matches!(record.status, VersionStatus::TakenDown { .. }),
				Error::<T>::AlreadyTakenDown
			);
			record.status = VersionStatus::TakenDown { reason: reason.clone() };
			Ok::<_, DispatchError>(())
		})?;
		Self::deposit_event(Event::VersionTakenDown { model, version, reason });
		Ok(())
	}

	pub(crate) fn do_remove_version(
		owner: T::AccountId,
		model: ModelId,
		version: VersionNumber,
	) -> DispatchResult {
		let mut info = Self::owned_model(&owner, model)?;
		let record = Versions::<T>::get(model, version).ok_or(Error::<T>::VersionNotFound)?;
		ensure!(record.status != VersionStatus::Active, Error::<T>::VersionStillActive);

		Self::release_deposit(&owner, record.deposit)?;
		info.version_count = info.version_count.saturating_sub(1);
		info.versions_deposit = info.versions_deposit.saturating_sub(record.deposit);
		Versions::<T>::remove(model, version);
		ZkVerifyingKeys::<T>::remove(model, version);
		ZkProvingKeys::<T>::remove(model, version);
		Models::<T>::insert(model, info);
		Self::deposit_event(Event::VersionRemoved {
			model,
			version,
			deposit_released: record.deposit,
		});
		Ok(())
	}

	pub(crate) fn do_remove_model(owner: T::AccountId, model: ModelId) -> DispatchResult {
		let info = Self::owned_model(&owner, model)?;
		ensure!(info.version_count == 0, Error::<T>::ModelHasVersions);

		Self::release_deposit(&owner, info.deposit)?;
		ModelIdByName::<T>::remove(&owner, &info.name);
		OwnershipOffers::<T>::remove(model);
		Models::<T>::remove(model);
		Self::deposit_event(Event::ModelRemoved { model, deposit_released: info.deposit });
		Ok(())
	}

	pub(crate) fn do_offer_ownership(
		owner: T::AccountId,
		model: ModelId,
		to: T::AccountId,
	) -> DispatchResult {
		Self::owned_model(&owner, model)?;
		ensure!(to != owner, Error::<T>::AlreadyOwner);
		OwnershipOffers::<T>::insert(model, &to);
		Self::deposit_event(Event::OwnershipOffered { model, owner, to });
		Ok(())
	}

	pub(crate) fn do_cancel_ownership_offer(owner: T::AccountId, model: ModelId) -> DispatchResult {
		Self::owned_model(&owner, model)?;
		ensure!(OwnershipOffers::<T>::take(model).is_some(), Error::<T>::NoOwnershipOffer);
		Self::deposit_event(Event::OwnershipOfferCancelled { model });
		Ok(())
	}

	pub(crate) fn do_accept_ownership(new_owner: T::AccountId, model: ModelId) -> DispatchResult {
		let offered = OwnershipOffers::<T>::get(model).ok_or(Error::<T>::NoOwnershipOffer)?;
		ensure!(offered == new_owner, Error::<T>::NotOfferedAccount);
		let mut info = Models::<T>::get(model).ok_or(Error::<T>::ModelNotFound)?;
		ensure!(!ModelIdByName::<T>::contains_key(&new_owner, &info.name), Error::<T>::NameTaken);

		let deposit = info.deposit.saturating_add(info.versions_deposit);
		Self::hold_deposit(&new_owner, deposit)?;
		Self::release_deposit(&info.owner, deposit)?;

		let from = core::mem::replace(&mut info.owner, new_owner.clone());
		ModelIdByName::<T>::remove(&from, &info.name);
		ModelIdByName::<T>::insert(&new_owner, &info.name, model);
		OwnershipOffers::<T>::remove(model);
		Models::<T>::insert(model, info);
		Self::deposit_event(Event::OwnershipTransferred { model, from, to: new_owner, deposit });
		Ok(())
	}

	pub(crate) fn do_set_zk_keys(
		owner: T::AccountId,
		model: ModelId,
		version: VersionNumber,
		keys: ZkKeys,
	) -> DispatchResult {
		let mut info = Self::owned_model(&owner, model)?;
		let mut record = Versions::<T>::get(model, version).ok_or(Error::<T>::VersionNotFound)?;
		ensure!(record.spec.modes.contains(VerificationMode::Zkml), Error::<T>::ZkmlNotOffered);
		ensure!(!ZkProvingKeys::<T>::contains_key(model, version), Error::<T>::ZkKeysAlreadySet);
		let verifying_key = ArtifactDigest::of(&keys.verifying_key);
		ensure!(
			record.spec.zk_verifying_key.as_ref() == Some(&verifying_key),
			Error::<T>::VerifyingKeyMismatch
		);
		ensure!(
			keys.proving_key.size > 0 && keys.proving_key.size <= T::MaxArtifactSize::get(),
			Error::<T>::BadProvingKey
		);
		// The circuit proves int8 in, int8 out: the request's bytes are its public inputs.
		let IoSchema::Tensors { inputs, outputs } = &record.spec.schema else {
			return Err(Error::<T>::ZkmlNeedsInt8Model.into());
		};
		ensure!(
			record.spec.format == ArtifactFormat::VerityInt8
				&& inputs.iter().chain(outputs.iter()).all(|t| t.dtype == TensorDtype::I8),
			Error::<T>::ZkmlNeedsInt8Model
		);
		let lengths = tensors_encoded_len(inputs).zip(tensors_encoded_len(outputs));
		ensure!(
			lengths.is_some_and(|(input, output)| T::ZkKeyChecker::is_valid(
				&keys.verifying_key,
				input,
				output
			)),
			Error::<T>::MalformedVerifyingKey
		);

		let deposit = Self::deposit_for(keys.encoded_size());
		Self::hold_deposit(&owner, deposit)?;
		record.deposit = record.deposit.saturating_add(deposit);
		info.versions_deposit = info.versions_deposit.saturating_add(deposit);
		let proving_key = keys.proving_key.blake2_256;
		ZkVerifyingKeys::<T>::insert(model, version, keys.verifying_key);
		ZkProvingKeys::<T>::insert(model, version, keys.proving_key);
		Versions::<T>::insert(model, version, record);
		Models::<T>::insert(model, info);
		Self::deposit_event(Event::ZkKeysSet {
			model,
			version,
			verifying_key: verifying_key.blake2_256,
			proving_key,
			deposit,
		});
		Ok(())
	}

	/// The model, if `owner` owns it.
	fn owned_model(
		owner: &T::AccountId,
		model: ModelId,
	) -> Result<crate::ModelInfoOf<T>, Error<T>> {
		let info = Models::<T>::get(model).ok_or(Error::<T>::ModelNotFound)?;
		ensure!(&info.owner == owner, Error::<T>::NotOwner);
		Ok(info)
	}

	/// Checks everything about a new version that does not depend on chain state.
	fn check_spec(spec: &VersionSpec<BalanceOf<T>>) -> DispatchResult {
		ensure!(spec.artifact.size > 0, Error::<T>::EmptyArtifact);
		ensure!(spec.artifact.size <= T::MaxArtifactSize::get(), Error::<T>::ArtifactTooLarge);
		ensure!(!spec.modes.is_empty(), Error::<T>::NoVerificationModes);
		ensure!(spec.modes.is_known(), Error::<T>::UnknownVerificationMode);
		ensure!(
			!spec.modes.contains(VerificationMode::Zkml) || spec.zk_verifying_key.is_some(),
			Error::<T>::MissingVerifyingKey
		);
		Self::check_schema(&spec.schema)?;
		ensure!(
			!matches!(spec.schema, IoSchema::Chat { .. }) || spec.format == ArtifactFormat::Gguf,
			Error::<T>::ChatNeedsGguf
		);
		ensure!(!spec.locations.is_empty(), Error::<T>::NoLocations);
		ensure!(
			spec.locations.iter().all(|location| location.is_well_formed()),
			Error::<T>::MalformedLocation
		);
		Ok(())
	}

	fn check_schema(schema: &IoSchema) -> Result<(), Error<T>> {
		schema.validate(T::MaxTensorElements::get(), T::MaxContextTokens::get()).map_err(|error| {
			match error {
				SchemaError::NoTensors => Error::<T>::NoTensors,
				SchemaError::EmptyTensorName => Error::<T>::EmptyTensorName,
				SchemaError::DuplicateTensorName => Error::<T>::DuplicateTensorName,
				SchemaError::ZeroDimension => Error::<T>::ZeroDimension,
				SchemaError::TensorTooLarge => Error::<T>::TensorTooLarge,
				SchemaError::BadContextLength => Error::<T>::BadContextLength,
			}
		})
	}

	/// The deposit for a record of `bytes` encoded bytes.
	pub fn deposit_for(bytes: usize) -> BalanceOf<T> {
		let bytes = BalanceOf::<T>::from(u32::try_from(bytes).unwrap_or(u32::MAX));
		T::DepositBase::get().saturating_add(T::DepositPerByte::get().saturating_mul(bytes))
	}

	fn hold_deposit(who: &T::AccountId, amount: BalanceOf<T>) -> DispatchResult {
		T::Currency::hold(&HoldReason::Deposit.into(), who, amount)
			.map_err(|_| Error::<T>::InsufficientBalanceForDeposit.into())
	}

	fn release_deposit(who: &T::AccountId, amount: BalanceOf<T>) -> DispatchResult {
		T::Currency::release(&HoldReason::Deposit.into(), who, amount, Precision::Exact).map(|_| ())
	}
}

/// Reads for the rest of the runtime (the inference pallet asks through a trait it declares).
impl<T: Config> Pallet<T> {
	/// The version record and its model's owner, if the version exists and is active (may be
	/// served to new requests).
	pub fn servable_version(
		model: ModelId,
		version: VersionNumber,
	) -> Option<(T::AccountId, ModelVersionOf<T>)> {
		let record = Versions::<T>::get(model, version)?;
		if record.status != VersionStatus::Active {
			return None;
		}
		Some((Models::<T>::get(model)?.owner, record))
	}

	/// The digests of a version's uploaded proving key.
	pub fn zk_proving_key(model: &ModelVersionRef) -> Option<ArtifactDigest> {
		ZkProvingKeys::<T>::get(model.model, model.version)
	}

	/// A version's uploaded verifying key.
	pub fn zk_verifying_key(model: &ModelVersionRef) -> Option<alloc::vec::Vec<u8>> {
		ZkVerifyingKeys::<T>::get(model.model, model.version).map(|key| key.into_inner())
	}
}

fn is_text(bytes: &[u8]) -> bool {
	core::str::from_utf8(bytes).is_ok()
}
