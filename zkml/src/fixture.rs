//! A real proof to test and benchmark verification with, without running the prover (always
//! compiled, `no_std`: the runtime's benchmarks and the pallets' tests use it).
//!
//! [`largest`] is the proof with the most public inputs a verifying key of at most 16 KiB
//! (`verity_primitives::model::MAX_ZK_VERIFYING_KEY_LEN`) can have: 162 = 1 binding +
//! 160 input chunks + 1 output chunk, a key of 680 + 96 · 163 = 16,328 bytes. It is the model
//! `reference_mlp(&[4960, 31], FIXTURE_MODEL_SEED)` (one Dense layer, 4,960 int8 inputs,
//! 31 outputs), keys from `setup_from_seed(&model, FIXTURE_SETUP_SEED)` (public toxic waste:
//! for tests only), an input of ChaCha20 bytes from [`FIXTURE_INPUT_SEED`] and the binding
//! [`FIXTURE_BINDING`]. `tests/it/fixture.rs` checks it and regenerates the files on request.

/// Seed of the fixture's model (`reference_mlp(&[4960, 31], FIXTURE_MODEL_SEED)`).
pub const FIXTURE_MODEL_SEED: u64 = 4960;
/// Seed of the fixture's (insecure, public) trusted setup.
pub const FIXTURE_SETUP_SEED: [u8; 32] = [0x46; 32];
/// Seed (`ChaCha20Rng::seed_from_u64`) of the fixture's input bytes and proof randomness.
pub const FIXTURE_INPUT_SEED: u64 = 2;
/// The fixture's binding.
pub const FIXTURE_BINDING: [u8; 32] = [0xB1; 32];

/// A model version's verifying key with one valid proof.
#[derive(Clone, Copy, Debug)]
pub struct Fixture {
	/// The verifying key, ark-serialize uncompressed.
	pub verifying_key: &'static [u8],
	/// The proof ([`crate::PROOF_LEN`] bytes).
	pub proof: &'static [u8],
	/// The binding the proof was made for.
	pub binding: [u8; 32],
	/// The input, one byte per int8 value (`x as u8`).
	pub input: &'static [u8],
	/// The output, one byte per int8 value (`x as u8`).
	pub output: &'static [u8],
}

impl Fixture {
	/// The input as int8 values.
	pub fn input_i8(&self) -> alloc::vec::Vec<i8> {
		self.input.iter().map(|b| *b as i8).collect()
	}

	/// The output as int8 values.
	pub fn output_i8(&self) -> alloc::vec::Vec<i8> {
		self.output.iter().map(|b| *b as i8).collect()
	}
}

/// The fixture with 162 public inputs (4,960 inputs, 31 outputs): see the module docs.
pub fn largest() -> Fixture {
	Fixture {
		verifying_key: include_bytes!("../fixtures/largest.vk"),
		proof: include_bytes!("../fixtures/largest.proof"),
		binding: FIXTURE_BINDING,
		input: include_bytes!("../fixtures/largest.input"),
		output: include_bytes!("../fixtures/largest.output"),
	}
}
