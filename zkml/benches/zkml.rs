//! The ZKML bench: measures setup, proving and verification of Verity int8 models with Groth16
//! over BLS12-381, and compares with EZKL's published laptop figures.
//!
//! ```text
//! cargo bench -p verity-zkml --bench zkml -- [--model <file.vi8>] [--runs N]
//! ```
//!
//! Prints one JSON document to stdout and a human-readable summary to stderr. Without `--model`
//! it measures the reference MLPs 784-13-10, 784-32-10, 784-128-10 and 784-150-10
//! ([`verity_zkml::reference_mlp`], seed 42). Each model runs in a child process of this binary
//! (the hidden `--one <spec>` mode) so that its peak memory (`ru_maxrss`) is its own.

use rand_chacha::{
	rand_core::{RngCore, SeedableRng},
	ChaCha20Rng,
};
use std::{
	process::{exit, Command},
	time::{Duration, Instant},
};
use verity_int8_format::{decode_file, Int8Model};
use verity_zkml::{circuit_info, reference_mlp, setup_from_seed, verifier, verify_native, Prover};

/// The default models: name, layer widths.
const REFERENCE: [&str; 4] = ["784,13,10", "784,32,10", "784,128,10", "784,150,10"];
/// Verification timing runs.
const VERIFY_RUNS: usize = 30;

/// EZKL's published laptop figures: parameters, prove seconds, verify ms, proof bytes, and our
/// reference MLP compared with it.
const EZKL: [(u64, f64, f64, u64, &str); 2] =
	[(10_497, 1.48, 31.0, 24_900, "784,13,10"), (118_721, 12.8, 187.0, 38_000, "784,150,10")];

fn usage() -> ! {
	eprintln!("usage: cargo bench -p verity-zkml --bench zkml -- [--model <file.vi8>] [--runs N]");
	exit(2)
}

fn median(mut v: Vec<Duration>) -> f64 {
	v.sort();
	v[v.len() / 2].as_secs_f64()
}

/// Peak resident memory of this process in MiB (`ru_maxrss` is in KiB on Linux).
fn peak_rss_mib() -> f64 {
	let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
	// SAFETY: getrusage writes a `rusage` into the pointer we own.
	let ok = unsafe { libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr()) } == 0;
	if !ok {
		return f64::NAN;
	}
	// SAFETY: initialized by the successful call above.
	let usage = unsafe { usage.assume_init() };
	usage.ru_maxrss as f64 / 1024.0
}

fn load(spec: &str) -> (String, Int8Model) {
	if let Some(path) = spec.strip_prefix("file:") {
		let bytes = std::fs::read(path).unwrap_or_else(|e| {
			eprintln!("cannot read {path}: {e}");
			exit(1)
		});
		let model = decode_file(&bytes).unwrap_or_else(|e| {
			eprintln!("{path}: {e}");
			exit(1)
		});
		(path.to_string(), model)
	} else {
		let dims: Vec<usize> =
			spec.split(',').map(|d| d.parse().unwrap_or_else(|_| usage())).collect();
		(dims.iter().map(|d| d.to_string()).collect::<Vec<_>>().join("-"), reference_mlp(&dims, 42))
	}
}

