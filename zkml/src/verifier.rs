//! The verifier: public-input packing, verifying-key checks and Groth16 verification.
//!
//! Always compiled, `no_std` + `alloc`, and generic over the pairing so that the runtime can pass
//! the host-function curve `sp_crypto_ec_utils::bls12_381::Bls12_381` while native code passes
//! `ark_bls12_381::Bls12_381`. No function here panics on any bytes.
//!
//! # Public inputs
//!
//! In this order (see [`public_inputs`]):
//! 1. `binding`: `Fr::from_le_bytes_mod_order(&binding[..31])`;
//! 2. the input, packed: each `i8` `x` becomes the byte `u = x + 128`, bytes are taken in chunks
//!    of [`PACK_BYTES`] (the last chunk may be shorter) and each chunk is the field element
//!    `Σ u_j · 256^j` (little-endian);
//! 3. the output, packed the same way.

use alloc::vec::Vec;
use ark_ec::{pairing::Pairing, AffineRepr, CurveGroup, VariableBaseMSM};
use ark_ff::{One, PrimeField};
use ark_groth16::{Proof, VerifyingKey};
use ark_serialize::{CanonicalDeserialize, Compress, Validate};

/// Bytes per packed public input (31 bytes always fit below the BLS12-381 scalar modulus).
pub const PACK_BYTES: usize = 31;
/// Length of a proof: the uncompressed points A (G1, 96 bytes), B (G2, 192) and C (G1, 96).
pub const PROOF_LEN: usize = 384;
/// Largest accepted verifying key (uncompressed), in bytes. A key has
/// `680 + 96 · (public inputs + 1)` bytes, so this allows up to 333 public inputs.
pub const MAX_VERIFYING_KEY_LEN: usize = 32 * 1024;

/// Why a verifying key or a proof is rejected.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ZkError {
	/// The verifying key does not decode (bad length, bad point, trailing bytes, no input base).
	MalformedKey,
	/// The verifying key is longer than [`MAX_VERIFYING_KEY_LEN`].
	KeyTooLarge,
	/// The proof is not [`PROOF_LEN`] bytes of valid points (on the curve, in the subgroup).
	MalformedProof,
	/// The key was made for a different number of public inputs (another model shape).
	WrongInputCount,
	/// The proof is well formed but does not verify for these public inputs.
	ProofRejected,
}

impl core::fmt::Display for ZkError {
	fn fmt(&self, f: &mut core::fmt::Formatter) -> core::fmt::Result {
		f.write_str(match self {
			ZkError::MalformedKey => "malformed Groth16 verifying key",
			ZkError::KeyTooLarge => "Groth16 verifying key too large",
			ZkError::MalformedProof => "malformed Groth16 proof",
			ZkError::WrongInputCount => "verifying key expects another number of public inputs",
			ZkError::ProofRejected => "Groth16 proof rejected",
		})
	}
}

#[cfg(feature = "std")]
impl std::error::Error for ZkError {}

/// Number of field elements a value of `len` bytes packs into.
pub fn packed_len(len: usize) -> usize {
	len.div_ceil(PACK_BYTES)
}

/// Number of public inputs of a model with `input_len` inputs and `output_len` outputs:
/// `1 + ceil(input_len / 31) + ceil(output_len / 31)`.
pub fn num_public_inputs(input_len: usize, output_len: usize) -> usize {
	1 + packed_len(input_len) + packed_len(output_len)
}

/// Appends the packed field elements of `values` (see the module docs) to `out`.
pub fn pack_into<F: PrimeField>(values: &[i8], out: &mut Vec<F>) {
	pack_offsets(values.iter().map(|x| *x as u8), values.len(), out)
}

/// [`pack_into`] for int8 values given as their bytes (`x as u8`, as requests and results
/// carry them), without converting them first.
pub fn pack_bytes_into<F: PrimeField>(bytes: &[u8], out: &mut Vec<F>) {
	pack_offsets(bytes.iter().copied(), bytes.len(), out)
}

