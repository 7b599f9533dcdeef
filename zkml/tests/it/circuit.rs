//! The circuit agrees with the engine (`Int8Model::forward`) bit for bit, and no other claimed
//! output satisfies it.

use proptest::prelude::*;
use rand_chacha::{
	rand_core::{RngCore, SeedableRng},
	ChaCha20Rng,
};
use verity_int8_format::{Conv2d, Dense, Int8Model, Layer, MaxPool2d, Requant};
use verity_zkml::{circuit_info, reference_mlp, ModelCircuit};

/// These circuits are tiny: rayon's thread hand-offs (arkworks' `parallel` feature) would cost
/// more than the work, so each test runs its checks inside a one-thread pool, where parallel
/// iterators run inline.
fn on_one_thread<T: Send>(f: impl FnOnce() -> T + Send) -> T {
	rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap().install(f)
}

struct Gen(ChaCha20Rng);

impl Gen {
	fn new(seed: u64) -> Self {
		Gen(ChaCha20Rng::seed_from_u64(seed))
	}

	/// Uniform in `lo..=hi`.
	fn range(&mut self, lo: i64, hi: i64) -> i64 {
		lo + (self.0.next_u64() % (hi - lo + 1) as u64) as i64
	}

	fn chance(&mut self, percent: u64) -> bool {
		self.0.next_u64() % 100 < percent
	}

	fn weight(&mut self) -> i8 {
		match self.range(0, 9) {
			0 => 0,
			1 => -128,
			2 => 127,
			_ => self.range(-128, 127) as i8,
		}
	}

	fn bias(&mut self) -> i32 {
		match self.range(0, 3) {
			0 => 0,
			1 => self.range(-100_000, 100_000) as i32,
			_ => self.range(-300, 300) as i32,
		}
	}

	/// A requantization that exercises ties, saturation, shift 0 and ordinary factors.
	fn requant(&mut self, fan_in: usize) -> Requant {
		match self.range(0, 7) {
			// Powers of two: many exact ties.
			0 => {
				let shift = self.range(1, 12) as u8;
				let z = self.range(0, i64::from(shift) - 1);
				Requant { multiplier: 1 << z, shift }
			},
			1 => Requant { multiplier: 1 << 30, shift: 31 + self.range(0, 4) as u8 },
			// Shift 0: plain multiply, mostly saturating.
			2 => Requant { multiplier: self.range(0, 3) as i32, shift: 0 },
			// Tiny factors and huge shifts.
			3 => Requant { multiplier: self.range(0, i64::from(i32::MAX)) as i32, shift: 62 },
			// A factor that saturates both sides often.
			4 => Requant { multiplier: self.range(1 << 30, i64::from(i32::MAX)) as i32, shift: 33 },
			// A "calibrated" factor: about 40 / (sqrt(fan_in) · 75 · 75).
			_ => {
				let m = 40.0 / ((fan_in.max(1) as f64).sqrt() * 5600.0);
				let mut r = verity_int8_format::requant_for(m).unwrap();
				r.multiplier -= self.range(0, 1000) as i32;
				r
			},
		}
	}

	fn input(&mut self, len: usize) -> Vec<i8> {
		(0..len)
			.map(|_| match self.range(0, 5) {
				0 => -128,
				1 => 127,
				2 => 0,
				_ => self.range(-128, 127) as i8,
			})
			.collect()
	}

	fn dense(&mut self, inputs: usize, outputs: usize, relu: bool) -> Layer {
		Layer::Dense(Dense {
			in_features: inputs as u32,
			out_features: outputs as u32,
			weights: (0..inputs * outputs).map(|_| self.weight()).collect(),
			bias: (0..outputs).map(|_| self.bias()).collect(),
			requant: self.requant(inputs),
			relu,
		})
	}

	/// A random MLP, sometimes with standalone Relu layers and Flattens.
	fn mlp(&mut self) -> Int8Model {
		let mut width = self.range(1, 8) as usize;
		let mut layers = Vec::new();
		if self.chance(25) {
			layers.push(Layer::Relu);
		}
		for _ in 0..self.range(1, 3) {
			let next = self.range(1, 8) as usize;
			let relu = self.chance(40);
			layers.push(self.dense(width, next, relu));
			if self.chance(25) {
				layers.push(Layer::Flatten);
			}
			if self.chance(30) {
				layers.push(Layer::Relu);
			}
			width = next;
		}
		Int8Model {
			input_shape: vec![match &layers[0] {
				Layer::Dense(d) => d.in_features,
				_ => match &layers[1] {
					Layer::Dense(d) => d.in_features,
					_ => unreachable!(),
				},
			}],
			input_scale_bits: 0.05f32.to_bits(),
			layers,
			output_scale_bits: 0.1f32.to_bits(),
		}
	}

