//! Groth16 end to end: setup, prove, verify natively and through the host-call curve.

use ark_ec::AffineRepr;
use ark_serialize::{CanonicalSerialize, Compress};
use proptest::prelude::*;
use rand_chacha::{
	rand_core::{RngCore, SeedableRng},
	ChaCha20Rng,
};
use std::sync::OnceLock;
use verity_int8_format::{Conv2d, Dense, Int8Model, Layer, MaxPool2d, Requant};
use verity_zkml::{
	circuit_info, reference_mlp, setup_from_seed,
	verifier::{self, check_verifying_key, num_public_inputs, public_inputs},
	verify_native, Keys, ProveError, Prover, ZkError, MAX_VERIFYING_KEY_LEN, PROOF_LEN,
};

type Host = sp_crypto_ec_utils::bls12_381::Bls12_381;
type Native = ark_bls12_381::Bls12_381;

/// A small CNN with every layer kind.
fn cnn(seed: u64) -> Int8Model {
	let mut rng = ChaCha20Rng::seed_from_u64(seed);
	let mut w = |n: usize| (0..n).map(|_| rng.next_u32() as i8).collect::<Vec<i8>>();
	Int8Model {
		input_shape: vec![1, 6, 6],
		input_scale_bits: 0.05f32.to_bits(),
		layers: vec![
			Layer::Conv2d(Conv2d {
				in_channels: 1,
				out_channels: 2,
				kernel_h: 3,
				kernel_w: 3,
				stride_h: 1,
				stride_w: 1,
				pad_h: 1,
				pad_w: 1,
				weights: w(18),
				bias: vec![100, -100],
				requant: Requant { multiplier: 1_500_000_000, shift: 40 },
				relu: false,
			}),
			Layer::Relu,
			Layer::MaxPool2d(MaxPool2d { kernel_h: 2, kernel_w: 2, stride_h: 2, stride_w: 2 }),
			Layer::Flatten,
			Layer::Dense(Dense {
				in_features: 18,
				out_features: 4,
				weights: w(72),
				bias: vec![0, 5, -5, 50],
				requant: Requant { multiplier: 1 << 30, shift: 38 },
				relu: false,
			}),
		],
		output_scale_bits: 0.1f32.to_bits(),
	}
}

struct Fixture {
	model: Int8Model,
	keys: Keys,
	other_version_keys: Keys,
	input: Vec<i8>,
	binding: [u8; 32],
	output: Vec<i8>,
	proof: Vec<u8>,
}

fn fixture() -> &'static Fixture {
	static FIXTURE: OnceLock<Fixture> = OnceLock::new();
	FIXTURE.get_or_init(|| {
		let model = cnn(1);
		let keys = setup_from_seed(&model, [1; 32]).unwrap();
		// Another version of the model: same shapes, other weights.
		let other_version_keys = setup_from_seed(&cnn(2), [2; 32]).unwrap();
		let mut rng = ChaCha20Rng::seed_from_u64(5);
		let input: Vec<i8> = (0..36).map(|_| rng.next_u32() as i8).collect();
		let binding = [0xAB; 32];
		let prover = Prover::new(model.clone(), &keys.proving_key).unwrap();
		let proved = prover.prove(&input, &binding, &mut rng).unwrap();
		assert_eq!(proved.output, model.forward(&input).unwrap());
		Fixture {
			model,
			keys,
			other_version_keys,
			input,
			binding,
			output: proved.output,
			proof: proved.proof,
		}
	})
}

/// Verifies with both curves and checks that they agree on every key the chain can hold (one
/// that passes `check_verifying_key`, as every stored key did on upload). `verify` skips the
/// point checks, so on a corrupted, unchecked key the two curves' decoders may fail at
/// different places (one `MalformedKey`, the other `ProofRejected`): both must still reject.
fn verify_both(
	vk: &[u8],
	proof: &[u8],
	binding: &[u8; 32],
	input: &[i8],
	output: &[i8],
) -> Result<(), ZkError> {
	let native = verify_native(vk, proof, binding, input, output);
	let host = verifier::verify::<Host>(vk, proof, binding, input, output);
	if check_verifying_key::<Native>(vk).is_ok() {
		assert_eq!(native, host, "native and host-call curves disagree");
	} else {
		assert!(native.is_err() && host.is_err(), "an unchecked corrupted key verified");
	}
	native
}

