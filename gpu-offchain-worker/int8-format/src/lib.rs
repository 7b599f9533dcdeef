#![doc = include_str!("../README.md")]

extern crate alloc;

use alloc::{vec, vec::Vec};
use codec::{Decode, Encode};
use core::fmt;

/// The first bytes of a Verity int8 model file.
pub const MAGIC: [u8; 8] = *b"VERITYI8";
/// The format version this code writes and reads.
pub const FORMAT_VERSION: u8 = 1;
/// Most elements of any activation (per sample), so a file cannot ask for huge buffers.
pub const MAX_ACTIVATION_ELEMENTS: u64 = 1 << 24;
/// Most layers in a model.
pub const MAX_LAYERS: usize = 1024;
/// Largest accepted `shift` of a [`Requant`].
pub const MAX_SHIFT: u8 = 62;

/// Fixed-point requantization: `q = saturate(round_half_away(acc · multiplier / 2^shift))`.
///
/// The real factor it stands for is `multiplier / 2^shift` (= `in_scale · w_scale / out_scale`).
/// `multiplier` must be non-negative, `shift` at most [`MAX_SHIFT`]; then `|acc · multiplier| <
/// 2^62` and adding the rounding half (at most `2^61`) stays inside i64.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, Debug)]
pub struct Requant {
	/// Non-negative integer multiplier (usually in `[2^30, 2^31)`).
	pub multiplier: i32,
	/// Right shift, `0..=62`.
	pub shift: u8,
}

/// A fully connected layer: `y[o] = requant(bias[o] + Σ_i w[o·in + i] · x[i])`.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
pub struct Dense {
	/// Input features.
	pub in_features: u32,
	/// Output features.
	pub out_features: u32,
	/// `out_features × in_features`, row-major.
	pub weights: Vec<i8>,
	/// `out_features` biases at scale `in_scale · w_scale`.
	pub bias: Vec<i32>,
	/// Accumulator to output requantization.
	pub requant: Requant,
	/// Fused ReLU (clamp the output at 0).
	pub relu: bool,
}

/// A 2-d convolution over `[C, H, W]` with OIHW weights, zero padding, no dilation, one group.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
pub struct Conv2d {
	/// Input channels.
	pub in_channels: u32,
	/// Output channels.
	pub out_channels: u32,
	/// Kernel height.
	pub kernel_h: u32,
	/// Kernel width.
	pub kernel_w: u32,
	/// Vertical stride (at least 1).
	pub stride_h: u32,
	/// Horizontal stride (at least 1).
	pub stride_w: u32,
	/// Zero padding above and below.
	pub pad_h: u32,
	/// Zero padding left and right.
	pub pad_w: u32,
	/// `out × in × kh × kw`, row-major.
	pub weights: Vec<i8>,
	/// `out_channels` biases at scale `in_scale · w_scale`.
	pub bias: Vec<i32>,
	/// Accumulator to output requantization.
	pub requant: Requant,
	/// Fused ReLU.
	pub relu: bool,
}

/// Max pooling over `[C, H, W]`, no padding; windows that do not fit are dropped (floor).
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, Debug)]
pub struct MaxPool2d {
	/// Window height.
	pub kernel_h: u32,
	/// Window width.
	pub kernel_w: u32,
	/// Vertical stride.
	pub stride_h: u32,
	/// Horizontal stride.
	pub stride_w: u32,
}

/// One layer. Relu, Flatten and MaxPool2d keep the scale of their input.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
pub enum Layer {
	/// Fully connected; input must be 1-d.
	Dense(Dense),
	/// Convolution; input must be 3-d.
	Conv2d(Conv2d),
	/// `max(x, 0)`.
	Relu,
	/// Any shape to 1-d (no data movement: activations are row-major).
	Flatten,
	/// Max pooling; input must be 3-d.
	MaxPool2d(MaxPool2d),
}

