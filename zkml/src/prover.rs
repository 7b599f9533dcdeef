//! Setup, proving and native verification (feature `prover`).

use crate::{
	circuit::ModelCircuit,
	verifier::{self, ZkError, MAX_VERIFYING_KEY_LEN},
};
use ark_bls12_381::{Bls12_381, Fr};
use ark_groth16::{prepare_verifying_key, Groth16, PreparedVerifyingKey, ProvingKey};
use ark_relations::gr1cs::{
	ConstraintSynthesizer, ConstraintSystem, OptimizationGoal, SynthesisError, SynthesisMode,
};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize, Compress, Validate};
pub use ark_std::rand::{CryptoRng, RngCore};
use rand_chacha::{rand_core::SeedableRng, ChaCha20Rng};
use std::{fmt, string::String, vec::Vec};
use verity_int8_format::{Int8Model, InvalidModel, Layer};

/// Why setup or proving failed.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum ProveError {
	/// The model fails [`Int8Model::validate`].
	InvalidModel(InvalidModel),
	/// The model is valid but this crate cannot prove it (the text says why).
	Unsupported(&'static str),
	/// The input does not have the model's input length.
	WrongInputLength {
		/// The model's input length.
		expected: usize,
		/// The given length.
		got: usize,
	},
	/// A claimed output does not have the model's output length.
	WrongOutputLength {
		/// The model's output length.
		expected: usize,
		/// The given length.
		got: usize,
	},
	/// The proving key does not decode or was made for another circuit (the text says which).
	MalformedProvingKey(&'static str),
	/// Constraint synthesis or the Groth16 prover failed.
	Synthesis(String),
	/// The reference engine refused the input (cannot happen for a validated model).
	EngineFailed,
	/// The proof just made does not verify with the proving key's own verifying key: the key
	/// belongs to another circuit or is corrupted.
	SelfCheckFailed,
}

impl ProveError {
	pub(crate) fn synthesis(e: SynthesisError) -> Self {
		ProveError::Synthesis(format!("{e}"))
	}
}

impl fmt::Display for ProveError {
	fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
		match self {
			ProveError::InvalidModel(why) => write!(f, "invalid model: {why}"),
			ProveError::Unsupported(why) => write!(f, "model not supported by the prover: {why}"),
			ProveError::WrongInputLength { expected, got } => {
				write!(f, "input has {got} elements, the model takes {expected}")
			},
			ProveError::WrongOutputLength { expected, got } => {
				write!(f, "output has {got} elements, the model gives {expected}")
			},
			ProveError::MalformedProvingKey(why) => write!(f, "unusable proving key: {why}"),
			ProveError::Synthesis(why) => write!(f, "constraint synthesis failed: {why}"),
			ProveError::EngineFailed => write!(f, "the reference engine refused the input"),
			ProveError::SelfCheckFailed => {
				write!(f, "the proof does not verify with the proving key's verifying key")
			},
		}
	}
}

impl std::error::Error for ProveError {}

/// Size figures of a model's circuit.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct CircuitInfo {
	/// Weights plus biases of the model.
	pub parameters: u64,
	/// R1CS constraints.
	pub constraints: usize,
	/// Private witness variables.
	pub witness_variables: usize,
	/// Public inputs (without the constant 1).
	pub public_inputs: usize,
}

/// A proving key and its verifying key, both ark-serialize uncompressed.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Keys {
	/// `ark_groth16::ProvingKey<Bls12_381>`, uncompressed.
	pub proving_key: Vec<u8>,
	/// `ark_groth16::VerifyingKey<Bls12_381>`, uncompressed (what the chain stores).
	pub verifying_key: Vec<u8>,
}

/// A proof and the output it proves.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Proved {
	/// The engine's output ([`Int8Model::forward`]).
	pub output: Vec<i8>,
	/// The proof, [`crate::verifier::PROOF_LEN`] bytes (uncompressed A, B, C).
	pub proof: Vec<u8>,
}

/// Size of a verifying key with `inputs` public inputs.
fn verifying_key_len(inputs: usize) -> usize {
	680 + 96 * (inputs + 1)
}

/// Weights plus biases.
fn parameters(model: &Int8Model) -> u64 {
	model
		.layers
		.iter()
		.map(|layer| match layer {
			Layer::Dense(d) => (d.weights.len() + d.bias.len()) as u64,
			Layer::Conv2d(c) => (c.weights.len() + c.bias.len()) as u64,
			_ => 0,
		})
		.sum()
}

fn setup_circuit(model: &Int8Model) -> Result<ModelCircuit<'_>, ProveError> {
	let circuit = ModelCircuit::for_setup(model)?;
	if verifying_key_len(circuit.num_public_inputs()) > MAX_VERIFYING_KEY_LEN {
		return Err(ProveError::Unsupported(
			"too many public inputs: the verifying key would exceed MAX_VERIFYING_KEY_LEN",
		));
	}
	Ok(circuit)
}

/// Synthesizes the model's circuit in setup mode (as the Groth16 setup does) and counts.
pub fn circuit_info(model: &Int8Model) -> Result<CircuitInfo, ProveError> {
	let circuit = setup_circuit(model)?;
	let cs = ConstraintSystem::<Fr>::new_ref();
	cs.set_optimization_goal(OptimizationGoal::Constraints);
	cs.set_mode(SynthesisMode::Setup);
	circuit.generate_constraints(cs.clone()).map_err(ProveError::synthesis)?;
	cs.finalize();
	Ok(CircuitInfo {
		parameters: parameters(model),
		constraints: cs.num_constraints(),
		witness_variables: cs.num_witness_variables(),
		public_inputs: cs.num_instance_variables() - 1,
	})
}