/// Measures one model and prints its JSON object on one line.
fn one(spec: &str, runs: usize) {
	let (name, model) = load(spec);
	let info = circuit_info(&model).unwrap_or_else(|e| {
		eprintln!("{name}: {e}");
		exit(1)
	});
	let start = Instant::now();
	let keys = setup_from_seed(&model, [7; 32]).expect("setup");
	let setup_s = start.elapsed().as_secs_f64();
	let start = Instant::now();
	let prover = Prover::new(model.clone(), &keys.proving_key).expect("proving key");
	let prover_load_s = start.elapsed().as_secs_f64();

	let mut rng = ChaCha20Rng::seed_from_u64(1);
	let input: Vec<i8> = (0..model.input_len()).map(|_| rng.next_u32() as i8).collect();
	let binding = [0x5A; 32];
	let mut times = Vec::with_capacity(runs);
	let mut proved = None;
	for run in 0..=runs {
		let start = Instant::now();
		let p = prover.prove(&input, &binding, &mut rng).expect("prove");
		if run > 0 {
			times.push(start.elapsed());
		}
		proved = Some(p);
	}
	let proved = proved.expect("at least one run");
	let prove_s = median(times);

	// The same-run baseline: running the model without a proof (the engine, `forward`).
	let mut plain = Vec::with_capacity(VERIFY_RUNS);
	for _ in 0..VERIFY_RUNS {
		let start = Instant::now();
		std::hint::black_box(model.forward(std::hint::black_box(&input)));
		plain.push(start.elapsed());
	}
	let inference_ms = median(plain) * 1e3;

	let mut native = Vec::with_capacity(VERIFY_RUNS);
	let mut host = Vec::with_capacity(VERIFY_RUNS);
	for _ in 0..VERIFY_RUNS {
		let start = Instant::now();
		verify_native(&keys.verifying_key, &proved.proof, &binding, &input, &proved.output)
			.expect("native verification");
		native.push(start.elapsed());
		let start = Instant::now();
		verifier::verify::<sp_crypto_ec_utils::bls12_381::Bls12_381>(
			&keys.verifying_key,
			&proved.proof,
			&binding,
			&input,
			&proved.output,
		)
		.expect("host-curve verification");
		host.push(start.elapsed());
	}
	println!(
		concat!(
			"{{\"model\":\"{}\",\"parameters\":{},\"constraints\":{},\"witness_variables\":{},",
			"\"public_inputs\":{},\"setup_s\":{:.4},\"prover_load_s\":{:.4},\"prove_s\":{:.4},",
			"\"prove_runs\":{},\"peak_memory_mib\":{:.1},\"proof_bytes\":{},",
			"\"proving_key_bytes\":{},\"verifying_key_bytes\":{},\"verify_native_ms\":{:.3},",
			"\"verify_host_curve_ms\":{:.3},\"verify_runs\":{},\"threads\":{},",
			"\"inference_ms\":{:.4},\"prove_over_inference\":{:.0}}}"
		),
		name,
		info.parameters,
		info.constraints,
		info.witness_variables,
		info.public_inputs,
		setup_s,
		prover_load_s,
		prove_s,
		runs,
		peak_rss_mib(),
		proved.proof.len(),
		keys.proving_key.len(),
		keys.verifying_key.len(),
		median(native) * 1e3,
		median(host) * 1e3,
		VERIFY_RUNS,
		rayon::current_num_threads(),
		inference_ms,
		prove_s * 1e3 / inference_ms,
	);
}

/// The number after `"key":` in a one-line JSON object.
fn field(json: &str, key: &str) -> f64 {
	let pattern = format!("\"{key}\":");
	json.find(&pattern)
		.and_then(|at| {
			let rest = &json[at + pattern.len()..];
			let end = rest.find([',', '}']).unwrap_or(rest.len());
			rest[..end].trim().parse().ok()
		})
		.unwrap_or(f64::NAN)
}