/// A quantized model: input shape and scale, layers, output scale.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
pub struct Int8Model {
	/// Shape of one input sample (no batch dimension): `[features]` or `[C, H, W]`.
	pub input_shape: Vec<u32>,
	/// `f32::to_bits` of the input scale (real = q · scale).
	pub input_scale_bits: u32,
	/// Layers in order.
	pub layers: Vec<Layer>,
	/// `f32::to_bits` of the output scale.
	pub output_scale_bits: u32,
}

/// Why a model file or model is rejected.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum FormatError {
	/// The file does not start with `VERITYI8`.
	BadMagic,
	/// The file ends before the version byte.
	Truncated,
	/// A version this code does not read.
	UnsupportedVersion(u8),
	/// The SCALE body does not decode.
	Decode,
	/// Bytes after the model.
	TrailingBytes(usize),
	/// The model is inconsistent; the text says where and why.
	Invalid(InvalidModel),
}

/// A model that decodes but cannot be run safely.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct InvalidModel {
	/// Index of the offending layer, or `None` for the model itself.
	pub layer: Option<usize>,
	/// What is wrong.
	pub reason: &'static str,
}

impl fmt::Display for InvalidModel {
	fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
		match self.layer {
			Some(index) => write!(f, "layer {index}: {}", self.reason),
			None => write!(f, "model: {}", self.reason),
		}
	}
}

impl fmt::Display for FormatError {
	fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
		match self {
			FormatError::BadMagic => {
				write!(f, "not a Verity int8 model (bad magic, expected VERITYI8)")
			},
			FormatError::Truncated => write!(f, "truncated Verity int8 model file"),
			FormatError::UnsupportedVersion(v) => write!(
				f,
				"unsupported Verity int8 format version {v} (this build reads {FORMAT_VERSION})"
			),
			FormatError::Decode => write!(f, "Verity int8 model body does not decode"),
			FormatError::TrailingBytes(n) => write!(f, "{n} trailing bytes after the model"),
			FormatError::Invalid(why) => write!(f, "invalid Verity int8 model: {why}"),
		}
	}
}

impl std::error::Error for FormatError {}

/// Serializes a model: magic, version, SCALE body.
pub fn encode_file(model: &Int8Model) -> Vec<u8> {
	let mut out = Vec::with_capacity(MAGIC.len() + 1 + model.encoded_size());
	out.extend_from_slice(&MAGIC);
	out.push(FORMAT_VERSION);
	model.encode_to(&mut out);
	out
}

/// Parses and validates a model file.
pub fn decode_file(bytes: &[u8]) -> Result<Int8Model, FormatError> {
	if bytes.len() < MAGIC.len() || bytes[..MAGIC.len()] != MAGIC {
		return Err(FormatError::BadMagic);
	}
	let version = *bytes.get(MAGIC.len()).ok_or(FormatError::Truncated)?;
	if version != FORMAT_VERSION {
		return Err(FormatError::UnsupportedVersion(version));
	}
	let mut body = &bytes[MAGIC.len() + 1..];
	let model = Int8Model::decode(&mut body).map_err(|_| FormatError::Decode)?;
	if !body.is_empty() {
		return Err(FormatError::TrailingBytes(body.len()));
	}
	model.validate().map_err(FormatError::Invalid)?;
	Ok(model)
}

/// `round(acc · multiplier / 2^shift)` (ties away from zero), saturated to int8; with `relu` the
/// lower bound is 0. Exact for every input allowed by [`Requant`]'s bounds.
#[inline]
pub fn requantize(acc: i32, requant: Requant, relu: bool) -> i8 {
	let product = i64::from(acc) * i64::from(requant.multiplier);
	let rounded = rounding_shift(product, requant.shift);
	let low = if relu { 0 } else { -128 };
	rounded.clamp(low, 127) as i8
}

/// `x / 2^shift` rounded to the nearest integer, ties away from zero. `|x| < 2^62`, `shift ≤ 62`.
#[inline]
pub fn rounding_shift(x: i64, shift: u8) -> i64 {
	if shift == 0 {
		return x;
	}
	let half = 1i64 << (shift - 1);
	if x >= 0 {
		(x + half) >> shift
	} else {
		-((half - x) >> shift)
	}
}

