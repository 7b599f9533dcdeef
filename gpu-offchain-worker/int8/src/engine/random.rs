//! Random valid int8 models and inputs, deterministic from a seed (feature `testing`), for
//! engine tests and benchmarks.

use crate::format::{Conv2d, Dense, Int8Model, Layer, MaxPool2d, Requant};
use crate::rng::SplitMix64;

fn random_requant(rng: &mut SplitMix64, fan_in: usize) -> Requant {
	// Typical |acc| is about sqrt(fan_in) · 73² (uniform int8 weights and activations);
	// aim the outputs at about ±40 and jitter the shift so some outputs saturate.
	let typical = (fan_in as f64).sqrt() * 5329.0 / 40.0;
	let shift = (30.5 + typical.log2()).round() as i64 + rng.below(3) as i64 - 1;
	Requant { multiplier: (1 << 30) + rng.below(1 << 30) as i32, shift: shift.clamp(0, 62) as u8 }
}

fn random_weights(rng: &mut SplitMix64, count: usize) -> Vec<i8> {
	(0..count).map(|_| (rng.below(255) as i32 - 127) as i8).collect()
}

fn random_dense(rng: &mut SplitMix64, in_features: u32, out_features: u32) -> Layer {
	let weights = random_weights(rng, (in_features * out_features) as usize);
	let bias = (0..out_features).map(|_| rng.below(20001) as i32 - 10000).collect();
	Layer::Dense(Dense {
		in_features,
		out_features,
		weights,
		bias,
		requant: random_requant(rng, in_features as usize),
		relu: rng.below(2) == 1,
	})
}

/// A random valid model for engine tests and benchmarks, deterministic from `seed`: with
/// `conv`, `[2, 9, 9]` → Conv2d → MaxPool2d → Relu → Conv2d → Flatten → Dense → Dense (random
/// strides and paddings); else `[48]` → Dense → Relu → Dense → Dense.
pub fn random_model(seed: u64, conv: bool) -> Int8Model {
	let mut rng = SplitMix64::new(seed);
	let mut layers = Vec::new();
	let input_shape;
	let flat;
	if conv {
		input_shape = vec![2, 9, 9];
		let (s1, p1) = (1 + rng.below(2) as u32, rng.below(2) as u32);
		let h1 = (9 + 2 * p1 - 3) / s1 + 1;
		layers.push(Layer::Conv2d(Conv2d {
			in_channels: 2,
			out_channels: 4,
			kernel_h: 3,
			kernel_w: 3,
			stride_h: s1,
			stride_w: s1,
			pad_h: p1,
			pad_w: p1,
			weights: random_weights(&mut rng, 4 * 2 * 9),
			bias: (0..4).map(|_| rng.below(2001) as i32 - 1000).collect(),
			requant: random_requant(&mut rng, 18),
			relu: rng.below(2) == 1,
		}));
		layers.push(Layer::MaxPool2d(MaxPool2d {
			kernel_h: 2,
			kernel_w: 2,
			stride_h: 1,
			stride_w: 1,
		}));
		layers.push(Layer::Relu);
		let h2 = h1 - 1;
		let p2 = rng.below(2) as u32;
		let h3 = h2 + 2 * p2 - 2 + 1;
		layers.push(Layer::Conv2d(Conv2d {
			in_channels: 4,
			out_channels: 3,
			kernel_h: 2,
			kernel_w: 2,
			stride_h: 1,
			stride_w: 1,
			pad_h: p2,
			pad_w: p2,
			weights: random_weights(&mut rng, 3 * 4 * 4),
			bias: (0..3).map(|_| rng.below(2001) as i32 - 1000).collect(),
			requant: random_requant(&mut rng, 16),
			relu: rng.below(2) == 1,
		}));
		layers.push(Layer::Flatten);
		flat = 3 * h3 * h3;
	} else {
		input_shape = vec![48];
		layers.push(random_dense(&mut rng, 48, 40));
		layers.push(Layer::Relu);
		flat = 40;
	}
	layers.push(random_dense(&mut rng, flat, 24));
	layers.push(random_dense(&mut rng, 24, 10));
	let model = Int8Model {
		input_shape,
		input_scale_bits: 0.02f32.to_bits(),
		layers,
		output_scale_bits: 0.1f32.to_bits(),
	};
	model.validate().expect("random models are valid");
	model
}

/// `count` random int8 values, deterministic from `seed`.
pub fn random_input(seed: u64, count: usize) -> Vec<i8> {
	let mut rng = SplitMix64::new(seed);
	(0..count).map(|_| rng.below(256) as u8 as i8).collect()
}
