//! The R1CS circuit of an int8 model (weights are circuit constants).
//!
//! See the crate documentation for the public-input layout, the constraint counts and the
//! soundness argument. In short: every activation is an integer in `[-128, 127]` that the
//! constraints determine uniquely from the (range-checked) input bytes, layer by layer, and the
//! packed output public inputs are tied to the last activations, so a claimed output other than
//! the engine's leaves the system unsatisfiable.
//!
//! Integer bookkeeping: linear combinations carry `i128` coefficients (every coefficient here is
//! below `2^64` in magnitude) and are converted to field elements when a constraint is enforced.
//! Every value range is computed at compile time (interval analysis over the model, starting
//! from `[-128, 127]` for each input), which gives tight bit widths.

use crate::prover::ProveError;
use alloc::{vec, vec::Vec};
use ark_bls12_381::Fr;
use ark_ff::{Field, One, Zero};
use ark_relations::gr1cs::{
	ConstraintSynthesizer, ConstraintSystem, ConstraintSystemRef, LinearCombination,
	SynthesisError, Variable,
};
use verity_int8_format::{requantize, Conv2d, Dense, Int8Model, Layer, MaxPool2d, Requant};

type R<T> = Result<T, SynthesisError>;

/// `v` as a field element.
fn fr(v: i128) -> Fr {
	if v < 0 {
		-Fr::from(v.unsigned_abs())
	} else {
		Fr::from(v as u128)
	}
}

/// Number of bits of `v` (`0` for `0`).
fn bitlen(v: u128) -> u32 {
	128 - v.leading_zeros()
}

/// A linear combination with integer coefficients.
#[derive(Clone, Debug, Default)]
struct Lc {
	terms: Vec<(i128, Variable)>,
	constant: i128,
}

impl Lc {
	fn var(v: Variable) -> Self {
		Lc { terms: vec![(1, v)], constant: 0 }
	}

	fn constant(c: i128) -> Self {
		Lc { terms: Vec::new(), constant: c }
	}

	/// `self += k · other`.
	fn add_scaled(&mut self, other: &Lc, k: i128) {
		if k == 0 {
			return;
		}
		self.terms.extend(other.terms.iter().map(|(c, v)| (c * k, *v)));
		self.constant += other.constant * k;
	}

	fn scaled(&self, k: i128) -> Lc {
		let mut out = Lc::default();
		out.add_scaled(self, k);
		out
	}

	fn plus(mut self, other: &Lc, k: i128) -> Lc {
		self.add_scaled(other, k);
		self
	}

	/// Binary weighted sum `Σ 2^(shift + i) · bits[i]`.
	fn from_bits(bits: &[Variable], shift: u32) -> Lc {
		Lc {
			terms: bits
				.iter()
				.enumerate()
				.map(|(i, b)| (1i128 << (shift + i as u32), *b))
				.collect(),
			constant: 0,
		}
	}

	fn to_ark(&self) -> LinearCombination<Fr> {
		self.to_ark_scaled(Fr::one())
	}

	fn to_ark_scaled(&self, scale: Fr) -> LinearCombination<Fr> {
		let mut terms = Vec::with_capacity(self.terms.len() + 1);
		terms.extend(self.terms.iter().map(|(c, v)| (fr(*c) * scale, *v)));
		if self.constant != 0 {
			terms.push((fr(self.constant) * scale, Variable::One));
		}
		LinearCombination(terms)
	}
}

/// One activation: its linear combination, its value when proving, and its compile-time range.
#[derive(Clone, Debug)]
struct Act {
	lc: Lc,
	value: Option<i64>,
	lo: i64,
	hi: i64,
}

impl Act {
	fn constant(c: i64) -> Self {
		Act { lc: Lc::constant(c.into()), value: Some(c), lo: c, hi: c }
	}
}

/// A sign that is either known at compile time or a boolean witness.
#[derive(Clone, Copy)]
enum Sign {
	Const(bool),
	Var(Variable),
}

/// Synthesis context: the constraint system and whether values are being assigned.
struct Ctx {
	cs: ConstraintSystemRef<Fr>,
}

impl Ctx {
	fn alloc(&self, value: Option<i128>) -> R<Variable> {
		self.cs.new_witness_variable(|| value.map(fr).ok_or(SynthesisError::AssignmentMissing))
	}