/// Quantizes a real value: `round(x / scale)` (ties away from zero), clamped to `[-128, 127]`;
/// NaN gives 0. Used on the host for inputs; computed in f64 so the tie rule is exact.
pub fn quantize(x: f32, scale: f32) -> i8 {
	let v = f64::from(x) / f64::from(scale);
	let rounded = if v >= 0.0 { v + 0.5 } else { v - 0.5 };
	// `as` truncates toward zero and saturates (NaN -> 0), which with the ±0.5 above rounds
	// half away from zero.
	(rounded as i64).clamp(-128, 127) as i8
}

/// Real value of a quantized one: `q · scale`.
pub fn dequantize(q: i8, scale: f32) -> f32 {
	f32::from(q) * scale
}

/// Output `(height, width)` of a window of `k` with `stride` and `pad` over `n`, or `None` when
/// the window does not fit or a parameter is zero.
fn window_out(n: u32, k: u32, stride: u32, pad: u32) -> Option<u32> {
	if k == 0 || stride == 0 {
		return None;
	}
	let padded = u64::from(n) + 2 * u64::from(pad);
	if padded < u64::from(k) {
		return None;
	}
	u32::try_from((padded - u64::from(k)) / u64::from(stride) + 1).ok()
}

fn elements(shape: &[u32]) -> u64 {
	shape.iter().fold(1u64, |acc, d| acc.saturating_mul(u64::from(*d)))
}

/// Checks the accumulator bound for one output: `Σ |w|·128 + |bias| ≤ i32::MAX`.
fn accumulator_fits(weights: &[i8], bias: i32) -> bool {
	let sum: i64 =
		weights.iter().map(|w| i64::from(*w).abs() * 128).sum::<i64>() + i64::from(bias).abs();
	sum <= i64::from(i32::MAX)
}

fn check_requant(requant: Requant) -> Result<(), &'static str> {
	if requant.multiplier < 0 {
		return Err("negative requantization multiplier");
	}
	if requant.shift > MAX_SHIFT {
		return Err("requantization shift above 62");
	}
	Ok(())
}

fn check_scale(bits: u32) -> bool {
	let scale = f32::from_bits(bits);
	scale.is_finite() && scale > 0.0
}

impl Int8Model {
	/// The input scale.
	pub fn input_scale(&self) -> f32 {
		f32::from_bits(self.input_scale_bits)
	}

	/// The output scale.
	pub fn output_scale(&self) -> f32 {
		f32::from_bits(self.output_scale_bits)
	}

	/// Elements of one input sample.
	pub fn input_len(&self) -> usize {
		elements(&self.input_shape) as usize
	}