fn serialize<T: CanonicalSerialize>(value: &T) -> Result<Vec<u8>, ProveError> {
	let mut out = Vec::with_capacity(value.serialized_size(Compress::No));
	value
		.serialize_with_mode(&mut out, Compress::No)
		.map_err(|e| ProveError::Synthesis(format!("serialization: {e}")))?;
	Ok(out)
}

/// Runs the Groth16 trusted setup for the model's circuit with randomness from `rng`.
///
/// The randomness is toxic waste: whoever knows it can forge proofs for this circuit. A
/// production deployment runs a multi-party ceremony instead (see the crate README).
pub fn setup<R: RngCore + CryptoRng>(model: &Int8Model, rng: &mut R) -> Result<Keys, ProveError> {
	let circuit = setup_circuit(model)?;
	let pk = Groth16::<Bls12_381>::generate_random_parameters_with_reduction(circuit, rng)
		.map_err(ProveError::synthesis)?;
	Ok(Keys { proving_key: serialize(&pk)?, verifying_key: serialize(&pk.vk)? })
}

/// [`setup`] with a ChaCha20 generator seeded by `seed`: deterministic, **for tests and
/// development only**, since anyone who knows the seed knows the toxic waste and can forge
/// proofs.
pub fn setup_from_seed(model: &Int8Model, seed: [u8; 32]) -> Result<Keys, ProveError> {
	setup(model, &mut ChaCha20Rng::from_seed(seed))
}

/// Proves runs of one model version with its proving key.
pub struct Prover {
	model: Int8Model,
	proving_key: ProvingKey<Bls12_381>,
	prepared: PreparedVerifyingKey<Bls12_381>,
}

impl Prover {
	/// Decodes the proving key (uncompressed, without point validation: the prover checks each
	/// proof it makes instead) and checks that its sizes match the model's circuit.
	pub fn new(model: Int8Model, proving_key: &[u8]) -> Result<Self, ProveError> {
		let info = circuit_info(&model)?;
		let mut reader = proving_key;
		let pk =
			ProvingKey::<Bls12_381>::deserialize_with_mode(&mut reader, Compress::No, Validate::No)
				.map_err(|_| ProveError::MalformedProvingKey("does not decode"))?;
		if !reader.is_empty() {
			return Err(ProveError::MalformedProvingKey("trailing bytes"));
		}
		if pk.vk.gamma_abc_g1.len() != info.public_inputs + 1 {
			return Err(ProveError::MalformedProvingKey(
				"made for another number of public inputs",
			));
		}
		if pk.a_query.len() != info.public_inputs + 1 + info.witness_variables
			|| pk.b_g1_query.len() != pk.a_query.len()
			|| pk.b_g2_query.len() != pk.a_query.len()
			|| pk.l_query.len() != info.witness_variables
		{
			return Err(ProveError::MalformedProvingKey("made for another circuit"));
		}
		let prepared = prepare_verifying_key(&pk.vk);
		Ok(Prover { model, proving_key: pk, prepared })
	}

	/// The model this prover proves.
	pub fn model(&self) -> &Int8Model {
		&self.model
	}

	/// The verifying key inside the proving key, ark-serialize uncompressed.
	pub fn verifying_key(&self) -> Result<Vec<u8>, ProveError> {
		serialize(&self.proving_key.vk)
	}

	/// Runs the model with [`Int8Model::forward`] (the engine), builds
	/// the witness and proves. Returns the engine's output and the proof
	/// ([`crate::verifier::PROOF_LEN`] bytes), which has been checked against the key.
	pub fn prove<R: RngCore + CryptoRng>(
		&self,
		input: &[i8],
		binding: &[u8; 32],
		rng: &mut R,
	) -> Result<Proved, ProveError> {
		let expected = self.model.input_len();
		if input.len() != expected {
			return Err(ProveError::WrongInputLength { expected, got: input.len() });
		}
		let output = self.model.forward(input).ok_or(ProveError::EngineFailed)?;
		let circuit =
			ModelCircuit::with_output(&self.model, *binding, input.to_vec(), output.clone())?;
		let proof = Groth16::<Bls12_381>::create_random_proof_with_reduction(
			circuit,
			&self.proving_key,
			rng,
		)
		.map_err(ProveError::synthesis)?;
		let inputs = verifier::public_inputs::<Fr>(binding, input, &output);
		if !Groth16::<Bls12_381>::verify_proof(&self.prepared, &proof, &inputs).unwrap_or(false) {
			return Err(ProveError::SelfCheckFailed);
		}
		Ok(Proved { output, proof: serialize(&proof)? })
	}
}

/// [`verifier::verify`] with the native curve `ark_bls12_381::Bls12_381`.
pub fn verify_native(
	verifying_key: &[u8],
	proof: &[u8],
	binding: &[u8; 32],
	input: &[i8],
	output: &[i8],
) -> Result<(), ZkError> {
	verifier::verify::<Bls12_381>(verifying_key, proof, binding, input, output)
}
