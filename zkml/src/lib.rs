//! Groth16 proofs (BLS12-381, arkworks 0.6) that a Verity int8 model
//! ([`verity_primitives::int8`], feature `prover`) produced a given output from a given input.
//!
//! The model's weights are circuit constants: one circuit, and one trusted setup, per model
//! version. The chain stores the version's verifying key and checks proofs with [`verifier`],
//! which is `no_std` and generic over the pairing (the runtime passes the host-function curve
//! `sp_crypto_ec_utils::bls12_381::Bls12_381`).
//!
//! # Features
//!
//! - `std` (default): standard library support for the verifier.
//! - `prover` (default, implies `std`): the circuit ([`ModelCircuit`]), [`circuit_info`],
//!   [`setup`], [`setup_from_seed`], [`Prover`], [`verify_native`], [`reference_mlp`] and the
//!   `zkml-bench` binary. Without default features the crate is `no_std` + `alloc` and holds only
//!   [`verifier`] and [`fixture`] (a real proof for tests and benchmarks of verification).
//!
//! # Public inputs
//!
//! In this order, `1 + ceil(in_len / 31) + ceil(out_len / 31)` field elements
//! ([`verifier::public_inputs`]):
//! 1. `binding`, a 32-byte value (the chain passes a digest binding the proof to one request):
//!    `Fr::from_le_bytes_mod_order(&binding[..31])`;
//! 2. the input, packed: each `i8` `x` becomes the byte `u = x + 128`; bytes in chunks of 31
//!    (the last may be shorter), each chunk the element `Σ u_j · 256^j`;
//! 3. the output, packed the same way.
//!
//! # The circuit and its constraint counts
//!
//! Every activation is a linear combination (LC) of witnesses, and the constraints determine
//! its integer value uniquely, in `[-128, 127]`. A compile-time interval analysis (inputs in
//! `[-128, 127]`, then through each layer) bounds every accumulator and activation and sets the
//! bit widths below.
//!
//! - **Binding**: a public input only (0 constraints); Groth16 binds it all the same.
//! - **Input byte**: 8 boolean witnesses `b_k` (`b·b = b`, 8 constraints);
//!   `x = Σ 2^k b_k - 128` is an LC. **Packing**: one linear constraint per 31 bytes,
//!   `chunk = Σ_j 256^j Σ_k 2^k b_jk`. Bits make each byte a unique integer in `[0, 255]` and
//!   31 bytes stay below the modulus, so the chunk determines the bytes.
//! - **Dense / Conv2d neuron**: the accumulator `acc = bias + Σ w·x` is an LC (weights are
//!   constants: no constraint per multiply; Conv2d windows skip the zero padding) and so is
//!   `P = multiplier · acc`. With `s = shift`, `half = 2^(s-1)` (0 when `s = 0`):
//!   - sign bit `sgn` (1 constraint; none when the accumulator's range fixes the sign);
//!   - `D = q·2^s + r` with `q` in `q_bits` bits and `r` in `s` bits (`q_bits + s` constraints,
//!     minus `min(tz(multiplier), s)` low bits of `r` that are constants), where
//!     `q_bits = bitlen((max|acc| · multiplier + half) >> s)`;
//!   - main constraint `P · (1 - 2·sgn) = D - half` (1 constraint), so `D = |P| + half` and
//!     `q = round(|P| / 2^s)`, ties away from zero;
//!   - saturation: `lo` = bits 0..7 of `q`, `hi` = the rest; `nz = (hi ≠ 0)` by an is-zero
//!     gadget (2 constraints; the bit itself when `hi` has one bit; none when `q` has at most
//!     7 bits), `c = lo + nz·(127 - lo) = min(q, 127)` (1 constraint when `hi` exists);
//!   - output `y = c - sgn·(2c + nz)` (= `-min(q, 128)` when negative), or `y = c - sgn·c`
//!     with a fused ReLU (1 constraint, `y` a fresh witness);
//!   - a tie check `D · inv = 1` (1 constraint) only when a tie `|P| = half` is reachable:
//!     multiplier a power of two `2^z`, `z < s` and `2^(s-1-z) ≤ max|acc|`.
//!
//!   A neuron whose output is the same for every reachable accumulator (multiplier 0, say) is a
//!   constant (0 constraints). Typical MNIST first layer (784 inputs, shift ≈ 40): ≈ 60.
//! - **ReLU**: fused into the preceding Dense/Conv2d requantization when it follows one
//!   (possibly behind Flattens), and free when the input range is non-negative; otherwise
//!   `x + 128 = Σ 2^k b_k` (8 bits + 1 linear), `y = b_7 · x` (1): 10 constraints.
//! - **Flatten**: 0.
//! - **MaxPool2d** output over a window of `k`: `y` witness; for each `x_j`,
//!   `y - x_j = Σ 2^i d_i` with `n_j = bitlen(hi_y - lo_j) ≤ 8` bits (`n_j + 1` constraints), and
//!   `Π_j (y - x_j) = 0` (`k - 1` constraints). So `y ≥ x_j` for all `j` (no wrap: the
//!   differences are small non-negative integers) and `y` equals one of them: `y = max`.
//! - **Output packing**: one linear constraint per 31 outputs, tying the public chunks to the
//!   last activations.
//!
//! # Soundness
//!
//! By induction over the layers, every activation is a unique integer in `[-128, 127]`:
//! the input bytes by their bits; a neuron's `acc` and `P` as LCs (`|P| < 2^62`, far below the
//! modulus `p ≈ 2^255`); with the right `sgn`, `D = |P| + half < 2^63` has exactly one
//! decomposition `q·2^s + r` with the range-checked bits, and nz, `c` and `y` follow uniquely.
//! A wrong `sgn` makes `D = half - |P|`: for `|P| > half` that is `p - (|P| - half)`, about `p`,
//! which no `q·2^s + r < 2^64` reaches; for `0 < |P| < half` it gives `q = 0` and the output 0,
//! which is also the correct output (`|P| + half < 2^s`); `|P| = half` (a tie) would give 0
//! instead of ±1, and is excluded by `D ≠ 0` (an honest `D ≥ half > 0`) wherever a tie is
//! reachable. Relu and max are unique by their bit decompositions. The output chunks are then
//! fixed, so a proof for any output other than the engine's needs a satisfying assignment that
//! does not exist (Groth16 knowledge soundness).
//!
//! arkworks' Groth16 (`LibsnarkReduction`) adds an input-consistency term for every public
//! input, so each public input is bound even where the circuit uses it only linearly (the
//! binding is not used at all).

#![cfg_attr(not(feature = "std"), no_std)]
#![warn(missing_docs)]

extern crate alloc;

pub mod fixture;
pub mod verifier;

#[cfg(feature = "prover")]
mod circuit;
#[cfg(feature = "prover")]
mod prover;
#[cfg(feature = "prover")]
mod reference;

#[cfg(feature = "prover")]
pub use circuit::ModelCircuit;
#[cfg(feature = "prover")]
pub use prover::{
	circuit_info, setup, setup_from_seed, verify_native, CircuitInfo, CryptoRng, Keys, ProveError,
	Proved, Prover, RngCore,
};
#[cfg(feature = "prover")]
pub use reference::reference_mlp;
pub use verifier::{ZkError, MAX_VERIFYING_KEY_LEN, PACK_BYTES, PROOF_LEN};