	/// Checks every shape, length and bound; returns the activation shape after each layer
	/// (`shapes[0]` is the input shape, `shapes[i + 1]` the output of layer `i`).
	pub fn validate(&self) -> Result<Vec<Vec<u32>>, InvalidModel> {
		let model_err = |reason| InvalidModel { layer: None, reason };
		if !check_scale(self.input_scale_bits) {
			return Err(model_err("input scale is not a positive finite number"));
		}
		if !check_scale(self.output_scale_bits) {
			return Err(model_err("output scale is not a positive finite number"));
		}
		if self.input_shape.is_empty() || self.input_shape.len() > 3 || self.input_shape.len() == 2
		{
			return Err(model_err("input shape must be [features] or [channels, height, width]"));
		}
		if self.input_shape.contains(&0) {
			return Err(model_err("input shape has a zero dimension"));
		}
		if elements(&self.input_shape) > MAX_ACTIVATION_ELEMENTS {
			return Err(model_err("input too large"));
		}
		if self.layers.is_empty() {
			return Err(model_err("no layers"));
		}
		if self.layers.len() > MAX_LAYERS {
			return Err(model_err("too many layers"));
		}
		let mut shapes = Vec::with_capacity(self.layers.len() + 1);
		shapes.push(self.input_shape.clone());
		for (index, layer) in self.layers.iter().enumerate() {
			let err = |reason| InvalidModel { layer: Some(index), reason };
			let shape = shapes.last().expect("starts non-empty");
			let next = match layer {
				Layer::Dense(d) => {
					if shape.len() != 1 {
						return Err(err("dense input must be 1-d (add a Flatten)"));
					}
					if shape[0] != d.in_features {
						return Err(err("dense in_features does not match its input"));
					}
					if d.out_features == 0 {
						return Err(err("dense with zero outputs"));
					}
					let count = u64::from(d.in_features) * u64::from(d.out_features);
					if d.weights.len() as u64 != count {
						return Err(err("dense weights length is not out_features × in_features"));
					}
					if d.bias.len() as u64 != u64::from(d.out_features) {
						return Err(err("dense bias length is not out_features"));
					}
					check_requant(d.requant).map_err(err)?;
					let row = d.in_features as usize;
					for (o, bias) in d.bias.iter().enumerate() {
						if !accumulator_fits(&d.weights[o * row..(o + 1) * row], *bias) {
							return Err(err("dense accumulator could overflow i32"));
						}
					}
					vec![d.out_features]
				},
				Layer::Conv2d(c) => {
					if shape.len() != 3 {
						return Err(err("conv2d input must be [channels, height, width]"));
					}
					if shape[0] != c.in_channels {
						return Err(err("conv2d in_channels does not match its input"));
					}
					if c.out_channels == 0 {
						return Err(err("conv2d with zero output channels"));
					}
					let oh = window_out(shape[1], c.kernel_h, c.stride_h, c.pad_h).ok_or(err(
						"conv2d kernel, stride or padding does not fit the input height",
					))?;
					let ow = window_out(shape[2], c.kernel_w, c.stride_w, c.pad_w).ok_or(err(
						"conv2d kernel, stride or padding does not fit the input width",
					))?;
					let per_out =
						u64::from(c.in_channels) * u64::from(c.kernel_h) * u64::from(c.kernel_w);
					if per_out > MAX_ACTIVATION_ELEMENTS {
						return Err(err("conv2d kernel too large"));
					}
					if c.weights.len() as u64 != per_out * u64::from(c.out_channels) {
						return Err(err("conv2d weights length is not out × in × kh × kw"));
					}
					if c.bias.len() as u64 != u64::from(c.out_channels) {
						return Err(err("conv2d bias length is not out_channels"));
					}
					check_requant(c.requant).map_err(err)?;
					let per_out = per_out as usize;
					for (o, bias) in c.bias.iter().enumerate() {
						if !accumulator_fits(&c.weights[o * per_out..(o + 1) * per_out], *bias) {
							return Err(err("conv2d accumulator could overflow i32"));
						}
					}
					vec![c.out_channels, oh, ow]
				},
				Layer::Relu => shape.clone(),
				Layer::Flatten => vec![elements(shape) as u32],
				Layer::MaxPool2d(p) => {
					if shape.len() != 3 {
						return Err(err("maxpool2d input must be [channels, height, width]"));
					}
					let oh = window_out(shape[1], p.kernel_h, p.stride_h, 0)
						.ok_or(err("maxpool2d window or stride does not fit the input height"))?;
					let ow = window_out(shape[2], p.kernel_w, p.stride_w, 0)
						.ok_or(err("maxpool2d window or stride does not fit the input width"))?;
					vec![shape[0], oh, ow]
				},
			};
			if elements(&next) > MAX_ACTIVATION_ELEMENTS {
				return Err(err("activation too large"));
			}
			shapes.push(next);
		}
		Ok(shapes)
	}

	/// Runs one sample with the reference operations. The model must be valid
	/// ([`Int8Model::validate`]; [`decode_file`] already did) and `input.len()` equal to
	/// [`Int8Model::input_len`], else `None`.
	pub fn forward(&self, input: &[i8]) -> Option<Vec<i8>> {
		let shapes = self.validate().ok()?;
		if input.len() != self.input_len() {
			return None;
		}
		let mut x = input.to_vec();
		for (layer, shape) in self.layers.iter().zip(&shapes) {
			x = apply_layer(layer, shape, &x);
		}
		Some(x)
	}
}

