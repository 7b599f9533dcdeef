//! Random reference models for tests and benchmarks (feature `prover`).

use rand_chacha::{
	rand_core::{RngCore, SeedableRng},
	ChaCha20Rng,
};
use std::{vec, vec::Vec};
use verity_int8_format::{dense, requant_for, Dense, Int8Model, Layer};

/// Calibration samples used to choose each layer's requantization.
const CALIBRATION: usize = 16;
/// Target standard deviation of the int8 activations before saturation.
const TARGET_STD: f64 = 40.0;

/// A random valid int8 MLP with layer widths `dims` (at least two entries, none zero): Dense
/// layers with fused ReLU except the last, int8 weights in `[-127, 127]`, biases in
/// `[-512, 512]`, and each layer's requantization (from [`requant_for`]) chosen on random
/// calibration inputs so that activations are spread over the int8 range (standard deviation
/// about 40) instead of saturated. Deterministic in `seed`.
///
/// # Panics
///
/// If `dims` has fewer than two entries or a zero entry.
pub fn reference_mlp(dims: &[usize], seed: u64) -> Int8Model {
	assert!(
		dims.len() >= 2 && !dims.contains(&0),
		"reference_mlp needs at least two non-zero dims"
	);
	let mut rng = ChaCha20Rng::seed_from_u64(seed);
	let int8 = |rng: &mut ChaCha20Rng, lo: i32, hi: i32| {
		lo + (rng.next_u32() % (hi - lo + 1) as u32) as i32
	};
	let mut activations: Vec<Vec<i8>> = (0..CALIBRATION)
		.map(|_| (0..dims[0]).map(|_| int8(&mut rng, -128, 127) as i8).collect())
		.collect();
	let mut layers = Vec::with_capacity(dims.len() - 1);
	for (index, pair) in dims.windows(2).enumerate() {
		let (inputs, outputs) = (pair[0], pair[1]);
		let weights: Vec<i8> =
			(0..inputs * outputs).map(|_| int8(&mut rng, -127, 127) as i8).collect();
		let bias: Vec<i32> = (0..outputs).map(|_| int8(&mut rng, -512, 512)).collect();
		let mut sum_squares = 0f64;
		for x in &activations {
			for o in 0..outputs {
				let acc = weights[o * inputs..(o + 1) * inputs]
					.iter()
					.zip(x)
					.fold(i64::from(bias[o]), |acc, (w, v)| acc + i64::from(*w) * i64::from(*v));
				sum_squares += (acc as f64) * (acc as f64);
			}
		}
		let rms = (sum_squares / (CALIBRATION * outputs) as f64).sqrt().max(1.0);
		let requant = requant_for(TARGET_STD / rms).expect("factor in range");
		let layer = Dense {
			in_features: inputs as u32,
			out_features: outputs as u32,
			weights,
			bias,
			requant,
			relu: index + 2 < dims.len(),
		};
		activations = activations
			.iter()
			.map(|x| {
				let mut out = vec![0i8; outputs];
				dense(&layer, x, &mut out);
				out
			})
			.collect();
		layers.push(Layer::Dense(layer));
	}
	Int8Model {
		input_shape: vec![dims[0] as u32],
		input_scale_bits: (1.0f32 / 64.0).to_bits(),
		layers,
		output_scale_bits: 0.125f32.to_bits(),
	}
}