	fn alloc_fr(&self, value: Option<Fr>) -> R<Variable> {
		self.cs.new_witness_variable(|| value.ok_or(SynthesisError::AssignmentMissing))
	}

	/// `a · b = c`.
	fn enforce(&self, a: &Lc, b: &Lc, c: &Lc) -> R<()> {
		self.cs.enforce_r1cs_constraint(|| a.to_ark(), || b.to_ark(), || c.to_ark())
	}

	/// `lc = 0` (one linear constraint).
	fn enforce_zero(&self, lc: &Lc) -> R<()> {
		self.cs.enforce_r1cs_constraint(
			|| lc.to_ark(),
			|| Variable::One.into(),
			LinearCombination::zero,
		)
	}

	/// `n` boolean witnesses holding the low `n` bits of `value` (one constraint each).
	fn bits(&self, value: Option<u128>, n: u32) -> R<Vec<Variable>> {
		(0..n)
			.map(|i| {
				let bit = self.alloc(value.map(|v| ((v >> i) & 1) as i128))?;
				let lc = Lc::var(bit);
				self.enforce(&lc, &lc, &lc)?;
				Ok(bit)
			})
			.collect()
	}

	/// A boolean witness (one constraint).
	fn bit(&self, value: Option<bool>) -> R<Variable> {
		Ok(self.bits(value.map(u128::from), 1)?[0])
	}

