//! Measures a `--dev` node: block time and finality lag from its Prometheus
//! `substrate_block_height` metrics, and its resident memory when idle.
//!
//! ```sh
//! cargo bench -p verity-node-harness --bench dev-figures -- \
//!     <path/to/verity-node> [seconds=120]
//! ```
//! Prints one JSON object.

use std::time::{Duration, Instant};

use verity_node_harness::NodeBuilder;

fn main() {
	// `cargo bench` adds `--bench`.
	let mut args = std::env::args().skip(1).filter(|arg| arg != "--bench");
	let Some(binary) = args.next() else {
		eprintln!("usage: cargo bench -p verity-node-harness --bench dev-figures -- <path/to/verity-node> [seconds]");
		std::process::exit(2);
	};
	let seconds: u64 = match args.next().map(|s| s.parse()) {
		None => 120,
		Some(Ok(seconds)) if seconds >= 10 => seconds,
		Some(_) => {
			eprintln!("seconds must be a whole number of at least 10");
			std::process::exit(2);
		},
	};

	let node =
		NodeBuilder::new(binary).name("dev-figures").arg("--dev").spawn().unwrap_or_else(|e| {
			eprintln!("{e}");
			std::process::exit(1);
		});
	let sample = || -> (f64, f64) {
		let best = node.metric("substrate_block_height", "status=\"best\"").unwrap_or(0.0);
		let finalized =
			node.metric("substrate_block_height", "status=\"finalized\"").unwrap_or(0.0);
		(best, finalized)
	};

	// Start measuring once the chain runs (first block imported).
	let warmup = Instant::now();
	while sample().0 < 1.0 && warmup.elapsed() < Duration::from_secs(60) {
		std::thread::sleep(Duration::from_millis(100));
	}
	let start = Instant::now();
	let (best_start, _) = sample();
	let mut lags = Vec::new();
	while start.elapsed() < Duration::from_secs(seconds) {
		let (best, finalized) = sample();
		lags.push(best - finalized);
		std::thread::sleep(Duration::from_secs(1));
	}
	let (best_end, finalized_end) = sample();
	let elapsed = start.elapsed().as_secs_f64();
	let blocks = best_end - best_start;
	let rss_kib = rss_kib(node.pid());

	let mean_lag = lags.iter().sum::<f64>() / lags.len().max(1) as f64;
	let max_lag = lags.iter().cloned().fold(0.0, f64::max);
	println!(
		"{}",
		serde_json::json!({
			"seconds": elapsed,
			"blocks_produced": blocks,
			"mean_block_time_s": if blocks > 0.0 { elapsed / blocks } else { f64::NAN },
			"final_best": best_end,
			"final_finalized": finalized_end,
			"mean_finality_lag_blocks": mean_lag,
			"max_finality_lag_blocks": max_lag,
			"idle_rss_mib": rss_kib.map(|k| k as f64 / 1024.0),
		})
	);
}

/// Resident set size of a process, from `/proc/<pid>/status` (Linux).
fn rss_kib(pid: u32) -> Option<u64> {
	let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
	let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
	line.split_whitespace().nth(1)?.parse().ok()
}
