//! Throughput of the integer engine (CPU, and GPU when one is found, on the same batch in the
//! same run) and the overhead of `Executor::run` over calling tract directly.
//!
//! Run: `cargo run --release -p verity-gpu-offchain-worker --bin int8-bench [batch] [runs]`
//! (defaults: batch 4096, 21 runs; medians are printed).

use std::sync::Arc;
use std::time::{Duration, Instant};
use tract_onnx::prelude::*;
use verity_gpu_offchain_worker::{
	convert,
	engine::Backend,
	engine::{cpu::CpuModel, gpu, random_input, PreparedInt8},
	exec::Executor,
	testmodels,
};
use verity_primitives::{int8, ArtifactFormat};

fn median(mut times: Vec<Duration>) -> Duration {
	times.sort();
	times[times.len() / 2]
}

fn time<F: FnMut()>(runs: usize, mut f: F) -> Duration {
	f(); // warm-up
	median(
		(0..runs)
			.map(|_| {
				let start = Instant::now();
				f();
				start.elapsed()
			})
			.collect(),
	)
}

fn main() {
	let args: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
	let batch = args.first().copied().unwrap_or(4096);
	let runs = args.get(1).copied().unwrap_or(21).max(1);
	println!("int8-bench: batch {batch}, median of {runs} runs");
	let gpu_engine = gpu::GpuEngine::shared();
	match &gpu_engine {
		Ok(engine) => println!("GPU: {}", engine.device_name()),
		Err(why) => println!("GPU: none ({why}); CPU only"),
	}
	println!("CPU threads: {}", std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1));

	// Integer engine: a converted CNN (1x28x28, 8 filters, 10 classes) and MLP (784-256-128-10).
	let models = [
		(
			"cnn 1x28x28",
			convert::convert(
				&testmodels::cnn_onnx(1, [1, 28, 28], 8, 10),
				&testmodels::random_inputs(1, 16, 784),
			)
			.unwrap(),
		),
		(
			"mlp 784-256-128-10",
			convert::convert(
				&testmodels::mlp_onnx(2, &[784, 256, 128, 10]),
				&testmodels::random_inputs(2, 16, 784),
			)
			.unwrap(),
		),
	];
	for (name, model) in models {
		let model = Arc::new(model);
		let input = random_input(7, model.input_len() * batch);
		let cpu = CpuModel::new(model.clone()).unwrap();
		let cpu_out = cpu.run_batch(&input, batch).unwrap();
		let cpu_time = time(runs.min(5), || drop(cpu.run_batch(&input, batch).unwrap()));
		let cpu_rate = batch as f64 / cpu_time.as_secs_f64();
		print!("{name}: CPU {cpu_rate:>12.0} inferences/s");
		if let Ok(engine) = &gpu_engine {
			let on_gpu = PreparedInt8::Gpu(engine.prepare(model.clone()).unwrap());
			assert_eq!(on_gpu.run_batch(&input, batch).unwrap(), cpu_out, "GPU != CPU");
			let gpu_time = time(runs, || drop(on_gpu.run_batch(&input, batch).unwrap()));
			let gpu_rate = batch as f64 / gpu_time.as_secs_f64();
			print!(
				" | GPU {gpu_rate:>12.0} inferences/s (incl. transfers) | GPU/CPU {:.1}x | outputs identical",
				gpu_rate / cpu_rate
			);
		}
		println!();
	}

	// Executor overhead on an ONNX MLP, one request at a time.
	let onnx = testmodels::mlp_onnx(3, &[64, 128, 10]);
	let schema = testmodels::f32_schema(&[1, 64], &[1, 10]);
	let x = testmodels::random_inputs(3, 1, 64).remove(0);
	let bytes: Vec<u8> = x.iter().flat_map(|v| v.to_le_bytes()).collect();
	let exec = Executor::new(Backend::Cpu);
	let digest = [9u8; 32];
	let plan = tract_onnx::onnx()
		.model_for_read(&mut &onnx[..])
		.unwrap()
		.into_optimized()
		.unwrap()
		.into_runnable()
		.unwrap();
	let reps = 200;
	let direct = time(runs, || {
		for _ in 0..reps {
			let input = Tensor::from_shape(&[1, 64], &x).unwrap();
			drop(plan.run(tvec!(input.into())).unwrap());
		}
	}) / reps;
	let via_exec = time(runs, || {
		for _ in 0..reps {
			drop(exec.run(ArtifactFormat::Onnx, digest, &onnx, &schema, &bytes).unwrap());
		}
	}) / reps;
	println!(
		"onnx mlp 64-128-10: tract direct {:.1} us, Executor::run {:.1} us, overhead ratio {:.2}",
		direct.as_secs_f64() * 1e6,
		via_exec.as_secs_f64() * 1e6,
		via_exec.as_secs_f64() / direct.as_secs_f64()
	);
	let int8_file =
		int8::encode_file(&convert::convert(&onnx, &testmodels::random_inputs(4, 16, 64)).unwrap());
	let int8_schema = testmodels::f32_schema(&[64], &[10]);
	let int8_time = time(runs, || {
		for _ in 0..reps {
			drop(
				exec.run(ArtifactFormat::VerityInt8, [8; 32], &int8_file, &int8_schema, &bytes)
					.unwrap(),
			);
		}
	}) / reps;
	println!(
		"same mlp as verity-int8 via Executor::run (CPU, one sample): {:.1} us",
		int8_time.as_secs_f64() * 1e6
	);
}