	/// `x · (1 - 2·sgn) = D - half`, `D = q·2^shift + r`, then rounding and saturation.
	/// `acc_range` bounds the accumulator over every input the model can see.
	fn requantize(
		&self,
		acc: &Lc,
		acc_value: Option<i64>,
		acc_range: (i64, i64),
		requant: Requant,
		relu: bool,
	) -> R<Act> {
		let (amin, amax) = acc_range;
		let engine = |a: i64| i64::from(requantize(a as i32, requant, relu));
		let value = acc_value.map(engine);
		let (lo, hi) = (engine(amin), engine(amax));
		let m = i128::from(requant.multiplier);
		if m == 0 || lo == hi {
			// The output does not depend on the accumulator (requantize is monotone in it).
			return Ok(Act::constant(lo));
		}
		let s = u32::from(requant.shift);
		let half: i128 = if s > 0 { 1 << (s - 1) } else { 0 };
		let abs_max = i128::from(amin.unsigned_abs().max(amax.unsigned_abs()));
		let q_bits = bitlen(((abs_max * m + half) >> s) as u128);

		// Sign of the accumulator (of P = m · acc, as m > 0).
		let sign = if amin >= 0 {
			Sign::Const(false)
		} else if amax < 0 {
			Sign::Const(true)
		} else {
			Sign::Var(self.bit(acc_value.map(|a| a < 0))?)
		};

		// D = |P| + half = q · 2^s + r, 0 ≤ r < 2^s, q < 2^q_bits. When m = 2^z·odd the low
		// min(z, s) bits of D are those of `half` (|P| is a multiple of 2^z), so they are fixed.
		let fixed = m.trailing_zeros().min(s);
		let r_fixed = half & ((1i128 << fixed) - 1);
		let d_value = acc_value.map(|a| (i128::from(a).abs() * m + half) as u128);
		let q_value = d_value.map(|d| d >> s);
		let r_value = d_value.map(|d| (d & ((1u128 << s) - 1)) >> fixed);
		debug_assert!(d_value.is_none_or(|d| d as i128 & ((1i128 << fixed) - 1) == r_fixed));
		let q = self.bits(q_value, q_bits)?;
		let r = self.bits(r_value, s - fixed)?;
		let d =
			Lc::from_bits(&q, s).plus(&Lc::from_bits(&r, fixed), 1).plus(&Lc::constant(r_fixed), 1);

		// Main constraint: P · (1 - 2·sgn) = D - half.
		let p = acc.scaled(m);
		let d_minus_half = d.clone().plus(&Lc::constant(-half), 1);
		match sign {
			Sign::Const(negative) => {
				let sign = if negative { -1 } else { 1 };
				self.enforce_zero(&p.scaled(sign).plus(&d_minus_half, -1))?;
			},
			Sign::Var(sgn) => {
				let factor = Lc::constant(1).plus(&Lc::var(sgn), -2);
				self.enforce(&p, &factor, &d_minus_half)?;
				// With a wrong sign bit, D = half - |P|, which is a valid decomposition only when
				// |P| ≤ half, and then q = 0 and the output is 0: the right answer unless
				// |P| = half exactly (a tie, whose honest output is ±1). Then D = 0, while an
				// honest D is at least half > 0, so D ≠ 0 rules it out. A tie needs
				// m · |acc| = 2^(s-1), i.e. m a power of two 2^z with z < s and
				// |acc| = 2^(s-1-z) reachable; otherwise the check is not needed.
				let is_pow2 = m.count_ones() == 1;
				let tie_reachable = s >= 1
					&& is_pow2 && (m.trailing_zeros() < s)
					&& (1i128 << (s - 1 - m.trailing_zeros())) <= abs_max;
				if tie_reachable {
					let inv = self.alloc_fr(d_value.map(|d| {
						Fr::from(d).inverse().unwrap_or_else(Fr::zero) // d ≥ half > 0
					}))?;
					self.enforce(&d, &Lc::var(inv), &Lc::constant(1))?;
				}
			},
		}

		// Saturation: lo = bits 0..7 of q, hi = the rest; nz = (hi ≠ 0); c = min(q, 127).
		let lo_bits = &q[..q.len().min(7)];
		let hi_bits = &q[q.len().min(7)..];
		let lo_lc = Lc::from_bits(lo_bits, 0);
		let q_lo_value = q_value.map(|q| (q & 127) as i128);
		let hi_value = q_value.map(|q| q >> 7);
		let nz: Option<(Lc, Option<bool>)> = match hi_bits.len() {
			0 => None,
			1 => Some((Lc::var(hi_bits[0]), hi_value.map(|h| h != 0))),
			_ => {
				// is-zero gadget: hi · inv = nz, hi · (1 - nz) = 0.
				let hi_lc = Lc::from_bits(hi_bits, 0);
				let nz_value = hi_value.map(|h| h != 0);
				let nz = self.alloc(nz_value.map(i128::from))?;
				let inv = self
					.alloc_fr(hi_value.map(|h| Fr::from(h).inverse().unwrap_or_else(Fr::zero)))?;
				self.enforce(&hi_lc, &Lc::var(inv), &Lc::var(nz))?;
				self.enforce(&hi_lc, &Lc::constant(1).plus(&Lc::var(nz), -1), &Lc::default())?;
				Some((Lc::var(nz), nz_value))
			},
		};
		let (c, c_value, nz_lc, nz_value) = match nz {
			None => (lo_lc, q_lo_value, Lc::default(), Some(false)),
			Some((nz_lc, nz_value)) => {
				// m_var = nz · (127 - lo); c = lo + m_var.
				let m_value = nz_value.zip(q_lo_value).map(|(n, l)| if n { 127 - l } else { 0 });
				let m_var = self.alloc(m_value)?;
				let rest = Lc::constant(127).plus(&lo_lc, -1);
				self.enforce(&nz_lc, &rest, &Lc::var(m_var))?;
				let c_value = q_lo_value.zip(m_value).map(|(l, m)| l + m);
				(lo_lc.plus(&Lc::var(m_var), 1), c_value, nz_lc, nz_value)
			},
		};
		debug_assert!(c_value.zip(q_value).is_none_or(|(c, q)| c == (q as i128).min(127)));
		let _ = nz_value;

		let out = match (sign, relu) {
			(Sign::Const(false), _) => c,
			(Sign::Const(true), true) => Lc::default(),
			(Sign::Const(true), false) => c.scaled(-1).plus(&nz_lc, -1),
			(Sign::Var(sgn), true) => {
				// out = c - sgn · c.
				let out = self.alloc(value.map(i128::from))?;
				self.enforce(&Lc::var(sgn), &c, &c.clone().plus(&Lc::var(out), -1))?;
				Lc::var(out)
			},
			(Sign::Var(sgn), false) => {
				// out = c - sgn · (2c + nz): -min(q, 128) when negative.
				let out = self.alloc(value.map(i128::from))?;
				let t = c.scaled(2).plus(&nz_lc, 1);
				self.enforce(&Lc::var(sgn), &t, &c.clone().plus(&Lc::var(out), -1))?;
				Lc::var(out)
			},
		};
		Ok(Act { lc: out, value, lo, hi })
	}