	/// A random CNN: Conv2d (padding, stride), optional Relu / MaxPool2d, Flatten, Dense.
	fn cnn(&mut self) -> Int8Model {
		let c = self.range(1, 2) as u32;
		let h = self.range(2, 6) as u32;
		let w = self.range(2, 6) as u32;
		let mut layers = Vec::new();
		let mut shape = [c, h, w];
		if self.chance(20) {
			layers.push(Layer::Relu);
		}
		if self.chance(20) {
			let (kh, kw) = (self.range(1, 2) as u32, self.range(1, 2) as u32);
			if kh <= shape[1] && kw <= shape[2] {
				layers.push(Layer::MaxPool2d(MaxPool2d {
					kernel_h: kh,
					kernel_w: kw,
					stride_h: 1,
					stride_w: 1,
				}));
				shape = [shape[0], shape[1] - kh + 1, shape[2] - kw + 1];
			}
		}
		let out_channels = self.range(1, 3) as u32;
		let (kh, kw) = (self.range(1, 3) as u32, self.range(1, 3) as u32);
		let (sh, sw) = (self.range(1, 2) as u32, self.range(1, 2) as u32);
		let (ph, pw) = (self.range(0, 2) as u32, self.range(0, 2) as u32);
		let fits = |n: u32, k: u32, p: u32| n + 2 * p >= k;
		let (ph, pw) = (
			if fits(shape[1], kh, ph) { ph } else { kh },
			if fits(shape[2], kw, pw) { pw } else { kw },
		);
		let per_out = (shape[0] * kh * kw) as usize;
		layers.push(Layer::Conv2d(Conv2d {
			in_channels: shape[0],
			out_channels,
			kernel_h: kh,
			kernel_w: kw,
			stride_h: sh,
			stride_w: sw,
			pad_h: ph,
			pad_w: pw,
			weights: (0..per_out * out_channels as usize).map(|_| self.weight()).collect(),
			bias: (0..out_channels).map(|_| self.bias()).collect(),
			requant: self.requant(per_out),
			relu: self.chance(40),
		}));
		let oh = (shape[1] + 2 * ph - kh) / sh + 1;
		let ow = (shape[2] + 2 * pw - kw) / sw + 1;
		shape = [out_channels, oh, ow];
		if self.chance(40) {
			layers.push(Layer::Relu);
		}
		if self.chance(60) && shape[1] >= 2 && shape[2] >= 2 {
			let k = self.range(2, shape[1].min(shape[2]).min(3) as i64) as u32;
			let s = self.range(1, 2) as u32;
			layers.push(Layer::MaxPool2d(MaxPool2d {
				kernel_h: k,
				kernel_w: k,
				stride_h: s,
				stride_w: s,
			}));
			shape = [shape[0], (shape[1] - k) / s + 1, (shape[2] - k) / s + 1];
		}
		if self.chance(20) {
			layers.push(Layer::Relu);
		}
		if self.chance(70) {
			layers.push(Layer::Flatten);
			let flat = (shape[0] * shape[1] * shape[2]) as usize;
			let out = self.range(1, 5) as usize;
			let relu = self.chance(30);
			layers.push(self.dense(flat, out, relu));
		}
		Int8Model {
			input_shape: vec![c, h, w],
			input_scale_bits: 0.05f32.to_bits(),
			layers,
			output_scale_bits: 0.1f32.to_bits(),
		}
	}
}

/// The engine's output satisfies the circuit; one changed element (±1, or any other value)
/// does not.
fn check(model: &Int8Model, g: &mut Gen, inputs: usize) -> Result<(), TestCaseError> {
	on_one_thread(|| check_inner(model, g, inputs))
}

fn check_inner(model: &Int8Model, g: &mut Gen, inputs: usize) -> Result<(), TestCaseError> {
	prop_assume!(model.validate().is_ok());
	for _ in 0..inputs {
		let input = g.input(model.input_len());
		let output = model.forward(&input).unwrap();
		let mut binding = [0u8; 32];
		g.0.fill_bytes(&mut binding);
		let honest = ModelCircuit::with_output(model, binding, input.clone(), output.clone())
			.unwrap()
			.is_satisfied()
			.unwrap();
		prop_assert!(honest, "engine output not satisfied: {model:?} {input:?} -> {output:?}");

		let j = g.range(0, output.len() as i64 - 1) as usize;
		let mut wrong = Vec::new();
		for delta in [1i16, -1] {
			let v = i16::from(output[j]) + delta;
			if let Ok(v) = i8::try_from(v) {
				wrong.push(v);
			}
		}
		loop {
			let v = g.range(-128, 127) as i8;
			if v != output[j] {
				wrong.push(v);
				break;
			}
		}
		for v in wrong {
			let mut claimed = output.clone();
			claimed[j] = v;
			let satisfied = ModelCircuit::with_output(model, binding, input.clone(), claimed)
				.unwrap()
				.is_satisfied()
				.unwrap();
			prop_assert!(!satisfied, "wrong output {v} at {j} satisfied: {model:?}");
		}
	}
	Ok(())
}

