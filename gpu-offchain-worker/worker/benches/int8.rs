//! Throughput of the integer engine (CPU, and GPU when one is found, on the same batch in the
//! same run), the overhead of `Executor::run` over calling tract directly, and of a whole worker
//! job (verified cache, run, signed receipt) over calling tract directly.
//!
//! Run: `cargo bench -p verity-worker --bench int8 -- [batch] [runs]`
//! (defaults: batch 4096, 21 runs; medians are printed).

use std::sync::Arc;
use std::time::{Duration, Instant};
use tract_onnx::prelude::*;
use verity_int8::{
	self as int8, convert,
	engine::{cpu::CpuModel, gpu, random_input, Backend, PreparedInt8},
	testmodels,
};
use verity_primitives::ArtifactFormat;
use verity_worker::exec::Executor;

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

	// The whole worker job on the same ONNX MLP (artifact looked up in the worker's verified
	// cache and re-hashed, model run through the executor, receipt signed) vs tract direct.
	let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
	let job_time = runtime.block_on(worker_job_time(&onnx, &[64, 10], &bytes, runs, reps));
	println!(
		"onnx mlp 64-128-10: whole worker job {:.1} us, overhead ratio vs tract direct {:.2}",
		job_time.as_secs_f64() * 1e6,
		job_time.as_secs_f64() / direct.as_secs_f64()
	);
	// The same on a larger MLP, where the model's own time dominates.
	let large = testmodels::mlp_onnx(5, &[784, 1024, 1024, 10]);
	let x = testmodels::random_inputs(5, 1, 784).remove(0);
	let large_bytes: Vec<u8> = x.iter().flat_map(|v| v.to_le_bytes()).collect();
	let plan = tract_onnx::onnx()
		.model_for_read(&mut &large[..])
		.unwrap()
		.into_optimized()
		.unwrap()
		.into_runnable()
		.unwrap();
	let large_reps = 20;
	let direct = time(runs, || {
		for _ in 0..large_reps {
			let input = Tensor::from_shape(&[1, 784], &x).unwrap();
			drop(plan.run(tvec!(input.into())).unwrap());
		}
	}) / large_reps;
	let job_time =
		runtime.block_on(worker_job_time(&large, &[784, 10], &large_bytes, runs, large_reps));
	println!(
		"onnx mlp 784-1024-1024-10: tract direct {:.1} us, whole worker job {:.1} us, overhead \
		 ratio {:.2}",
		direct.as_secs_f64() * 1e6,
		job_time.as_secs_f64() * 1e6,
		job_time.as_secs_f64() / direct.as_secs_f64()
	);
}

async fn worker_job_time(
	onnx: &[u8],
	io: &[u32; 2],
	input: &[u8],
	runs: usize,
	reps: u32,
) -> Duration {
	use verity_artifact_store::{server, ArtifactStore};
	use verity_primitives::{
		ArtifactDigest, ModelVersionRef, RequestInput, StorageLocation, VerificationMode,
		VersionNumber,
	};
	use verity_worker::{
		service::{Job, Worker, WorkerConfig},
		signer::WorkerKey,
	};
	let store_dir = tempfile::tempdir().unwrap();
	let cache_dir = tempfile::tempdir().unwrap();
	let digest = ArtifactDigest::of(onnx);
	let store = ArtifactStore::open(store_dir.path(), 1 << 30).unwrap();
	store
		.put(http_body_util::Full::new(bytes::Bytes::from(onnx.to_vec())), Some(&digest))
		.await
		.expect("the artifact goes into the store");
	let served = server::start(store, "127.0.0.1:0".parse().unwrap()).await.unwrap();
	let worker = Arc::new(
		Worker::with_executor(
			WorkerKey::from_uri("//Bench").unwrap(),
			WorkerConfig {
				cache_dir: cache_dir.path().into(),
				cache_max_size: 1 << 30,
				cache_quota: 4 << 30,
				fetcher: Default::default(),
				output_store: None,
				batch_policy: Default::default(),
				direct: None,
				chain: None,
				node_secret: None,
			},
			Executor::new(Backend::Cpu),
		)
		.unwrap(),
	);
	let job = Job {
		genesis_hash: [1; 32],
		request_id: 1,
		model: ModelVersionRef { model: 0, version: VersionNumber { major: 1, minor: 0 } },
		spec_hash: [0; 32],
		artifact: digest,
		format: ArtifactFormat::Onnx,
		schema: testmodels::f32_schema(&[1, io[0]], &[1, io[1]]),
		locations: vec![StorageLocation::ArtifactStore(
			format!("http://{}", served.address).into_bytes().try_into().unwrap(),
		)]
		.try_into()
		.unwrap(),
		input: RequestInput::Inline(input.to_vec().try_into().unwrap()),
		mode: VerificationMode::Vanilla,
		worker: [2; 32],
		zk_keys: None,
		max_tokens: None,
		claim: None,
	};
	worker.run_job(job.clone()).await.expect("the first job fetches the artifact");
	let mut times = Vec::new();
	for _ in 0..runs {
		let start = Instant::now();
		for _ in 0..reps {
			worker.run_job(job.clone()).await.unwrap();
		}
		times.push(start.elapsed() / reps);
	}
	median(times)
}