	/// `max(x, 0)` of an int8 activation.
	fn relu(&self, x: &Act) -> R<Act> {
		if x.lo >= 0 {
			return Ok(x.clone());
		}
		if x.hi <= 0 {
			return Ok(Act::constant(0));
		}
		// x + 128 = Σ 2^k b_k (8 bits); b_7 = [x ≥ 0]; y = b_7 · x.
		let bits = self.bits(x.value.map(|v| (v + 128) as u128), 8)?;
		self.enforce_zero(
			&x.lc.clone().plus(&Lc::constant(128), 1).plus(&Lc::from_bits(&bits, 0), -1),
		)?;
		let value = x.value.map(|v| v.max(0));
		let y = self.alloc(value.map(i128::from))?;
		self.enforce(&Lc::var(bits[7]), &x.lc, &Lc::var(y))?;
		Ok(Act { lc: Lc::var(y), value, lo: 0, hi: x.hi })
	}

	/// Maximum of a window of int8 activations: `y - x_j ∈ [0, 2^n)` for all j, `Π (y - x_j) = 0`.
	fn max(&self, xs: &[&Act]) -> R<Act> {
		if xs.len() == 1 {
			return Ok(xs[0].clone());
		}
		let lo = xs.iter().map(|x| x.lo).max().unwrap_or(0);
		let hi = xs.iter().map(|x| x.hi).max().unwrap_or(0);
		let value = xs
			.iter()
			.map(|x| x.value)
			.collect::<Option<Vec<_>>>()
			.map(|v| v.into_iter().max().unwrap_or(0));
		let y = self.alloc(value.map(i128::from))?;
		let mut diffs = Vec::with_capacity(xs.len());
		for x in xs {
			let n = bitlen((hi - x.lo) as u128);
			let diff_value = value.zip(x.value).map(|(y, x)| (y - x) as u128);
			let bits = self.bits(diff_value, n)?;
			let diff = Lc::from_bits(&bits, 0);
			self.enforce_zero(&Lc::var(y).plus(&x.lc, -1).plus(&diff, -1))?;
			diffs.push((diff, diff_value));
		}
		let (mut acc, mut acc_value) = diffs[0].clone();
		for (i, (diff, diff_value)) in diffs.iter().enumerate().skip(1) {
			if i + 1 == diffs.len() {
				self.enforce(&acc, diff, &Lc::default())?;
			} else {
				let product = acc_value.zip(*diff_value).map(|(a, b)| a * b);
				let p = self.alloc(product.map(|p| p as i128))?;
				self.enforce(&acc, diff, &Lc::var(p))?;
				acc = Lc::var(p);
				acc_value = product;
			}
		}
		Ok(Act { lc: Lc::var(y), value, lo, hi })
	}

	/// `bias + Σ w_i · x_i` with its value and range.
	fn accumulate<'x>(
		&self,
		bias: i32,
		terms: impl Iterator<Item = (i8, &'x Act)> + Clone,
	) -> (Lc, Option<i64>, (i64, i64)) {
		let mut lc = Lc { terms: Vec::new(), constant: i128::from(bias) };
		let mut value = Some(i64::from(bias));
		let (mut amin, mut amax) = (i64::from(bias), i64::from(bias));
		for (w, x) in terms {
			if w == 0 {
				continue;
			}
			let w = i64::from(w);
			lc.add_scaled(&x.lc, w.into());
			value = value.zip(x.value).map(|(acc, x)| acc + w * x);
			let (a, b) = (w * x.lo, w * x.hi);
			amin += a.min(b);
			amax += a.max(b);
		}
		(lc, value, (amin, amax))
	}

	fn dense(&self, d: &Dense, relu: bool, x: &[Act]) -> R<Vec<Act>> {
		let row = d.in_features as usize;
		(0..d.out_features as usize)
			.map(|o| {
				let weights = &d.weights[o * row..(o + 1) * row];
				let (acc, value, range) =
					self.accumulate(d.bias[o], weights.iter().copied().zip(x.iter()));
				self.requantize(&acc, value, range, d.requant, relu)
			})
			.collect()
	}