proptest! {
	#![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

	#[test]
	fn mlp_circuit_matches_engine(seed in any::<u64>()) {
		let mut g = Gen::new(seed);
		let model = g.mlp();
		check(&model, &mut g, 3)?;
	}

	#[test]
	fn cnn_circuit_matches_engine(seed in any::<u64>()) {
		let mut g = Gen::new(seed);
		let model = g.cnn();
		check(&model, &mut g, 2)?;
	}
}

/// Every accumulator near the rounding ties and both saturation bounds, for several
/// requantizations, through a 1 -> 1 Dense layer with weight 1 (so `acc = bias + x`).
#[test]
fn requantization_edges_exhaustive() {
	on_one_thread(requantization_edges)
}

fn requantization_edges() {
	let requants = [
		Requant { multiplier: 1 << 30, shift: 31 },
		Requant { multiplier: 1 << 30, shift: 32 },
		Requant { multiplier: 3 << 29, shift: 31 },
		Requant { multiplier: 1, shift: 1 },
		Requant { multiplier: 1, shift: 2 },
		Requant { multiplier: 2, shift: 2 },
		Requant { multiplier: 3, shift: 0 },
		Requant { multiplier: 1, shift: 0 },
		Requant { multiplier: 0, shift: 5 },
		Requant { multiplier: i32::MAX, shift: 62 },
		Requant { multiplier: 1_234_567_891, shift: 37 },
	];
	for requant in requants {
		for relu in [false, true] {
			for bias in [-300, -129, -1, 0, 1, 200] {
				let model = Int8Model {
					input_shape: vec![1],
					input_scale_bits: 1f32.to_bits(),
					layers: vec![Layer::Dense(Dense {
						in_features: 1,
						out_features: 1,
						weights: vec![1],
						bias: vec![bias],
						requant,
						relu,
					})],
					output_scale_bits: 1f32.to_bits(),
				};
				for x in -128..=127i8 {
					let output = model.forward(&[x]).unwrap();
					let ok = ModelCircuit::with_output(&model, [7; 32], vec![x], output.clone())
						.unwrap()
						.is_satisfied()
						.unwrap();
					assert!(ok, "{requant:?} relu={relu} bias={bias} x={x}");
					for other in [output[0].wrapping_add(1), output[0].wrapping_sub(1)] {
						let bad = ModelCircuit::with_output(&model, [7; 32], vec![x], vec![other])
							.unwrap()
							.is_satisfied()
							.unwrap();
						assert!(!bad, "{requant:?} relu={relu} bias={bias} x={x} claimed {other}");
					}
				}
			}
		}
	}
}

#[test]
fn lengths_and_invalid_models_are_rejected() {
	let model = reference_mlp(&[5, 3, 2], 9);
	assert!(ModelCircuit::with_output(&model, [0; 32], vec![0; 4], vec![0; 2]).is_err());
	assert!(ModelCircuit::with_output(&model, [0; 32], vec![0; 5], vec![0; 3]).is_err());
	let mut bad = model.clone();
	bad.layers.clear();
	assert!(matches!(circuit_info(&bad), Err(verity_zkml::ProveError::InvalidModel(_))));
	// A setup-mode circuit has no values to check.
	assert!(ModelCircuit::for_setup(&model).unwrap().is_satisfied().is_err());
}

#[test]
fn reference_mlps_are_spread_and_counted() {
	let model = reference_mlp(&[784, 32, 10], 1);
	model.validate().unwrap();
	let info = circuit_info(&model).unwrap();
	assert_eq!(info.parameters, 784 * 32 + 32 + 32 * 10 + 10);
	assert_eq!(info.public_inputs, 1 + 26 + 1);
	// Input bits dominate: 8 per input byte.
	assert!(info.constraints > 784 * 8 && info.constraints < 784 * 8 + 42 * 80, "{info:?}");
	// Activations are spread: not all saturated, not all zero.
	let mut g = Gen::new(3);
	let mut distinct = std::collections::BTreeSet::new();
	for _ in 0..8 {
		let out = model.forward(&g.input(784)).unwrap();
		distinct.extend(out);
	}
	assert!(distinct.len() > 20, "{distinct:?}");
	assert!(!distinct.contains(&127) || distinct.len() > 30);
}