#[test]
fn honest_proof_verifies_and_everything_else_fails() {
	let f = fixture();
	let vk = &f.keys.verifying_key;
	assert_eq!(f.proof.len(), PROOF_LEN);
	assert_eq!(verify_both(vk, &f.proof, &f.binding, &f.input, &f.output), Ok(()));

	// Another output (each element ±1).
	for j in 0..f.output.len() {
		let mut output = f.output.clone();
		output[j] = output[j].wrapping_add(1);
		assert_eq!(
			verify_both(vk, &f.proof, &f.binding, &f.input, &output),
			Err(ZkError::ProofRejected)
		);
	}
	// Another input.
	let mut input = f.input.clone();
	input[17] = input[17].wrapping_sub(1);
	assert_eq!(
		verify_both(vk, &f.proof, &f.binding, &input, &f.output),
		Err(ZkError::ProofRejected)
	);
	// Another request (binding).
	let mut binding = f.binding;
	binding[0] ^= 1;
	assert_eq!(
		verify_both(vk, &f.proof, &binding, &f.input, &f.output),
		Err(ZkError::ProofRejected)
	);
	// The binding element is the first 31 bytes: the last of them is bound, byte 31 is not
	// (documented in the public-input layout).
	let mut binding = f.binding;
	binding[30] ^= 0x80;
	assert_eq!(
		verify_both(vk, &f.proof, &binding, &f.input, &f.output),
		Err(ZkError::ProofRejected)
	);
	let mut binding = f.binding;
	binding[31] ^= 0xFF;
	assert_eq!(verify_both(vk, &f.proof, &binding, &f.input, &f.output), Ok(()));
	// The key of another version of the model (same shapes).
	assert_eq!(
		verify_both(&f.other_version_keys.verifying_key, &f.proof, &f.binding, &f.input, &f.output),
		Err(ZkError::ProofRejected)
	);
	// Wrong lengths of input/output for this key.
	assert_eq!(
		verify_both(vk, &f.proof, &f.binding, &f.input, &[0; 40]),
		Err(ZkError::WrongInputCount)
	);
	assert_eq!(
		verify_both(vk, &f.proof, &f.binding, &[0; 100], &f.output),
		Err(ZkError::WrongInputCount)
	);
}

#[test]
fn malformed_proofs_are_rejected() {
	let f = fixture();
	let vk = &f.keys.verifying_key;
	let check = |proof: &[u8], expected| {
		assert_eq!(verify_both(vk, proof, &f.binding, &f.input, &f.output), Err(expected));
	};
	// Truncated and extended.
	for cut in [0, 1, 96, 383] {
		check(&f.proof[..cut], ZkError::MalformedProof);
	}
	let mut longer = f.proof.clone();
	longer.push(0);
	check(&longer, ZkError::MalformedProof);
	// Random bytes.
	let mut rng = ChaCha20Rng::seed_from_u64(9);
	for _ in 0..20 {
		let mut bytes = vec![0u8; PROOF_LEN];
		rng.fill_bytes(&mut bytes);
		check(&bytes, ZkError::MalformedProof);
	}
	// The right layout (uncompressed, no flags) with garbage coordinates: not on the curve.
	for offset in [0, 96, 288] {
		let mut bytes = f.proof.clone();
		bytes[offset + 10] ^= 0x01;
		check(&bytes, ZkError::MalformedProof);
	}
	// Valid points, but the wrong ones: A and C swapped, or A replaced by the generator.
	let mut swapped = f.proof.clone();
	swapped[..96].copy_from_slice(&f.proof[288..]);
	swapped[288..].copy_from_slice(&f.proof[..96]);
	check(&swapped, ZkError::ProofRejected);
	let mut generator = f.proof.clone();
	let mut g = Vec::new();
	ark_bls12_381::G1Affine::generator().serialize_with_mode(&mut g, Compress::No).unwrap();
	generator[..96].copy_from_slice(&g);
	check(&generator, ZkError::ProofRejected);
	// A point on the curve outside the prime-order subgroup.
	let mut x = ark_bls12_381::Fq::from(1u64);
	let outside = loop {
		if let Some(p) = ark_bls12_381::G1Affine::get_point_from_x_unchecked(x, false) {
			if !p.is_in_correct_subgroup_assuming_on_curve() {
				break p;
			}
		}
		x += ark_bls12_381::Fq::from(1u64);
	};
	let mut bytes = f.proof.clone();
	let mut p = Vec::new();
	outside.serialize_with_mode(&mut p, Compress::No).unwrap();
	bytes[..96].copy_from_slice(&p);
	check(&bytes, ZkError::MalformedProof);
	// The point at infinity everywhere.
	let mut infinity = vec![0u8; PROOF_LEN];
	infinity[0] = 0x40;
	infinity[96] = 0x40;
	infinity[288] = 0x40;
	check(&infinity, ZkError::ProofRejected);
}