/// Packs int8 bytes as `x + 128` (the byte with its top bit flipped), 31 to an element.
fn pack_offsets<F: PrimeField>(bytes: impl Iterator<Item = u8>, len: usize, out: &mut Vec<F>) {
	let mut chunk = [0u8; PACK_BYTES];
	let mut bytes = bytes.map(|byte| byte ^ 0x80);
	for start in (0..len).step_by(PACK_BYTES) {
		let part = (len - start).min(PACK_BYTES);
		for slot in chunk.iter_mut().take(part) {
			*slot = bytes.next().unwrap_or_default();
		}
		out.push(F::from_le_bytes_mod_order(&chunk[..part]));
	}
}

/// The public inputs of a proof, in the circuit's order: binding, packed input, packed output.
pub fn public_inputs<F: PrimeField>(binding: &[u8; 32], input: &[i8], output: &[i8]) -> Vec<F> {
	let mut out = Vec::with_capacity(num_public_inputs(input.len(), output.len()));
	out.push(binding_element(binding));
	pack_into(input, &mut out);
	pack_into(output, &mut out);
	out
}

/// [`public_inputs`] of int8 input and output given as their bytes.
pub fn public_inputs_of_bytes<F: PrimeField>(
	binding: &[u8; 32],
	input: &[u8],
	output: &[u8],
) -> Vec<F> {
	let mut out = Vec::with_capacity(num_public_inputs(input.len(), output.len()));
	out.push(binding_element(binding));
	pack_bytes_into(input, &mut out);
	pack_bytes_into(output, &mut out);
	out
}

/// The field element of a binding: its first 31 bytes, little-endian (the 32nd byte is dropped,
/// so the element is always below the modulus; 248 bits of a digest still bind the request).
pub fn binding_element<F: PrimeField>(binding: &[u8; 32]) -> F {
	F::from_le_bytes_mod_order(&binding[..PACK_BYTES])
}

/// Decodes a whole value (no trailing bytes allowed). With `validate`, every point is checked to
/// be on the curve and in the prime-order subgroup: the value is decoded without validation and
/// then `Valid::check`ed, because arkworks' uncompressed BLS12-381 decoder with
/// `Validate::Yes` checks the subgroup of single points but not that they are on the curve.
fn decode_exact<T: CanonicalDeserialize>(bytes: &[u8], validate: bool) -> Option<T> {
	let mut reader = bytes;
	let value = T::deserialize_with_mode(&mut reader, Compress::No, Validate::No).ok()?;
	if validate {
		value.check().ok()?;
	}
	reader.is_empty().then_some(value)
}

/// Decodes a verifying key (ark-serialize, uncompressed, validated: every point on the curve and
/// in the prime-order subgroup, no trailing bytes) and returns its number of public inputs
/// (`gamma_abc_g1.len() - 1`). Run this once, when a key is stored; [`verify`] then skips the
/// point checks.
pub fn check_verifying_key<E: Pairing>(bytes: &[u8]) -> Result<usize, ZkError> {
	if bytes.len() > MAX_VERIFYING_KEY_LEN {
		return Err(ZkError::KeyTooLarge);
	}
	let key: VerifyingKey<E> = decode_exact(bytes, true).ok_or(ZkError::MalformedKey)?;
	// A key whose α, β, γ or δ is the identity makes the check vacuous (with γ = 0 the public
	// inputs would not be bound at all).
	let degenerate = key.alpha_g1.is_zero()
		|| key.beta_g2.is_zero()
		|| key.gamma_g2.is_zero()
		|| key.delta_g2.is_zero();
	if degenerate {
		return Err(ZkError::MalformedKey);
	}
	key.gamma_abc_g1.len().checked_sub(1).ok_or(ZkError::MalformedKey)
}

/// Whether `key` passes [`check_verifying_key`] with exactly the public inputs of a model
/// taking `input_len` int8 values and returning `output_len` (what a Model Hub accepts).
pub fn key_fits<E: Pairing>(key: &[u8], input_len: u64, output_len: u64) -> bool {
	let (Ok(input_len), Ok(output_len)) = (usize::try_from(input_len), usize::try_from(output_len))
	else {
		return false;
	};
	check_verifying_key::<E>(key)
		.is_ok_and(|inputs| inputs == num_public_inputs(input_len, output_len))
}