/// Applies one validated layer to one sample whose shape is `shape`.
pub fn apply_layer(layer: &Layer, shape: &[u32], x: &[i8]) -> Vec<i8> {
	match layer {
		Layer::Dense(d) => {
			let mut out = vec![0i8; d.out_features as usize];
			dense(d, x, &mut out);
			out
		},
		Layer::Conv2d(c) => {
			let oh = window_out(shape[1], c.kernel_h, c.stride_h, c.pad_h).unwrap_or(0);
			let ow = window_out(shape[2], c.kernel_w, c.stride_w, c.pad_w).unwrap_or(0);
			let mut out = vec![0i8; (c.out_channels * oh * ow) as usize];
			conv2d(c, [shape[1], shape[2]], x, &mut out);
			out
		},
		Layer::Relu => x.iter().map(|v| (*v).max(0)).collect(),
		Layer::Flatten => x.to_vec(),
		Layer::MaxPool2d(p) => maxpool2d(*p, [shape[0], shape[1], shape[2]], x),
	}
}

/// Dense on one sample: `out[o] = requantize(bias[o] + Σ w[o][i]·x[i])`.
pub fn dense(layer: &Dense, x: &[i8], out: &mut [i8]) {
	let row = layer.in_features as usize;
	for (o, slot) in out.iter_mut().enumerate().take(layer.out_features as usize) {
		let weights = &layer.weights[o * row..(o + 1) * row];
		let acc = weights
			.iter()
			.zip(x)
			.fold(layer.bias[o], |acc, (w, v)| acc.wrapping_add(i32::from(*w) * i32::from(*v)));
		*slot = requantize(acc, layer.requant, layer.relu);
	}
}

/// Conv2d on one `[C, H, W]` sample (`hw` = `[H, W]`) into `[O, OH, OW]`.
pub fn conv2d(layer: &Conv2d, hw: [u32; 2], x: &[i8], out: &mut [i8]) {
	let (h, w) = (hw[0] as i64, hw[1] as i64);
	let (kh, kw) = (layer.kernel_h as usize, layer.kernel_w as usize);
	let oh = window_out(hw[0], layer.kernel_h, layer.stride_h, layer.pad_h).unwrap_or(0) as usize;
	let ow = window_out(hw[1], layer.kernel_w, layer.stride_w, layer.pad_w).unwrap_or(0) as usize;
	let ic = layer.in_channels as usize;
	for o in 0..layer.out_channels as usize {
		for oy in 0..oh {
			for ox in 0..ow {
				let mut acc = layer.bias[o];
				for c in 0..ic {
					for ky in 0..kh {
						let iy = (oy * layer.stride_h as usize + ky) as i64 - layer.pad_h as i64;
						if iy < 0 || iy >= h {
							continue;
						}
						for kx in 0..kw {
							let ix =
								(ox * layer.stride_w as usize + kx) as i64 - layer.pad_w as i64;
							if ix < 0 || ix >= w {
								continue;
							}
							let wv = layer.weights[((o * ic + c) * kh + ky) * kw + kx];
							let xv = x[(c * h as usize + iy as usize) * w as usize + ix as usize];
							acc = acc.wrapping_add(i32::from(wv) * i32::from(xv));
						}
					}
				}
				out[(o * oh + oy) * ow + ox] = requantize(acc, layer.requant, layer.relu);
			}
		}
	}
}

/// Max pooling on one `[C, H, W]` sample.
pub fn maxpool2d(p: MaxPool2d, chw: [u32; 3], x: &[i8]) -> Vec<i8> {
	let (c, h, w) = (chw[0] as usize, chw[1] as usize, chw[2] as usize);
	let oh = window_out(chw[1], p.kernel_h, p.stride_h, 0).unwrap_or(0) as usize;
	let ow = window_out(chw[2], p.kernel_w, p.stride_w, 0).unwrap_or(0) as usize;
	let mut out = vec![0i8; c * oh * ow];
	for ch in 0..c {
		for oy in 0..oh {
			for ox in 0..ow {
				let mut best = i8::MIN;
				for ky in 0..p.kernel_h as usize {
					for kx in 0..p.kernel_w as usize {
						let iy = oy * p.stride_h as usize + ky;
						let ix = ox * p.stride_w as usize + kx;
						best = best.max(x[(ch * h + iy) * w + ix]);
					}
				}
				out[(ch * oh + oy) * ow + ox] = best;
			}
		}
	}
	out
}

