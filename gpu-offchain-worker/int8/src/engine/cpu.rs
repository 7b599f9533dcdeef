//! The CPU integer engine: the reference operations of [`crate::format`], one sample
//! at a time, with a batch split over threads.

use super::EngineError;
use crate::format::{apply_layer, Int8Model};
use std::sync::Arc;

/// A validated model ready to run on the CPU.
#[derive(Clone, Debug)]
pub struct CpuModel {
	model: Arc<Int8Model>,
	shapes: Vec<Vec<u32>>,
	threads: usize,
}

impl CpuModel {
	/// Validates `model` and uses up to `available_parallelism` threads per batch.
	pub fn new(model: Arc<Int8Model>) -> Result<Self, EngineError> {
		let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
		Self::with_threads(model, threads)
	}

	/// As [`CpuModel::new`] with a fixed number of threads (at least 1).
	pub fn with_threads(model: Arc<Int8Model>, threads: usize) -> Result<Self, EngineError> {
		let shapes = model.validate().map_err(|why| EngineError::InvalidModel(why.to_string()))?;
		Ok(Self { model, shapes, threads: threads.max(1) })
	}

	/// The model.
	pub fn model(&self) -> &Arc<Int8Model> {
		&self.model
	}

	/// Elements of one output sample.
	pub fn output_len(&self) -> usize {
		self.shapes.last().map_or(0, |s| s.iter().product::<u32>() as usize)
	}

	/// Runs one sample.
	pub fn run_one(&self, input: &[i8]) -> Result<Vec<i8>, EngineError> {
		self.run_batch(input, 1)
	}

	/// Runs `batch` samples laid out one after another; returns the outputs the same way.
	pub fn run_batch(&self, input: &[i8], batch: usize) -> Result<Vec<i8>, EngineError> {
		let in_len = self.model.input_len();
		let expected = in_len.checked_mul(batch).ok_or(EngineError::BatchTooLarge)?;
		if input.len() != expected {
			return Err(EngineError::InputLength { expected, got: input.len() });
		}
		let out_len = self.output_len();
		let mut output = vec![0i8; out_len * batch];
		if batch == 0 {
			return Ok(output);
		}
		let threads = self.threads.min(batch);
		let per_thread = batch.div_ceil(threads);
		if threads == 1 {
			self.run_range(input, &mut output);
		} else {
			std::thread::scope(|scope| {
				for (inputs, outputs) in
					input.chunks(per_thread * in_len).zip(output.chunks_mut(per_thread * out_len))
				{
					scope.spawn(move || self.run_range(inputs, outputs));
				}
			});
		}
		Ok(output)
	}

	fn run_range(&self, inputs: &[i8], outputs: &mut [i8]) {
		let in_len = self.model.input_len();
		let out_len = self.output_len();
		for (sample, out) in inputs.chunks(in_len).zip(outputs.chunks_mut(out_len)) {
			let mut x = sample.to_vec();
			for (layer, shape) in self.model.layers.iter().zip(&self.shapes) {
				x = apply_layer(layer, shape, &x);
			}
			out.copy_from_slice(&x);
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::engine::random_model;

	#[test]
	fn batch_equals_reference_per_sample_for_any_thread_count() {
		for (seed, conv) in [(1u64, false), (2, true), (3, true)] {
			let model = Arc::new(random_model(seed, conv));
			let in_len = model.input_len();
			let batch = 7;
			let input: Vec<i8> = (0..in_len * batch)
				.map(|i| ((i as u64 * 2654435761 + seed) % 256) as u8 as i8)
				.collect();
			let expected: Vec<i8> =
				input.chunks(in_len).flat_map(|s| model.forward(s).unwrap()).collect();
			for threads in [1, 2, 3, 8] {
				let cpu = CpuModel::with_threads(model.clone(), threads).unwrap();
				assert_eq!(cpu.run_batch(&input, batch).unwrap(), expected, "threads {threads}");
			}
			let cpu = CpuModel::new(model.clone()).unwrap();
			assert_eq!(cpu.run_one(&input[..in_len]).unwrap(), expected[..cpu.output_len()]);
			assert!(matches!(
				cpu.run_batch(&input[1..], batch),
				Err(EngineError::InputLength { got, .. }) if got == input.len() - 1
			));
			assert!(cpu.run_batch(&[], 0).unwrap().is_empty());
		}
	}
}
