use crate::{
	mock::*, Error, Event, HoldReason, ModelIdByName, Models, OwnershipOffers, Versions,
	ZkProvingKeys, ZkVerifyingKeys,
};
use codec::Encode;
use frame_support::{
	assert_noop, assert_ok,
	traits::{fungible::InspectHold, ConstU32, Get},
	BoundedVec,
};
use sp_runtime::DispatchError;
use verity_primitives::{
	ArtifactDigest, ArtifactFormat, IoSchema, ModelId, StorageLocation, Task, TensorDtype,
	TensorSpec, VerificationMode, VerificationModes, VersionNumber, VersionSpec, VersionStatus,
	ZkKeys,
};

fn bounded<S: Get<u32>>(text: &str) -> BoundedVec<u8, S> {
	text.as_bytes().to_vec().try_into().unwrap()
}

fn held(who: u64) -> u64 {
	Balances::balance_on_hold(&RuntimeHoldReason::ModelRegistry(HoldReason::Deposit), &who)
}

fn v(major: u16, minor: u16) -> VersionNumber {
	VersionNumber::new(major, minor)
}

fn create(owner: u64, name: &str) -> ModelId {
	let id = crate::NextModelId::<Test>::get();
	assert_ok!(ModelRegistry::create_model(
		RuntimeOrigin::signed(owner),
		bounded(name),
		bounded("A small MLP for digits"),
		Task::Classification,
		bounded("Apache-2.0"),
		vec![bounded("vision"), bounded("mnist")].try_into().unwrap(),
	));
	id
}

fn tensor(name: &str, shape: &[u32]) -> TensorSpec {
	TensorSpec {
		name: bounded(name),
		dtype: TensorDtype::F32,
		shape: shape.to_vec().try_into().unwrap(),
	}
}

fn spec() -> VersionSpec<u64> {
	VersionSpec {
		artifact: ArtifactDigest::of(b"onnx bytes"),
		format: ArtifactFormat::Onnx,
		schema: IoSchema::Tensors {
			inputs: vec![tensor("input", &[1, 784])].try_into().unwrap(),
			outputs: vec![tensor("logits", &[1, 10])].try_into().unwrap(),
		},
		modes: VerificationModes::of(&[VerificationMode::Vanilla]),
		price_per_inference: 5,
		price_per_token: 0,
		zk_verifying_key: None,
		locations: vec![StorageLocation::ArtifactStore(bounded("http://127.0.0.1:9955"))]
			.try_into()
			.unwrap(),
	}
}

fn publish(
	owner: u64,
	model: ModelId,
	version: VersionNumber,
	spec: VersionSpec<u64>,
) -> Result<(), DispatchError> {
	ModelRegistry::publish_version(RuntimeOrigin::signed(owner), model, version, Box::new(spec))
}

fn last_event() -> Event<Test> {
	System::events()
		.into_iter()
		.filter_map(|record| match record.event {
			RuntimeEvent::ModelRegistry(event) => Some(event),
			_ => None,
		})
		.next_back()
		.expect("a registry event")
}

#[test]
fn create_model_holds_a_deposit_proportional_to_the_record() {
	new_test_ext().execute_with(|| {
		let model = create(1, "mnist-mlp");
		assert_eq!(model, 0);
		let info = Models::<Test>::get(model).unwrap();
		let bytes = info.encoded_size() + info.name.encoded_size() + model.encoded_size();
		assert_eq!(info.deposit, DEPOSIT_BASE + DEPOSIT_PER_BYTE * bytes as u64);
		assert_eq!(held(1), info.deposit);
		assert_eq!(Balances::free_balance(1), 1_000_000 - info.deposit);
		assert_eq!(
			ModelIdByName::<Test>::get(1, bounded::<ConstU32<64>>("mnist-mlp")),
			Some(model)
		);
		assert_eq!(
			last_event(),
			Event::ModelCreated {
				model,
				owner: 1,
				name: bounded("mnist-mlp"),
				deposit: info.deposit
			}
		);
		// Ids increase.
		assert_eq!(create(1, "other"), 1);
	});
}

