//! A small deterministic generator (SplitMix64) for test models and test data.

/// SplitMix64: fast, seedable, the same sequence on every machine.
#[derive(Clone, Debug)]
pub struct SplitMix64(u64);

impl SplitMix64 {
	/// A generator starting from `seed`.
	pub fn new(seed: u64) -> Self {
		Self(seed)
	}

	/// The next 64 random bits.
	pub fn next_u64(&mut self) -> u64 {
		self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
		let mut z = self.0;
		z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
		z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
		z ^ (z >> 31)
	}

	/// Uniform in `0..n` (`n > 0`; the modulo bias is negligible for the small `n` used here).
	pub fn below(&mut self, n: u64) -> u64 {
		self.next_u64() % n
	}

	/// Uniform in `[0, 1)`.
	pub fn unit(&mut self) -> f64 {
		(self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
	}

	/// Uniform in `[-a, a)`, as f32.
	pub fn symmetric(&mut self, a: f64) -> f32 {
		((self.unit() * 2.0 - 1.0) * a) as f32
	}
}