	fn conv2d(&self, c: &Conv2d, relu: bool, shape: &[u32], x: &[Act]) -> R<Vec<Act>> {
		let (h, w) = (shape[1] as i64, shape[2] as i64);
		let (kh, kw, ic) = (c.kernel_h as usize, c.kernel_w as usize, c.in_channels as usize);
		let oh = ((h + 2 * c.pad_h as i64 - kh as i64) / c.stride_h as i64 + 1) as usize;
		let ow = ((w + 2 * c.pad_w as i64 - kw as i64) / c.stride_w as i64 + 1) as usize;
		let mut out = Vec::with_capacity(c.out_channels as usize * oh * ow);
		for o in 0..c.out_channels as usize {
			for oy in 0..oh {
				for ox in 0..ow {
					let mut window = Vec::with_capacity(ic * kh * kw);
					for ch in 0..ic {
						for ky in 0..kh {
							let iy = (oy * c.stride_h as usize + ky) as i64 - c.pad_h as i64;
							if iy < 0 || iy >= h {
								continue;
							}
							for kx in 0..kw {
								let ix = (ox * c.stride_w as usize + kx) as i64 - c.pad_w as i64;
								if ix < 0 || ix >= w {
									continue;
								}
								let wv = c.weights[((o * ic + ch) * kh + ky) * kw + kx];
								let xi = (ch * h as usize + iy as usize) * w as usize + ix as usize;
								window.push((wv, &x[xi]));
							}
						}
					}
					let (acc, value, range) = self.accumulate(c.bias[o], window.into_iter());
					out.push(self.requantize(&acc, value, range, c.requant, relu)?);
				}
			}
		}
		Ok(out)
	}

	fn maxpool(&self, p: &MaxPool2d, shape: &[u32], x: &[Act]) -> R<Vec<Act>> {
		let (ch, h, w) = (shape[0] as usize, shape[1] as usize, shape[2] as usize);
		let (kh, kw, sh, sw) =
			(p.kernel_h as usize, p.kernel_w as usize, p.stride_h as usize, p.stride_w as usize);
		let oh = (h - kh) / sh + 1;
		let ow = (w - kw) / sw + 1;
		let mut out = Vec::with_capacity(ch * oh * ow);
		for c in 0..ch {
			for oy in 0..oh {
				for ox in 0..ow {
					let mut window = Vec::with_capacity(kh * kw);
					for ky in 0..kh {
						for kx in 0..kw {
							window.push(&x[(c * h + oy * sh + ky) * w + ox * sw + kx]);
						}
					}
					out.push(self.max(&window)?);
				}
			}
		}
		Ok(out)
	}

	/// Allocates the public inputs for `bytes` packed values and returns their variables.
	fn packed_inputs(&self, len: usize, values: Option<&[i8]>) -> R<Vec<Variable>> {
		let packed = values.map(|v| {
			let mut out = Vec::new();
			crate::verifier::pack_into::<Fr>(v, &mut out);
			out
		});
		(0..crate::verifier::packed_len(len))
			.map(|i| {
				let value = packed.as_ref().map(|p| p[i]);
				self.cs.new_input_variable(|| value.ok_or(SynthesisError::AssignmentMissing))
			})
			.collect()
	}

	/// `chunk = Σ_j 256^j · (x_j + 128)` for each chunk of 31 activations.
	fn enforce_packing(&self, chunks: &[Variable], acts: &[Act]) -> R<()> {
		let base = Fr::from(256u64);
		for (chunk, part) in chunks.iter().zip(acts.chunks(crate::verifier::PACK_BYTES)) {
			let mut lc = LinearCombination::<Fr>(Vec::new());
			let mut scale = Fr::one();
			for x in part {
				let shifted = x.lc.clone().plus(&Lc::constant(128), 1);
				lc.0.extend(shifted.to_ark_scaled(scale).0);
				scale *= base;
			}
			lc.0.push((-Fr::one(), *chunk));
			self.cs.enforce_r1cs_constraint(
				|| lc,
				|| Variable::One.into(),
				LinearCombination::zero,
			)?;
		}
		Ok(())
	}
}

/// Values assigned when proving (absent in setup mode).
#[derive(Clone, Debug)]
struct Assignment {
	binding: [u8; 32],
	input: Vec<i8>,
	output: Vec<i8>,
}