#[test]
fn names_are_unique_per_owner_and_must_be_text() {
	new_test_ext().execute_with(|| {
		create(1, "mnist-mlp");
		let call = |owner: u64, name: Vec<u8>, licence: Vec<u8>| {
			ModelRegistry::create_model(
				RuntimeOrigin::signed(owner),
				name.try_into().unwrap(),
				bounded(""),
				Task::Other,
				licence.try_into().unwrap(),
				Default::default(),
			)
		};
		assert_noop!(call(1, b"mnist-mlp".to_vec(), vec![]), Error::<Test>::NameTaken);
		assert_noop!(call(1, vec![], vec![]), Error::<Test>::InvalidName);
		assert_noop!(call(1, vec![0xff, 0xfe], vec![]), Error::<Test>::InvalidName);
		assert_noop!(call(1, b"ok".to_vec(), vec![0xc3]), Error::<Test>::InvalidText);
		assert_noop!(
			call(4, b"poor".to_vec(), vec![]),
			Error::<Test>::InsufficientBalanceForDeposit
		);
		// Another owner may use the same name.
		assert_ok!(call(2, b"mnist-mlp".to_vec(), vec![]));
	});
}

#[test]
fn publish_version_records_an_immutable_version_and_holds_its_deposit() {
	new_test_ext().execute_with(|| {
		let model = create(1, "mnist-mlp");
		let model_deposit = held(1);
		assert_ok!(publish(1, model, v(1, 0), spec()));
		let record = Versions::<Test>::get(model, v(1, 0)).unwrap();
		assert_eq!(record.spec, spec());
		assert_eq!(record.status, VersionStatus::Active);
		assert_eq!(record.published_at, 1);
		assert_eq!(record.deposit, DEPOSIT_BASE + DEPOSIT_PER_BYTE * record.encoded_size() as u64);
		assert_eq!(held(1), model_deposit + record.deposit);
		let info = Models::<Test>::get(model).unwrap();
		assert_eq!((info.latest_version, info.version_count), (Some(v(1, 0)), 1));
		assert_eq!(info.versions_deposit, record.deposit);
		assert_eq!(
			last_event(),
			Event::VersionPublished {
				model,
				version: v(1, 0),
				artifact: spec().artifact.blake2_256,
				deposit: record.deposit
			}
		);
		assert_eq!(ModelRegistry::servable_version(model, v(1, 0)), Some((1, record)));

		// The same number never names other bytes; versions only go up.
		let mut other = spec();
		other.artifact = ArtifactDigest::of(b"other bytes");
		assert_noop!(
			publish(1, model, v(1, 0), other.clone()),
			Error::<Test>::VersionAlreadyPublished
		);
		assert_ok!(publish(1, model, v(1, 2), other.clone()));
		assert_noop!(
			publish(1, model, v(1, 0), other.clone()),
			Error::<Test>::VersionAlreadyPublished
		);
		assert_noop!(
			publish(1, model, v(1, 1), other.clone()),
			Error::<Test>::VersionNotIncreasing
		);
		assert_noop!(publish(1, model, v(0, 9), other), Error::<Test>::VersionNotIncreasing);
	});
}

#[test]
fn only_the_owner_publishes_and_versions_are_bounded() {
	new_test_ext().execute_with(|| {
		let model = create(1, "mnist-mlp");
		assert_noop!(publish(2, model, v(1, 0), spec()), Error::<Test>::NotOwner);
		assert_noop!(publish(1, 99, v(1, 0), spec()), Error::<Test>::ModelNotFound);
		for minor in 0..MAX_VERSIONS as u16 {
			assert_ok!(publish(1, model, v(1, minor), spec()));
		}
		assert_noop!(publish(1, model, v(2, 0), spec()), Error::<Test>::TooManyVersions);
		// Removing a record makes room again.
		assert_ok!(ModelRegistry::deprecate_version(RuntimeOrigin::signed(1), model, v(1, 0)));
		assert_ok!(ModelRegistry::remove_version(RuntimeOrigin::signed(1), model, v(1, 0)));
		assert_ok!(publish(1, model, v(2, 0), spec()));
	});
}

