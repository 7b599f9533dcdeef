//! Choosing the next token: greedy, or temperature with top-k and top-p, drawn from a seeded
//! ChaCha20 stream. The order of candidates is fixed (logit descending, then id ascending), so
//! a seed gives the same tokens on every machine that computes the same logits.

use rand_chacha::ChaCha20Rng;
use rand_core::{RngCore, SeedableRng};
use serde::{Deserialize, Serialize};

/// How to sample.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct SamplingParams {
	/// 0 for greedy (the most likely token, the lowest id on a tie).
	pub temperature: f32,
	/// Keep the smallest set of most likely tokens whose probability reaches this (1: all).
	pub top_p: f32,
	/// Keep this many most likely tokens (0: all).
	pub top_k: u32,
	/// Seed of the random stream.
	pub seed: u64,
}

impl Default for SamplingParams {
	fn default() -> Self {
		Self { temperature: 0.0, top_p: 1.0, top_k: 0, seed: 0 }
	}
}

/// A seeded sampler.
pub struct Sampler {
	params: SamplingParams,
	rng: ChaCha20Rng,
}

impl Sampler {
	/// A sampler with `params`.
	pub fn new(params: SamplingParams) -> Self {
		Self { params, rng: ChaCha20Rng::seed_from_u64(params.seed) }
	}

	/// The next token from `logits` (one per vocabulary entry).
	pub fn sample(&mut self, logits: &[f32]) -> u32 {
		if self.params.temperature <= 0.0 {
			return argmax(logits);
		}
		let candidates = self.candidates(logits);
		let draw = (self.rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
		let total: f64 = candidates.iter().map(|(_, p)| p).sum();
		let mut acc = 0.0;
		for (id, p) in &candidates {
			acc += p / total;
			if draw < acc {
				return *id;
			}
		}
		candidates.last().map_or(0, |(id, _)| *id)
	}

	/// The tokens that may be drawn, most likely first, with their (unnormalized) weights.
	fn candidates(&self, logits: &[f32]) -> Vec<(u32, f64)> {
		let mut order: Vec<u32> = (0..logits.len() as u32).collect();
		let by_logit =
			|a: &u32, b: &u32| logits[*b as usize].total_cmp(&logits[*a as usize]).then(a.cmp(b));
		let k = match self.params.top_k as usize {
			0 => order.len(),
			k => k.min(order.len()),
		};
		if k < order.len() {
			order.select_nth_unstable_by(k - 1, by_logit);
			order.truncate(k);
		}
		order.sort_unstable_by(by_logit);
		let max = f64::from(logits[order[0] as usize]);
		let temperature = f64::from(self.params.temperature);
		let mut weighted: Vec<(u32, f64)> = order
			.into_iter()
			.map(|id| (id, ((f64::from(logits[id as usize]) - max) / temperature).exp()))
			.collect();
		let top_p = f64::from(self.params.top_p);
		if top_p < 1.0 {
			let total: f64 = weighted.iter().map(|(_, w)| w).sum();
			let mut acc = 0.0;
			let keep = weighted
				.iter()
				.position(|(_, w)| {
					acc += w / total;
					acc >= top_p
				})
				.map_or(weighted.len(), |i| i + 1);
			weighted.truncate(keep.max(1));
		}
		weighted
	}
}

/// The index of the largest logit, the lowest on a tie.
pub fn argmax(logits: &[f32]) -> u32 {
	let mut best = 0;
	for (i, logit) in logits.iter().enumerate() {
		if *logit > logits[best] {
			best = i;
		}
	}
	best as u32
}