/// Decodes a proof: exactly [`PROOF_LEN`] bytes, uncompressed, validated (on the curve and in
/// the subgroup), since a proof is untrusted.
pub fn decode_proof<E: Pairing>(proof: &[u8]) -> Result<Proof<E>, ZkError> {
	if proof.len() != PROOF_LEN {
		return Err(ZkError::MalformedProof);
	}
	decode_exact(proof, true).ok_or(ZkError::MalformedProof)
}

/// Verifies a proof that the model of `verifying_key` maps `input` to `output`, bound to
/// `binding`.
///
/// The key must have passed [`check_verifying_key`] when it was stored: it is decoded
/// uncompressed *without* validation (no square roots, no subgroup checks, which keeps the
/// runtime cost low). The proof, which is untrusted, is decoded with validation.
///
/// Errors: [`ZkError::MalformedKey`], [`ZkError::KeyTooLarge`], [`ZkError::MalformedProof`],
/// [`ZkError::WrongInputCount`], [`ZkError::ProofRejected`].
pub fn verify<E: Pairing>(
	verifying_key: &[u8],
	proof: &[u8],
	binding: &[u8; 32],
	input: &[i8],
	output: &[i8],
) -> Result<(), ZkError> {
	verify_public::<E>(verifying_key, proof, (input.len(), output.len()), || {
		public_inputs::<E::ScalarField>(binding, input, output)
	})
}

/// [`verify`] for int8 input and output given as their bytes (`x as u8`), as the chain keeps
/// them: nothing is converted or copied first.
pub fn verify_bytes<E: Pairing>(
	verifying_key: &[u8],
	proof: &[u8],
	binding: &[u8; 32],
	input: &[u8],
	output: &[u8],
) -> Result<(), ZkError> {
	verify_public::<E>(verifying_key, proof, (input.len(), output.len()), || {
		public_inputs_of_bytes::<E::ScalarField>(binding, input, output)
	})
}

/// The checks of [`verify`], with the public inputs made once the key and proof decoded.
fn verify_public<E: Pairing>(
	verifying_key: &[u8],
	proof: &[u8],
	(input_len, output_len): (usize, usize),
	public: impl FnOnce() -> Vec<E::ScalarField>,
) -> Result<(), ZkError> {
	if verifying_key.len() > MAX_VERIFYING_KEY_LEN {
		return Err(ZkError::KeyTooLarge);
	}
	let key: VerifyingKey<E> = decode_exact(verifying_key, false).ok_or(ZkError::MalformedKey)?;
	if key.gamma_abc_g1.len() != num_public_inputs(input_len, output_len) + 1 {
		return Err(ZkError::WrongInputCount);
	}
	let proof = decode_proof::<E>(proof)?;
	let inputs = public();
	// The Groth16 check e(A, B) = e(α, β) · e(L, γ) · e(C, δ), with L = IC_0 + Σ x_i · IC_i, as
	// arkworks' `Groth16::verify_proof` checks it, arranged for the runtime's host functions:
	// L is one multi-scalar multiplication (one host call, where `verify_proof` makes one scalar
	// multiplication per public input), and the four pairings are one multi-Miller loop and one
	// final exponentiation (`verify_proof` also pairs α with β on every call):
	// e(A, B) · e(-L, γ) · e(-C, δ) · e(-α, β) = 1.
	let msm = E::G1::msm(&key.gamma_abc_g1[1..], &inputs).map_err(|_| ZkError::WrongInputCount)?;
	let l = (msm + key.gamma_abc_g1[0]).into_affine();
	let product = E::multi_pairing(
		[proof.a, -l, -proof.c, -key.alpha_g1],
		[proof.b, key.gamma_g2, key.delta_g2, key.beta_g2],
	);
	if product.0.is_one() {
		Ok(())
	} else {
		Err(ZkError::ProofRejected)
	}
}