#[test]
fn bad_version_specs_are_rejected_with_specific_errors_and_no_state_change() {
	new_test_ext().execute_with(|| {
		let model = create(1, "mnist-mlp");
		let with = |change: &dyn Fn(&mut VersionSpec<u64>)| {
			let mut spec = spec();
			change(&mut spec);
			spec
		};
		let schema = |inputs: Vec<TensorSpec>, outputs: Vec<TensorSpec>| IoSchema::Tensors {
			inputs: inputs.try_into().unwrap(),
			outputs: outputs.try_into().unwrap(),
		};
		let cases: Vec<(VersionSpec<u64>, Error<Test>)> = vec![
			(with(&|s| s.artifact.size = MAX_ARTIFACT_SIZE + 1), Error::ArtifactTooLarge),
			(with(&|s| s.artifact.size = 0), Error::EmptyArtifact),
			(with(&|s| s.modes = VerificationModes::default()), Error::NoVerificationModes),
			(with(&|s| s.modes = VerificationModes(0b1001)), Error::UnknownVerificationMode),
			(
				with(&|s| s.modes = VerificationModes::of(&[VerificationMode::Zkml])),
				Error::MissingVerifyingKey,
			),
			(with(&|s| s.locations = Default::default()), Error::NoLocations),
			(
				with(&|s| {
					s.locations = vec![StorageLocation::Https(bounded("http://insecure.example"))]
						.try_into()
						.unwrap()
				}),
				Error::MalformedLocation,
			),
			(with(&|s| s.schema = schema(vec![], vec![tensor("y", &[1])])), Error::NoTensors),
			(
				with(&|s| s.schema = schema(vec![tensor("", &[1])], vec![tensor("y", &[1])])),
				Error::EmptyTensorName,
			),
			(
				with(&|s| {
					s.schema =
						schema(vec![tensor("x", &[1]), tensor("x", &[1])], vec![tensor("y", &[1])])
				}),
				Error::DuplicateTensorName,
			),
			(
				with(&|s| {
					s.schema = schema(vec![tensor("x", &[1, 0, 3])], vec![tensor("y", &[1])])
				}),
				Error::ZeroDimension,
			),
			(
				with(&|s| {
					s.schema =
						schema(vec![tensor("x", &[u32::MAX, u32::MAX])], vec![tensor("y", &[1])])
				}),
				Error::TensorTooLarge,
			),
			(
				with(&|s| s.schema = IoSchema::Chat { max_context_tokens: 0 }),
				Error::BadContextLength,
			),
			(
				with(&|s| s.schema = IoSchema::Chat { max_context_tokens: 1 << 30 }),
				Error::BadContextLength,
			),
			(
				with(&|s| {
					s.schema = IoSchema::Chat { max_context_tokens: 2048 };
					s.format = ArtifactFormat::VerityInt8;
				}),
				Error::ChatNeedsGguf,
			),
		];
		let before = held(1);
		for (spec, error) in cases {
			assert_noop!(publish(1, model, v(1, 0), spec), error);
		}
		assert_eq!(held(1), before);

		// The same spec with ZKML and a verifying key, and a chat schema, are fine.
		let zk = with(&|s| {
			s.modes = VerificationModes::of(&[VerificationMode::Vanilla, VerificationMode::Zkml]);
			s.zk_verifying_key = Some(ArtifactDigest::of(b"vk"));
			s.format = ArtifactFormat::VerityInt8;
		});
		assert_ok!(publish(1, model, v(1, 0), zk));
		let chat = with(&|s| {
			s.schema = IoSchema::Chat { max_context_tokens: 8192 };
			s.format = ArtifactFormat::Gguf;
			s.price_per_token = 1;
		});
		assert_ok!(publish(1, model, v(2, 0), chat));
	});
}