/// Requantization parameters for a real factor `m > 0` (`in_scale · w_scale / out_scale`):
/// `multiplier ∈ [2^30, 2^31)` and `shift` with `multiplier / 2^shift ≈ m`. Factors too small
/// for shift 62 use shift 62 with a smaller multiplier; `None` for `m ≥ 2^31`, zero or non-finite.
pub fn requant_for(m: f64) -> Option<Requant> {
	if !(m.is_finite() && m > 0.0) || m >= 2147483648.0 {
		return None;
	}
	// Find e with m · 2^e ∈ [2^30, 2^31).
	let mut shift: i32 = 0;
	let mut scaled = m;
	while scaled < 1073741824.0 && shift < i32::from(MAX_SHIFT) {
		scaled *= 2.0;
		shift += 1;
	}
	while scaled >= 2147483648.0 {
		scaled /= 2.0;
		shift -= 1;
	}
	if shift < 0 {
		return None;
	}
	let mut multiplier = (scaled + 0.5) as i64; // scaled > 0: rounds half up.
	if multiplier >= 1i64 << 31 {
		if shift == 0 {
			return None;
		}
		multiplier >>= 1;
		shift -= 1;
	}
	Some(Requant { multiplier: multiplier as i32, shift: shift as u8 })
}

#[cfg(test)]
mod tests {
	use super::*;

	fn rq(multiplier: i32, shift: u8) -> Requant {
		Requant { multiplier, shift }
	}

	#[test]
	fn requantize_known_answers() {
		// 1/2 as 2^30 / 2^31.
		let half = rq(1 << 30, 31);
		assert_eq!(requantize(10, half, false), 5);
		assert_eq!(requantize(3, half, false), 2); // 1.5 -> 2 (away from zero)
		assert_eq!(requantize(-3, half, false), -2); // -1.5 -> -2
		assert_eq!(requantize(1, half, false), 1); // 0.5 -> 1
		assert_eq!(requantize(-1, half, false), -1);
		assert_eq!(requantize(-1, half, true), 0);
		// Saturation.
		assert_eq!(requantize(1000, half, false), 127);
		assert_eq!(requantize(-1000, half, false), -128);
		assert_eq!(requantize(-1000, half, true), 0);
		// 0.75 = 3·2^29 / 2^31: 7·0.75 = 5.25 -> 5, 10·0.75 = 7.5 -> 8, -10 -> -8.
		let three_quarters = rq(3 << 29, 31);
		assert_eq!(requantize(7, three_quarters, false), 5);
		assert_eq!(requantize(10, three_quarters, false), 8);
		assert_eq!(requantize(-10, three_quarters, false), -8);
		// Shift 0 is a plain multiply.
		assert_eq!(requantize(-7, rq(3, 0), false), -21);
		// Extremes stay exact in i64.
		assert_eq!(requantize(i32::MAX, rq(i32::MAX, 62), false), 1);
		assert_eq!(requantize(i32::MIN, rq(i32::MAX, 62), false), -1);
		assert_eq!(requantize(i32::MIN, rq(i32::MAX, 0), false), -128);
		assert_eq!(requantize(i32::MAX, rq(i32::MAX, 0), true), 127);
	}

	#[test]
	fn rounding_shift_matches_exact_division() {
		for x in -1000i64..=1000 {
			for shift in 0u8..6 {
				let d = (1i64 << shift) as f64;
				let exact = x as f64 / d;
				let expected =
					if exact >= 0.0 { (exact + 0.5).floor() } else { -((-exact + 0.5).floor()) };
				assert_eq!(rounding_shift(x, shift), expected as i64, "x={x} shift={shift}");
			}
		}
	}

