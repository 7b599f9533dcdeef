//! GPU output == CPU output, bit for bit, on random int8 models (dense and conv) and random
//! inputs. Without a usable GPU it says why and returns.

use std::sync::Arc;
use verity_int8::engine::{cpu::CpuModel, gpu, random_input, random_model};

#[test]
fn gpu_matches_cpu_bit_for_bit() {
	let engine = match gpu::GpuEngine::shared() {
		Ok(engine) => engine,
		Err(why) => {
			eprintln!("skipping the GPU bit-exactness test: {why}");
			return;
		},
	};
	eprintln!("GPU: {}", engine.device_name());
	let mut compared = 0usize;
	for seed in 0..40u64 {
		let model = Arc::new(random_model(seed, seed % 2 == 1));
		let cpu = CpuModel::new(model.clone()).unwrap();
		let on_gpu = engine.prepare(model.clone()).unwrap();
		for batch in [1usize, 7, 256] {
			let input = random_input(seed * 1000 + batch as u64, model.input_len() * batch);
			let want = cpu.run_batch(&input, batch).unwrap();
			let got = on_gpu.run_batch(&input, batch).unwrap();
			assert_eq!(got, want, "model seed {seed}, batch {batch}");
			compared += batch;
		}
	}
	eprintln!("{compared} samples identical on GPU and CPU");
}