#[test]
fn deprecated_and_taken_down_versions_are_kept_but_not_served() {
	new_test_ext().execute_with(|| {
		let model = create(1, "mnist-mlp");
		assert_ok!(publish(1, model, v(1, 0), spec()));
		assert_ok!(publish(1, model, v(1, 1), spec()));

		assert_noop!(
			ModelRegistry::deprecate_version(RuntimeOrigin::signed(2), model, v(1, 0)),
			Error::<Test>::NotOwner
		);
		assert_noop!(
			ModelRegistry::deprecate_version(RuntimeOrigin::signed(1), model, v(3, 0)),
			Error::<Test>::VersionNotFound
		);
		assert_ok!(ModelRegistry::deprecate_version(RuntimeOrigin::signed(1), model, v(1, 0)));
		assert_eq!(last_event(), Event::VersionDeprecated { model, version: v(1, 0) });
		assert_eq!(
			Versions::<Test>::get(model, v(1, 0)).unwrap().status,
			VersionStatus::Deprecated
		);
		assert_eq!(ModelRegistry::servable_version(model, v(1, 0)), None);
		assert_noop!(
			ModelRegistry::deprecate_version(RuntimeOrigin::signed(1), model, v(1, 0)),
			Error::<Test>::VersionNotActive
		);

		let reason = bounded::<ConstU32<256>>("licence violation reported in case 42");
		assert_noop!(
			ModelRegistry::take_down_version(
				RuntimeOrigin::signed(1),
				model,
				v(1, 1),
				reason.clone()
			),
			DispatchError::BadOrigin
		);
		assert_noop!(
			ModelRegistry::take_down_version(
				RuntimeOrigin::root(),
				model,
				v(1, 1),
				vec![0xff].try_into().unwrap()
			),
			Error::<Test>::InvalidText
		);
		let deposit_before = held(1);
		assert_ok!(ModelRegistry::take_down_version(
			RuntimeOrigin::root(),
			model,
			v(1, 1),
			reason.clone()
		));
		assert_eq!(
			last_event(),
			Event::VersionTakenDown { model, version: v(1, 1), reason: reason.clone() }
		);
		assert_eq!(
			Versions::<Test>::get(model, v(1, 1)).unwrap().status,
			VersionStatus::TakenDown { reason: reason.clone() }
		);
		assert_eq!(held(1), deposit_before);
		assert_eq!(ModelRegistry::servable_version(model, v(1, 1)), None);
		assert_noop!(
			ModelRegistry::take_down_version(RuntimeOrigin::root(), model, v(1, 1), reason.clone()),
			Error::<Test>::AlreadyTakenDown
		);
		// A deprecated version can still be taken down, with a reason on record.
		assert_ok!(ModelRegistry::take_down_version(RuntimeOrigin::root(), model, v(1, 0), reason));
	});
}

#[test]
fn removal_releases_exactly_the_deposits_held() {
	new_test_ext().execute_with(|| {
		let model = create(1, "mnist-mlp");
		let model_deposit = held(1);
		assert_ok!(publish(1, model, v(1, 0), spec()));
		let version_deposit = held(1) - model_deposit;

		assert_noop!(
			ModelRegistry::remove_version(RuntimeOrigin::signed(1), model, v(1, 0)),
			Error::<Test>::VersionStillActive
		);
		assert_noop!(
			ModelRegistry::remove_model(RuntimeOrigin::signed(1), model),
			Error::<Test>::ModelHasVersions
		);
		assert_ok!(ModelRegistry::deprecate_version(RuntimeOrigin::signed(1), model, v(1, 0)));
		assert_noop!(
			ModelRegistry::remove_version(RuntimeOrigin::signed(2), model, v(1, 0)),
			Error::<Test>::NotOwner
		);
		assert_ok!(ModelRegistry::remove_version(RuntimeOrigin::signed(1), model, v(1, 0)));
		assert_eq!(
			last_event(),
			Event::VersionRemoved { model, version: v(1, 0), deposit_released: version_deposit }
		);
		assert_eq!(held(1), model_deposit);
		assert!(Versions::<Test>::get(model, v(1, 0)).is_none());
		// The number stays used.
		assert_noop!(publish(1, model, v(1, 0), spec()), Error::<Test>::VersionAlreadyPublished);

		assert_ok!(ModelRegistry::remove_model(RuntimeOrigin::signed(1), model));
		assert_eq!(last_event(), Event::ModelRemoved { model, deposit_released: model_deposit });
		assert_eq!(held(1), 0);
		assert_eq!(Balances::free_balance(1), 1_000_000);
		assert!(Models::<Test>::get(model).is_none());
		// The name is free again, under a new id.
		assert_eq!(create(1, "mnist-mlp"), model + 1);
	});
}