	#[test]
	fn requant_for_round_trips_the_factor() {
		for m in [0.5f64, 0.001234, 1.0, 3.75, 1e-9, 0.9999999999, 12345.678] {
			let r = requant_for(m).unwrap();
			assert!(r.multiplier >= 1 << 30, "{m}: {r:?}");
			let back = f64::from(r.multiplier) / 2f64.powi(i32::from(r.shift));
			assert!((back - m).abs() / m < 1e-9, "{m} -> {back}");
		}
		assert_eq!(requant_for(0.5), Some(rq(1 << 30, 31)));
		assert_eq!(requant_for(1.0), Some(rq(1 << 30, 30)));
		assert!(requant_for(0.0).is_none());
		assert!(requant_for(f64::NAN).is_none());
		assert!(requant_for(3e9).is_none());
		// Tiny factors use the largest shift with a smaller multiplier.
		let tiny = requant_for(1e-20).unwrap();
		assert_eq!(tiny.shift, MAX_SHIFT);
		assert!(tiny.multiplier < 1 << 30);
	}

	#[test]
	fn quantize_rounds_half_away_and_clamps() {
		assert_eq!(quantize(0.5, 1.0), 1);
		assert_eq!(quantize(-0.5, 1.0), -1);
		assert_eq!(quantize(0.49999997, 1.0), 0);
		assert_eq!(quantize(2.4, 0.5), 5);
		assert_eq!(quantize(1e9, 1.0), 127);
		assert_eq!(quantize(-1e9, 1.0), -128);
		assert_eq!(quantize(f32::NAN, 1.0), 0);
		assert_eq!(dequantize(-3, 0.25), -0.75);
	}