#[test]
fn verifying_keys_are_checked() {
	let f = fixture();
	let vk = &f.keys.verifying_key;
	let inputs = num_public_inputs(36, 4);
	assert_eq!(inputs, 4);
	assert_eq!(vk.len(), 680 + 96 * (inputs + 1));
	assert_eq!(check_verifying_key::<Native>(vk), Ok(inputs));
	assert_eq!(check_verifying_key::<Host>(vk), Ok(inputs));
	// Garbage, truncation, trailing bytes.
	assert_eq!(check_verifying_key::<Native>(&[]), Err(ZkError::MalformedKey));
	assert_eq!(check_verifying_key::<Native>(&vk[..vk.len() - 1]), Err(ZkError::MalformedKey));
	let mut longer = vk.clone();
	longer.push(0);
	assert_eq!(check_verifying_key::<Native>(&longer), Err(ZkError::MalformedKey));
	let mut bad = vk.clone();
	bad[20] ^= 1;
	assert_eq!(check_verifying_key::<Native>(&bad), Err(ZkError::MalformedKey));
	assert_eq!(check_verifying_key::<Host>(&bad), Err(ZkError::MalformedKey));
	let mut rng = ChaCha20Rng::seed_from_u64(3);
	let mut random = vec![0u8; vk.len()];
	rng.fill_bytes(&mut random);
	assert_eq!(check_verifying_key::<Native>(&random), Err(ZkError::MalformedKey));
	// A huge length prefix on gamma_abc_g1 fails cleanly.
	let mut huge = vk[..680].to_vec();
	huge.extend_from_slice(&u64::MAX.to_le_bytes());
	assert_eq!(check_verifying_key::<Native>(&huge), Err(ZkError::MalformedKey));
	// No input base at all.
	let mut empty = vk[..680].to_vec();
	empty.extend_from_slice(&0u64.to_le_bytes());
	assert_eq!(check_verifying_key::<Native>(&empty), Err(ZkError::MalformedKey));
	// Too large.
	let mut large = vk.clone();
	large.resize(MAX_VERIFYING_KEY_LEN + 1, 0);
	assert_eq!(check_verifying_key::<Native>(&large), Err(ZkError::KeyTooLarge));
	assert_eq!(
		verify_both(&large, &f.proof, &f.binding, &f.input, &f.output),
		Err(ZkError::KeyTooLarge)
	);
	// verify() on undecodable keys.
	assert_eq!(
		verify_both(&vk[..100], &f.proof, &f.binding, &f.input, &f.output),
		Err(ZkError::MalformedKey)
	);
}