#[test]
fn ownership_moves_with_its_deposits_only_when_accepted() {
	new_test_ext().execute_with(|| {
		let model = create(1, "mnist-mlp");
		assert_ok!(publish(1, model, v(1, 0), spec()));
		let deposit = held(1);

		assert_noop!(
			ModelRegistry::offer_ownership(RuntimeOrigin::signed(2), model, 3),
			Error::<Test>::NotOwner
		);
		assert_noop!(
			ModelRegistry::offer_ownership(RuntimeOrigin::signed(1), model, 1),
			Error::<Test>::AlreadyOwner
		);
		assert_noop!(
			ModelRegistry::accept_ownership(RuntimeOrigin::signed(2), model),
			Error::<Test>::NoOwnershipOffer
		);
		assert_noop!(
			ModelRegistry::cancel_ownership_offer(RuntimeOrigin::signed(1), model),
			Error::<Test>::NoOwnershipOffer
		);

		assert_ok!(ModelRegistry::offer_ownership(RuntimeOrigin::signed(1), model, 4));
		assert_noop!(
			ModelRegistry::accept_ownership(RuntimeOrigin::signed(4), model),
			Error::<Test>::InsufficientBalanceForDeposit
		);
		assert_ok!(ModelRegistry::cancel_ownership_offer(RuntimeOrigin::signed(1), model));
		assert_eq!(last_event(), Event::OwnershipOfferCancelled { model });

		assert_ok!(ModelRegistry::offer_ownership(RuntimeOrigin::signed(1), model, 2));
		assert_eq!(last_event(), Event::OwnershipOffered { model, owner: 1, to: 2 });
		assert_noop!(
			ModelRegistry::accept_ownership(RuntimeOrigin::signed(3), model),
			Error::<Test>::NotOfferedAccount
		);
		// The new owner may not already use the name.
		create(2, "mnist-mlp");
		let held_by_2 = held(2);
		assert_noop!(
			ModelRegistry::accept_ownership(RuntimeOrigin::signed(2), model),
			Error::<Test>::NameTaken
		);
		assert_ok!(ModelRegistry::remove_model(RuntimeOrigin::signed(2), 1));
		assert_eq!(held(2), 0);

		assert_ok!(ModelRegistry::accept_ownership(RuntimeOrigin::signed(2), model));
		assert_eq!(last_event(), Event::OwnershipTransferred { model, from: 1, to: 2, deposit });
		assert!(held_by_2 > 0);
		assert_eq!((held(1), held(2)), (0, deposit));
		assert_eq!(Balances::free_balance(1), 1_000_000);
		assert_eq!(Models::<Test>::get(model).unwrap().owner, 2);
		assert_eq!(
			ModelIdByName::<Test>::get(2, bounded::<ConstU32<64>>("mnist-mlp")),
			Some(model)
		);
		assert!(ModelIdByName::<Test>::get(1, bounded::<ConstU32<64>>("mnist-mlp")).is_none());
		assert!(OwnershipOffers::<Test>::get(model).is_none());
		// The new owner now publishes; the old one cannot.
		assert_noop!(publish(1, model, v(2, 0), spec()), Error::<Test>::NotOwner);
		assert_ok!(publish(2, model, v(2, 0), spec()));
	});
}

/// A ZKML version fitting the `verity-zkml` fixture's key: int8 in (4,960) and out (31).
fn zk_spec(verifying_key: &[u8]) -> VersionSpec<u64> {
	let int8 = |name: &str, len: u32| TensorSpec {
		name: bounded(name),
		dtype: TensorDtype::I8,
		shape: vec![len].try_into().unwrap(),
	};
	VersionSpec {
		format: ArtifactFormat::VerityInt8,
		schema: IoSchema::Tensors {
			inputs: vec![int8("x", 4960)].try_into().unwrap(),
			outputs: vec![int8("y", 31)].try_into().unwrap(),
		},
		modes: VerificationModes::of(&[VerificationMode::Vanilla, VerificationMode::Zkml]),
		zk_verifying_key: Some(ArtifactDigest::of(verifying_key)),
		..spec()
	}
}

fn zk_keys(verifying_key: &[u8]) -> Box<ZkKeys> {
	Box::new(ZkKeys {
		verifying_key: verifying_key.to_vec().try_into().unwrap(),
		proving_key: ArtifactDigest::of(b"proving key"),
	})
}

fn set_keys(
	owner: u64,
	model: ModelId,
	version: VersionNumber,
	key: &[u8],
) -> Result<(), DispatchError> {
	ModelRegistry::set_zk_keys(RuntimeOrigin::signed(owner), model, version, zk_keys(key))
}