/// The circuit of one model: "`output` is what the model computes on `input`, bound to
/// `binding`". Weights are constants, so each model version has its own circuit and setup.
///
/// Build it with [`ModelCircuit::for_setup`] (no values: key generation, counting) or
/// [`ModelCircuit::with_output`] (values: proving or checking). The witness is always generated
/// by re-running the model in integers from the input; the claimed output only sets the output
/// public inputs, so a claim other than the engine's output gives an unsatisfied system.
#[derive(Clone, Debug)]
pub struct ModelCircuit<'a> {
	model: &'a Int8Model,
	shapes: Vec<Vec<u32>>,
	assignment: Option<Assignment>,
}

impl<'a> ModelCircuit<'a> {
	/// A circuit without values, for the trusted setup and for counting constraints. Fails for a
	/// model that [`Int8Model::validate`] rejects.
	pub fn for_setup(model: &'a Int8Model) -> Result<Self, ProveError> {
		let shapes = model.validate().map_err(ProveError::InvalidModel)?;
		Ok(ModelCircuit { model, shapes, assignment: None })
	}

	/// A circuit with the public inputs `binding`, `input` and the *claimed* `output` (which
	/// may be wrong: then the constraint system is not satisfied).
	pub fn with_output(
		model: &'a Int8Model,
		binding: [u8; 32],
		input: Vec<i8>,
		output: Vec<i8>,
	) -> Result<Self, ProveError> {
		let mut circuit = Self::for_setup(model)?;
		if input.len() != model.input_len() {
			return Err(ProveError::WrongInputLength {
				expected: model.input_len(),
				got: input.len(),
			});
		}
		if output.len() != circuit.output_len() {
			return Err(ProveError::WrongOutputLength {
				expected: circuit.output_len(),
				got: output.len(),
			});
		}
		circuit.assignment = Some(Assignment { binding, input, output });
		Ok(circuit)
	}

	/// Elements of the model's input.
	pub fn input_len(&self) -> usize {
		self.model.input_len()
	}

	/// Elements of the model's output.
	pub fn output_len(&self) -> usize {
		self.shapes.last().map_or(0, |s| s.iter().map(|d| *d as usize).product())
	}

	/// Number of public inputs: `1 + ceil(input_len / 31) + ceil(output_len / 31)`.
	pub fn num_public_inputs(&self) -> usize {
		crate::verifier::num_public_inputs(self.input_len(), self.output_len())
	}

	/// Synthesizes with values into a fresh constraint system and reports whether every
	/// constraint holds. `Err` for a circuit without values.
	pub fn is_satisfied(self) -> Result<bool, ProveError> {
		if self.assignment.is_none() {
			return Err(ProveError::Synthesis("no assignment: a setup-mode circuit".into()));
		}
		let cs = ConstraintSystem::<Fr>::new_ref();
		self.generate_constraints(cs.clone()).map_err(ProveError::synthesis)?;
		cs.finalize();
		cs.is_satisfied().map_err(ProveError::synthesis)
	}
}