fn main() {
	let mut args = std::env::args().skip(1);
	let (mut model, mut runs, mut single) = (None, 3usize, None);
	while let Some(arg) = args.next() {
		match arg.as_str() {
			"--model" => model = Some(args.next().unwrap_or_else(|| usage())),
			"--runs" => {
				runs = args
					.next()
					.and_then(|n| n.parse().ok())
					.filter(|n| *n > 0)
					.unwrap_or_else(|| usage())
			},
			"--one" => single = Some(args.next().unwrap_or_else(|| usage())),
			// `cargo bench` adds it.
			"--bench" => {},
			_ => usage(),
		}
	}
	if let Some(spec) = single {
		one(&spec, runs);
		return;
	}
	let specs: Vec<String> = match &model {
		Some(path) => vec![format!("file:{path}")],
		None => REFERENCE.iter().map(|s| s.to_string()).collect(),
	};
	let exe = std::env::current_exe().expect("own path");
	let mut results = Vec::new();
	for spec in &specs {
		eprintln!("measuring {spec} ...");
		let out = Command::new(&exe)
			.args(["--one", spec, "--runs", &runs.to_string()])
			.output()
			.expect("spawn child");
		if !out.status.success() {
			eprintln!("{}", String::from_utf8_lossy(&out.stderr));
			exit(1);
		}
		let json = String::from_utf8_lossy(&out.stdout).trim().to_string();
		results.push((spec.clone(), json));
	}

	let mut comparison = Vec::new();
	if model.is_none() {
		for (params, prove, verify, proof, ours) in EZKL {
			let Some((_, json)) = results.iter().find(|(s, _)| s == ours) else { continue };
			let (our_prove, our_verify) = (field(json, "prove_s"), field(json, "verify_native_ms"));
			let prove_ratio = prove / our_prove;
			let verify_ratio = verify / our_verify;
			comparison.push(format!(
				concat!(
					"{{\"ours\":\"{}\",\"our_parameters\":{},\"ezkl_parameters\":{},",
					"\"ezkl_prove_s\":{},\"our_prove_s\":{:.4},\"prove_ratio_ezkl_over_ours\":{:.2},",
					"\"ezkl_verify_ms\":{},\"our_verify_ms\":{:.3},\"verify_ratio_ezkl_over_ours\":{:.2},",
					"\"ezkl_proof_bytes\":{},\"our_proof_bytes\":{},\"proving_target_5x_met\":{}}}"
				),
				ours.replace(',', "-"),
				field(json, "parameters"),
				params,
				prove,
				our_prove,
				prove_ratio,
				verify,
				our_verify,
				verify_ratio,
				proof,
				field(json, "proof_bytes"),
				prove_ratio >= 5.0,
			));
		}
	}
	let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
	println!(
		concat!(
			"{{\"bench\":\"verity-zkml groth16 bls12-381\",\"cpus\":{},\"prove_runs\":{},",
			"\"models\":[{}],\"ezkl_reference\":\"EZKL published laptop figures (10,497 params: ",
			"prove 1.48 s, verify 31 ms, proof 24.9 kB; 118,721 params: prove 12.8 s, verify 187 ms, ",
			"proof 38 kB)\",\"comparison\":[{}]}}"
		),
		cpus,
		runs,
		results.iter().map(|(_, j)| j.as_str()).collect::<Vec<_>>().join(","),
		comparison.join(","),
	);

	eprintln!();
	eprintln!(
		"{:<12} {:>8} {:>8} {:>7} {:>8} {:>8} {:>8} {:>6} {:>7} {:>9} {:>9}",
		"model",
		"params",
		"constr",
		"inputs",
		"setup s",
		"prove s",
		"mem MiB",
		"proof",
		"vk",
		"verify ms",
		"host ms"
	);
	for (_, json) in &results {
		let name =
			json.split("\"model\":\"").nth(1).and_then(|r| r.split('"').next()).unwrap_or("?");
		eprintln!(
			"{:<12} {:>8} {:>8} {:>7} {:>8.2} {:>8.3} {:>8.1} {:>6} {:>7} {:>9.2} {:>9.2}",
			name,
			field(json, "parameters"),
			field(json, "constraints"),
			field(json, "public_inputs"),
			field(json, "setup_s"),
			field(json, "prove_s"),
			field(json, "peak_memory_mib"),
			field(json, "proof_bytes"),
			field(json, "verifying_key_bytes"),
			field(json, "verify_native_ms"),
			field(json, "verify_host_curve_ms"),
		);
	}
	for (params, prove, verify, _, ours) in EZKL {
		if let Some((_, json)) = results.iter().find(|(s, _)| s == ours) {
			let ratio = prove / field(json, "prove_s");
			eprintln!(
				"vs EZKL {params} params: prove {prove} s / {:.3} s = {ratio:.1}x ({}), verify {verify} ms / {:.2} ms = {:.1}x",
				field(json, "prove_s"),
				if ratio >= 5.0 { "5x target met" } else { "5x target NOT met" },
				field(json, "verify_native_ms"),
				verify / field(json, "verify_native_ms"),
			);
		}
	}
	eprintln!("threads: {} (cpus {cpus})", rayon_threads());
}

fn rayon_threads() -> usize {
	rayon::current_num_threads()
}