#[test]
fn prover_errors_are_clear() {
	let f = fixture();
	let prover = Prover::new(f.model.clone(), &f.keys.proving_key).unwrap();
	let mut rng = ChaCha20Rng::seed_from_u64(1);
	assert_eq!(
		prover.prove(&[0; 35], &f.binding, &mut rng).unwrap_err(),
		ProveError::WrongInputLength { expected: 36, got: 35 }
	);
	assert_eq!(prover.verifying_key().unwrap(), f.keys.verifying_key);
	// Garbage proving keys.
	assert!(matches!(
		Prover::new(f.model.clone(), &f.keys.proving_key[..1000]),
		Err(ProveError::MalformedProvingKey(_))
	));
	// A key of another model shape.
	let small = reference_mlp(&[3, 2], 1);
	let small_keys = setup_from_seed(&small, [3; 32]).unwrap();
	assert!(matches!(
		Prover::new(f.model.clone(), &small_keys.proving_key),
		Err(ProveError::MalformedProvingKey(_))
	));
	// The key of another version with the same shapes: its circuit differs (the interval
	// analysis depends on the weights), so the key is refused up front or, when every size
	// happens to match, the proof fails the self-check.
	assert!(matches!(
		Prover::new(f.model.clone(), &f.other_version_keys.proving_key)
			.and_then(|p| p.prove(&f.input, &f.binding, &mut rng)),
		Err(ProveError::MalformedProvingKey(_) | ProveError::SelfCheckFailed)
	));
	let mut nudged = f.model.clone();
	if let Layer::Dense(d) = &mut nudged.layers[4] {
		d.bias[0] += 1;
	}
	assert_eq!(circuit_info(&nudged).unwrap(), circuit_info(&f.model).unwrap());
	let wrong = Prover::new(nudged, &f.keys.proving_key).unwrap();
	assert_eq!(
		wrong.prove(&f.input, &f.binding, &mut rng).unwrap_err(),
		ProveError::SelfCheckFailed
	);
	// An invalid model.
	let mut invalid = f.model.clone();
	invalid.layers.clear();
	assert!(matches!(setup_from_seed(&invalid, [0; 32]), Err(ProveError::InvalidModel(_))));
	// Too many public inputs for a verifying key of at most 32 KiB.
	let wide = reference_mlp(&[31 * 340, 1], 1);
	assert!(matches!(circuit_info(&wide), Err(ProveError::Unsupported(_))));
}

#[test]
fn setup_from_seed_is_deterministic_and_proofs_randomized() {
	let model = reference_mlp(&[10, 4, 3], 7);
	let a = setup_from_seed(&model, [9; 32]).unwrap();
	let b = setup_from_seed(&model, [9; 32]).unwrap();
	assert_eq!(a, b);
	let prover = Prover::new(model.clone(), &a.proving_key).unwrap();
	let input: Vec<i8> = (0..10).map(|i| (i * 25 - 128) as i8).collect();
	let mut rng = ChaCha20Rng::seed_from_u64(1);
	let p1 = prover.prove(&input, &[1; 32], &mut rng).unwrap();
	let p2 = prover.prove(&input, &[1; 32], &mut rng).unwrap();
	assert_eq!(p1.output, p2.output);
	assert_ne!(p1.proof, p2.proof);
	for p in [&p1, &p2] {
		assert_eq!(verify_both(&a.verifying_key, &p.proof, &[1; 32], &input, &p.output), Ok(()));
	}
	let expected = public_inputs::<ark_bls12_381::Fr>(&[1; 32], &input, &p1.output);
	assert_eq!(expected.len(), num_public_inputs(10, 3));
}

proptest! {
	#![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, ..ProptestConfig::default() })]

	/// Random corruption of the proof or the key never panics, and never verifies.
	#[test]
	fn corrupted_bytes_never_panic(
		which in 0..2usize,
		flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..4),
		cut in proptest::option::of(any::<usize>()),
	) {
		let f = fixture();
		let mut proof = f.proof.clone();
		let mut vk = f.keys.verifying_key.clone();
		let target = if which == 0 { &mut proof } else { &mut vk };
		let mut changed = false;
		for (at, mask) in flips {
			let i = at % target.len();
			changed |= mask != 0;
			target[i] ^= mask;
		}
		if let Some(cut) = cut {
			let len = cut % target.len();
			target.truncate(len);
			changed = true;
		}
		let result = verify_both(&vk, &proof, &f.binding, &f.input, &f.output);
		if changed {
			prop_assert!(result.is_err(), "a corrupted {} verified", if which == 0 { "proof" } else { "key" });
		}
		let _ = check_verifying_key::<Native>(&vk);
	}
}