	fn small_model() -> Int8Model {
		Int8Model {
			input_shape: vec![1, 4, 4],
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
					weights: (0..18).map(|i| (i as i8) - 9).collect(),
					bias: vec![10, -10],
					requant: rq(1 << 30, 33),
					relu: true,
				}),
				Layer::MaxPool2d(MaxPool2d { kernel_h: 2, kernel_w: 2, stride_h: 2, stride_w: 2 }),
				Layer::Flatten,
				Layer::Dense(Dense {
					in_features: 8,
					out_features: 3,
					weights: (0..24).map(|i| ((i * 7) % 11) as i8 - 5).collect(),
					bias: vec![0, 100, -100],
					requant: rq(1 << 30, 32),
					relu: false,
				}),
			],
			output_scale_bits: 0.1f32.to_bits(),
		}
	}

	#[test]
	fn file_round_trip_and_errors() {
		let model = small_model();
		let shapes = model.validate().unwrap();
		assert_eq!(shapes, vec![vec![1, 4, 4], vec![2, 4, 4], vec![2, 2, 2], vec![8], vec![3]]);
		let bytes = encode_file(&model);
		assert_eq!(&bytes[..8], b"VERITYI8");
		assert_eq!(bytes[8], FORMAT_VERSION);
		assert_eq!(decode_file(&bytes).unwrap(), model);

		let mut bad = bytes.clone();
		bad[0] = b'X';
		assert_eq!(decode_file(&bad), Err(FormatError::BadMagic));
		assert_eq!(decode_file(b"VERITYI8"), Err(FormatError::Truncated));
		assert_eq!(decode_file(b"VERIT"), Err(FormatError::BadMagic));
		let mut bad = bytes.clone();
		bad[8] = 2;
		assert_eq!(decode_file(&bad), Err(FormatError::UnsupportedVersion(2)));
		let mut bad = bytes.clone();
		bad.push(0);
		assert_eq!(decode_file(&bad), Err(FormatError::TrailingBytes(1)));
		assert_eq!(decode_file(&bytes[..bytes.len() - 1]), Err(FormatError::Decode));
		// Every truncation fails cleanly, never panics.
		for cut in 0..bytes.len() {
			assert!(decode_file(&bytes[..cut]).is_err());
		}
	}

	#[test]
	fn inconsistent_models_are_rejected() {
		let check = |edit: &dyn Fn(&mut Int8Model), layer: Option<usize>, reason: &str| {
			let mut model = small_model();
			edit(&mut model);
			let err = decode_file(&encode_file(&model)).unwrap_err();
			match err {
				FormatError::Invalid(why) => {
					assert_eq!(why.layer, layer, "{why}");
					assert!(why.reason.contains(reason), "{why}");
				},
				other => panic!("{other:?}"),
			}
		};
		fn dense(m: &mut Int8Model) -> &mut Dense {
			match &mut m.layers[3] {
				Layer::Dense(d) => d,
				_ => unreachable!(),
			}
		}
		fn conv(m: &mut Int8Model) -> &mut Conv2d {
			match &mut m.layers[0] {
				Layer::Conv2d(c) => c,
				_ => unreachable!(),
			}
		}
		check(
			&|m| {
				dense(m).weights.pop();
			},
			Some(3),
			"weights length",
		);
		check(&|m| dense(m).bias.push(1), Some(3), "bias length");
		check(&|m| dense(m).in_features = 9, Some(3), "in_features");
		check(&|m| dense(m).requant.multiplier = -1, Some(3), "negative");
		check(&|m| dense(m).requant.shift = 63, Some(3), "shift");
		check(&|m| dense(m).bias[0] = i32::MAX - 10, Some(3), "overflow");
		check(&|m| conv(m).weights.push(0), Some(0), "weights length");
		check(&|m| conv(m).stride_h = 0, Some(0), "height");
		check(&|m| conv(m).kernel_w = 9, Some(0), "width");
		check(&|m| conv(m).in_channels = 3, Some(0), "in_channels");
		check(&|m| m.layers.swap(2, 3), Some(2), "1-d");
		check(&|m| m.input_scale_bits = f32::NAN.to_bits(), None, "input scale");
		check(&|m| m.output_scale_bits = 0f32.to_bits(), None, "output scale");
		check(&|m| m.input_shape = vec![1, 4], None, "input shape");
		check(&|m| m.layers.clear(), None, "no layers");
	}

	#[test]
	fn forward_known_answer() {
		// Dense 2 -> 2 with factor 1/2 and ReLU on, then a Relu layer.
		let model = Int8Model {
			input_shape: vec![2],
			input_scale_bits: 1f32.to_bits(),
			layers: vec![Layer::Dense(Dense {
				in_features: 2,
				out_features: 2,
				weights: vec![1, 2, -3, 4],
				bias: vec![1, -2],
				requant: rq(1 << 30, 31),
				relu: false,
			})],
			output_scale_bits: 1f32.to_bits(),
		};
		// [5, -7]: o0 = 1 + 5 - 14 = -8 -> -4; o1 = -2 - 15 - 28 = -45 -> -22.5 -> -23.
		assert_eq!(model.forward(&[5, -7]).unwrap(), vec![-4, -23]);
		assert!(model.forward(&[5]).is_none());

		// Conv 1x3x3 with a 2x2 all-ones kernel, stride 1, no pad, factor 1: window sums.
		let conv = Int8Model {
			input_shape: vec![1, 3, 3],
			input_scale_bits: 1f32.to_bits(),
			layers: vec![
				Layer::Conv2d(Conv2d {
					in_channels: 1,
					out_channels: 1,
					kernel_h: 2,
					kernel_w: 2,
					stride_h: 1,
					stride_w: 1,
					pad_h: 0,
					pad_w: 0,
					weights: vec![1; 4],
					bias: vec![0],
					requant: rq(1, 0),
					relu: false,
				}),
				Layer::Relu,
			],
			output_scale_bits: 1f32.to_bits(),
		};
		assert_eq!(conv.forward(&[1, 2, 3, 4, 5, 6, 7, 8, -90]).unwrap(), vec![12, 16, 24, 0]);
		// With padding 1 the corners see one input each.
		let mut padded = conv.clone();
		if let Layer::Conv2d(c) = &mut padded.layers[0] {
			c.pad_h = 1;
			c.pad_w = 1;
			c.stride_h = 2;
			c.stride_w = 2;
		}
		assert_eq!(padded.validate().unwrap().last().unwrap(), &vec![1, 2, 2]);
		assert_eq!(padded.forward(&[1, 2, 3, 4, 5, 6, 7, 8, 9]).unwrap(), vec![1, 5, 11, 28]);
	}
}