impl ConstraintSynthesizer<Fr> for ModelCircuit<'_> {
	fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> R<()> {
		let ctx = Ctx { cs };
		let assignment = self.assignment.as_ref();
		let input_len = self.input_len();
		let output_len = self.output_len();

		// Public inputs, in order: binding, packed input, packed output.
		let binding = assignment.map(|a| crate::verifier::binding_element::<Fr>(&a.binding));
		let _ = ctx.cs.new_input_variable(|| binding.ok_or(SynthesisError::AssignmentMissing))?;
		let input_chunks = ctx.packed_inputs(input_len, assignment.map(|a| &a.input[..]))?;
		let output_chunks = ctx.packed_inputs(output_len, assignment.map(|a| &a.output[..]))?;

		// Input bytes: 8 boolean witnesses each; x = Σ 2^k b_k - 128; packing constraints.
		let mut x = Vec::with_capacity(input_len);
		for i in 0..input_len {
			let value = assignment.map(|a| i64::from(a.input[i]));
			let bits = ctx.bits(value.map(|v| (v + 128) as u128), 8)?;
			let lc = Lc::from_bits(&bits, 0).plus(&Lc::constant(-128), 1);
			x.push(Act { lc, value, lo: -128, hi: 127 });
		}
		ctx.enforce_packing(&input_chunks, &x)?;

		let layers = &self.model.layers;
		for (index, layer) in layers.iter().enumerate() {
			let shape = &self.shapes[index];
			// A Relu after this layer (possibly behind Flattens) is fused into the
			// requantization; the Relu itself then sees a non-negative range and costs nothing.
			let relu_next = layers[index + 1..]
				.iter()
				.find(|l| !matches!(l, Layer::Flatten))
				.is_some_and(|l| matches!(l, Layer::Relu));
			x = match layer {
				Layer::Dense(d) => ctx.dense(d, d.relu || relu_next, &x)?,
				Layer::Conv2d(c) => ctx.conv2d(c, c.relu || relu_next, shape, &x)?,
				Layer::Relu => x.iter().map(|a| ctx.relu(a)).collect::<R<Vec<_>>>()?,
				Layer::Flatten => x,
				Layer::MaxPool2d(p) => ctx.maxpool(p, shape, &x)?,
			};
		}
		debug_assert_eq!(x.len(), output_len);
		ctx.enforce_packing(&output_chunks, &x)
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use ark_relations::gr1cs::{OptimizationGoal, R1CS_PREDICATE_LABEL};
	use verity_int8_format::Dense;

	/// `(A·z) ∘ (B·z) = C·z` row by row, skipping the rows in `skip`.
	fn satisfied(matrices: &[Vec<Vec<(Fr, usize)>>], z: &[Fr], skip: &[usize]) -> bool {
		let dot = |row: &Vec<(Fr, usize)>| row.iter().map(|(c, i)| *c * z[*i]).sum::<Fr>();
		(0..matrices[0].len())
			.filter(|i| !skip.contains(i))
			.all(|i| dot(&matrices[0][i]) * dot(&matrices[1][i]) == dot(&matrices[2][i]))
	}

	/// A wrong sign bit at an exact tie (`acc = -1`, factor 1/2: -0.5 rounds to -1) would give
	/// the output 0; the `D ≠ 0` check is what rejects it.
	#[test]
	fn wrong_sign_at_a_tie_is_rejected() {
		let model = Int8Model {
			input_shape: vec![1],
			input_scale_bits: 1f32.to_bits(),
			layers: vec![Layer::Dense(Dense {
				in_features: 1,
				out_features: 1,
				weights: vec![1],
				bias: vec![0],
				requant: Requant { multiplier: 1 << 30, shift: 31 },
				relu: false,
			})],
			output_scale_bits: 1f32.to_bits(),
		};
		assert_eq!(model.forward(&[-1]).unwrap(), vec![-1]);
		let circuit = ModelCircuit::with_output(&model, [0; 32], vec![-1], vec![-1]).unwrap();
		let cs = ConstraintSystem::<Fr>::new_ref();
		cs.set_optimization_goal(OptimizationGoal::Constraints);
		circuit.generate_constraints(cs.clone()).unwrap();
		cs.finalize();
		assert!(cs.is_satisfied().unwrap());
		let matrices = cs.to_matrices().unwrap().remove(R1CS_PREDICATE_LABEL).unwrap();
		let instance = cs.instance_assignment().unwrap();
		let witness = cs.witness_assignment().unwrap();
		let n = instance.len();
		let mut z: Vec<Fr> = instance.into_iter().chain(witness).collect();
		assert!(satisfied(&matrices, &z, &[]));
		// Witness layout: 8 input bits, sgn, 7 bits of q, 1 free bit of r (30 are fixed),
		// the tie inverse, the output.
		assert_eq!(z.len(), n + 19);
		let (sgn, q0, r, inv, out) = (n + 8, n + 9, n + 16, n + 17, n + 18);
		assert_eq!((z[sgn], z[q0], z[r], z[out]), (Fr::one(), Fr::one(), Fr::zero(), -Fr::one()));
		// Cheat: sgn = 0, D = 0 (q = 0, r = 0), output 0 (public chunk 128).
		z[sgn] = Fr::zero();
		z[q0] = Fr::zero();
		z[out] = Fr::zero();
		z[inv] = Fr::zero();
		z[3] = Fr::from(128u64);
		assert!(!satisfied(&matrices, &z, &[]));
		// Only the tie check catches it: find the single failing row.
		let failing: Vec<usize> =
			(0..matrices[0].len()).filter(|i| satisfied(&matrices, &z, &[*i])).collect();
		assert_eq!(failing.len(), 1, "{failing:?}");
		let row = failing[0];
		assert!(matrices[1][row].iter().any(|(_, i)| *i == inv), "the failing row is D · inv = 1");
	}
}
