//! The committed fixture (`verity_zkml::fixture::largest`) is a real proof of its documented
//! model; `VERITY_ZKML_WRITE_FIXTURE=1 cargo test --release -p verity-zkml --test it fixture`
//! regenerates it.

use rand_chacha::{
	rand_core::{RngCore, SeedableRng},
	ChaCha20Rng,
};
use verity_zkml::{
	fixture::{self, FIXTURE_BINDING, FIXTURE_INPUT_SEED, FIXTURE_MODEL_SEED, FIXTURE_SETUP_SEED},
	reference_mlp, setup_from_seed, verifier, verify_native, Prover, ZkError,
};

fn input() -> Vec<i8> {
	let mut rng = ChaCha20Rng::seed_from_u64(FIXTURE_INPUT_SEED);
	(0..4960).map(|_| rng.next_u32() as i8).collect()
}

#[test]
fn fixture_is_a_valid_proof_of_its_model() {
	let dir = std::path::PathBuf::from(
		std::env::var_os("CARGO_MANIFEST_DIR")
			.expect("cargo sets CARGO_MANIFEST_DIR when it runs a test"),
	)
	.join("fixtures");
	if std::env::var_os("VERITY_ZKML_WRITE_FIXTURE").is_some() {
		let model = reference_mlp(&[4960, 31], FIXTURE_MODEL_SEED);
		let keys = setup_from_seed(&model, FIXTURE_SETUP_SEED).unwrap();
		let prover = Prover::new(model, &keys.proving_key).unwrap();
		let mut rng = ChaCha20Rng::seed_from_u64(FIXTURE_INPUT_SEED);
		let proved = prover.prove(&input(), &FIXTURE_BINDING, &mut rng).unwrap();
		let bytes = |v: &[i8]| v.iter().map(|x| *x as u8).collect::<Vec<u8>>();
		std::fs::write(dir.join("largest.vk"), &keys.verifying_key).unwrap();
		std::fs::write(dir.join("largest.proof"), &proved.proof).unwrap();
		std::fs::write(dir.join("largest.input"), bytes(&input())).unwrap();
		std::fs::write(dir.join("largest.output"), bytes(&proved.output)).unwrap();
		return;
	}
	let f = fixture::largest();
	let (input, output) = (f.input_i8(), f.output_i8());
	assert_eq!(input, self::input());
	let model = reference_mlp(&[4960, 31], FIXTURE_MODEL_SEED);
	assert_eq!(model.forward(&input).unwrap(), output);
	assert_eq!(verifier::num_public_inputs(4960, 31), 162);
	assert_eq!(f.verifying_key.len(), 16_328);
	assert!(f.verifying_key.len() <= 16 * 1024);
	assert_eq!(verifier::check_verifying_key::<ark_bls12_381::Bls12_381>(f.verifying_key), Ok(162));
	type Host = sp_crypto_ec_utils::bls12_381::Bls12_381;
	assert_eq!(verifier::check_verifying_key::<Host>(f.verifying_key), Ok(162));
	assert_eq!(verify_native(f.verifying_key, f.proof, &f.binding, &input, &output), Ok(()));
	assert_eq!(
		verifier::verify::<Host>(f.verifying_key, f.proof, &f.binding, &input, &output),
		Ok(())
	);
	let mut wrong = output.clone();
	wrong[30] = wrong[30].wrapping_add(1);
	assert_eq!(
		verifier::verify::<Host>(f.verifying_key, f.proof, &f.binding, &input, &wrong),
		Err(ZkError::ProofRejected)
	);
}

/// `verifier::verify` (one MSM, one multi-pairing) agrees with arkworks' own
/// `Groth16::verify_proof` on the fixture, honest and with each public input changed.
#[test]
fn verify_agrees_with_arkworks_groth16() {
	use ark_bls12_381::{Bls12_381, Fr};
	use ark_groth16::{prepare_verifying_key, Groth16, Proof, VerifyingKey};
	use ark_serialize::CanonicalDeserialize;
	let fixture = fixture::largest();
	let key = VerifyingKey::<Bls12_381>::deserialize_uncompressed(fixture.verifying_key).unwrap();
	let proof = Proof::<Bls12_381>::deserialize_uncompressed(fixture.proof).unwrap();
	let prepared = prepare_verifying_key(&key);
	let (input, output) = (fixture.input_i8(), fixture.output_i8());
	let mut cases = vec![(fixture.binding, input.clone(), output.clone())];
	let mut binding = fixture.binding;
	binding[3] ^= 4;
	cases.push((binding, input.clone(), output.clone()));
	let mut changed = input.clone();
	changed[4000] = changed[4000].wrapping_add(1);
	cases.push((fixture.binding, changed, output.clone()));
	let mut changed = output.clone();
	changed[30] = changed[30].wrapping_sub(1);
	cases.push((fixture.binding, input, changed));
	for (index, (binding, input, output)) in cases.into_iter().enumerate() {
		let inputs = verifier::public_inputs::<Fr>(&binding, &input, &output);
		let theirs = Groth16::<Bls12_381>::verify_proof(&prepared, &proof, &inputs).unwrap();
		let ours = verify_native(fixture.verifying_key, fixture.proof, &binding, &input, &output);
		assert_eq!(ours.is_ok(), theirs, "case {index}");
		let bytes = |values: &[i8]| values.iter().map(|x| *x as u8).collect::<Vec<u8>>();
		let from_bytes = verifier::verify_bytes::<Bls12_381>(
			fixture.verifying_key,
			fixture.proof,
			&binding,
			&bytes(&input),
			&bytes(&output),
		);
		assert_eq!(from_bytes, ours, "case {index}");
		assert_eq!(theirs, index == 0, "case {index}");
	}
}

/// A proof point off the curve that passes arkworks' subgroup check (a valid point scaled to
/// (u²x, u³y), which lies on another curve of the same form) is refused as malformed: points
/// are checked to be on the curve too.
#[test]
fn an_off_curve_point_passing_the_subgroup_check_is_malformed() {
	use ark_bls12_381::{Bls12_381, Fq, G1Affine};
	use ark_ec::short_weierstrass::SWCurveConfig;
	use ark_groth16::Proof;
	use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
	let fixture = fixture::largest();
	let mut proof = Proof::<Bls12_381>::deserialize_uncompressed(fixture.proof).unwrap();
	let u = Fq::from(2u64);
	let (x, y) = (proof.a.x * u * u, proof.a.y * u * u * u);
	let scaled = G1Affine::new_unchecked(x, y);
	assert!(!scaled.is_on_curve());
	assert!(ark_bls12_381::g1::Config::is_in_correct_subgroup_assuming_on_curve(&scaled));
	proof.a = scaled;
	let mut bytes = Vec::new();
	proof.serialize_uncompressed(&mut bytes).unwrap();
	assert_eq!(
		verify_native(
			fixture.verifying_key,
			&bytes,
			&fixture.binding,
			&fixture.input_i8(),
			&fixture.output_i8()
		),
		Err(ZkError::MalformedProof)
	);
}