#[test]
fn the_owner_uploads_a_versions_zk_keys_once_with_a_deposit() {
	new_test_ext().execute_with(|| {
		let key = verity_zkml::fixture::largest().verifying_key;
		let model = create(1, "zk-mlp");
		assert_ok!(publish(1, model, v(1, 0), zk_spec(key)));
		let before = held(1);
		let version_deposit = Versions::<Test>::get(model, v(1, 0)).unwrap().deposit;

		assert_noop!(set_keys(2, model, v(1, 0), key), Error::<Test>::NotOwner);
		assert_noop!(set_keys(1, model, v(1, 1), key), Error::<Test>::VersionNotFound);
		assert_ok!(set_keys(1, model, v(1, 0), key));
		assert_eq!(&ZkVerifyingKeys::<Test>::get(model, v(1, 0)).unwrap()[..], key);
		assert_eq!(
			ZkProvingKeys::<Test>::get(model, v(1, 0)),
			Some(ArtifactDigest::of(b"proving key"))
		);
		let deposit = DEPOSIT_BASE + DEPOSIT_PER_BYTE * zk_keys(key).encoded_size() as u64;
		assert_eq!(held(1), before + deposit);
		assert_eq!(
			Versions::<Test>::get(model, v(1, 0)).unwrap().deposit,
			version_deposit + deposit
		);
		assert_eq!(
			last_event(),
			Event::ZkKeysSet {
				model,
				version: v(1, 0),
				verifying_key: ArtifactDigest::of(key).blake2_256,
				proving_key: ArtifactDigest::of(b"proving key").blake2_256,
				deposit,
			}
		);
		let reference = verity_primitives::ModelVersionRef { model, version: v(1, 0) };
		assert_eq!(ModelRegistry::zk_verifying_key(&reference), Some(key.to_vec()));
		assert_eq!(ModelRegistry::zk_proving_key(&reference), Some(zk_keys(key).proving_key));
		// Keys never change.
		assert_noop!(set_keys(1, model, v(1, 0), key), Error::<Test>::ZkKeysAlreadySet);

		// Removing the version removes the keys and releases both deposits.
		assert_ok!(ModelRegistry::deprecate_version(RuntimeOrigin::signed(1), model, v(1, 0)));
		assert_ok!(ModelRegistry::remove_version(RuntimeOrigin::signed(1), model, v(1, 0)));
		assert!(ZkVerifyingKeys::<Test>::get(model, v(1, 0)).is_none());
		assert!(ZkProvingKeys::<Test>::get(model, v(1, 0)).is_none());
		assert_eq!(held(1), before - version_deposit);
	});
}

#[test]
fn zk_keys_must_match_the_version_and_be_a_real_key() {
	new_test_ext().execute_with(|| {
		let key = verity_zkml::fixture::largest().verifying_key;
		let model = create(1, "zk-mlp");
		// Not a ZKML version.
		assert_ok!(publish(1, model, v(1, 0), spec()));
		assert_noop!(set_keys(1, model, v(1, 0), key), Error::<Test>::ZkmlNotOffered);
		// A key whose digest is not the version's.
		assert_ok!(publish(1, model, v(1, 1), zk_spec(b"another key")));
		assert_noop!(set_keys(1, model, v(1, 1), key), Error::<Test>::VerifyingKeyMismatch);
		// Bytes with the right digest that are no key.
		let garbage = vec![7u8; 2000];
		assert_ok!(publish(1, model, v(1, 2), zk_spec(&garbage)));
		assert_noop!(set_keys(1, model, v(1, 2), &garbage), Error::<Test>::MalformedVerifyingKey);
		// A real key for another shape (one input byte more: one more packed input).
		let model = create(1, "zk-wider");
		assert_ok!(publish(
			1,
			model,
			v(1, 0),
			VersionSpec {
				schema: IoSchema::Tensors {
					inputs: vec![TensorSpec {
						name: bounded("x"),
						dtype: TensorDtype::I8,
						shape: vec![4961].try_into().unwrap(),
					}]
					.try_into()
					.unwrap(),
					outputs: vec![TensorSpec {
						name: bounded("y"),
						dtype: TensorDtype::I8,
						shape: vec![31].try_into().unwrap(),
					}]
					.try_into()
					.unwrap(),
				},
				..zk_spec(key)
			}
		));
		assert_noop!(set_keys(1, model, v(1, 0), key), Error::<Test>::MalformedVerifyingKey);
		// A float schema cannot be proved.
		let mut float = zk_spec(key);
		float.schema = spec().schema;
		let model2 = create(1, "zk-float");
		assert_ok!(publish(1, model2, v(1, 0), float));
		assert_noop!(set_keys(1, model2, v(1, 0), key), Error::<Test>::ZkmlNeedsInt8Model);
	});
}
