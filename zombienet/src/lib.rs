#![doc = include_str!("../README.md")]

use std::{
	os::unix::process::CommandExt,
	path::{Path, PathBuf},
	process::{Child, Command, Stdio},
	time::{Duration, Instant},
};
use subxt::utils::AccountId32;
use verity_client::{api, Chain};
use verity_node_harness::workspace_root;

/// The `verity-node` binary the network runs: `$VERITY_NODE`, or the one in the cargo target
/// directory that holds the running test binary (`scripts/test.sh` builds both).
pub fn node_binary() -> PathBuf {
	if let Some(node) = std::env::var_os("VERITY_NODE") {
		return node.into();
	}
	let exe = std::env::current_exe().expect("the test binary's path");
	// `<target>/release/deps/network-<hash>` beside `<target>/release/verity-node`.
	let node = exe.parent().and_then(Path::parent).unwrap_or(Path::new(".")).join("verity-node");
	assert!(
		node.is_file(),
		"no node binary at {}: build it first (scripts/test.sh does; or cargo build --release \
		 -p verity-node --features fast-runtime), or set VERITY_NODE",
		node.display()
	);
	node
}

/// The network's validators, as zombienet names them.
pub const VALIDATORS: [&str; 4] = ["alice", "bob", "charlie", "dave"];

/// A validator of the network: its RPC port, PID and command line (from zombie.json).
pub struct Validator {
	pub rpc_port: u16,
	pub pid: u32,
	pub command: String,
}

/// The running network; dropping it stops zombienet (which kills its nodes) and the nodes this
/// test restarted.
pub struct Network {
	zombienet: Child,
	restarted: Vec<Child>,
	pub run: PathBuf,
	pub work: tempfile::TempDir,
}

impl Drop for Network {
	fn drop(&mut self) {
		for child in &mut self.restarted {
			let _ = child.kill();
			let _ = child.wait();
		}
		// SIGTERM lets zombienet kill its nodes; then make sure nothing of its group is left.
		let group = self.zombienet.id() as i32;
		unsafe {
			libc::kill(-group, libc::SIGTERM);
		}
		let deadline = Instant::now() + Duration::from_secs(10);
		while Instant::now() < deadline {
			if let Ok(Some(_)) = self.zombienet.try_wait() {
				break;
			}
			std::thread::sleep(Duration::from_millis(100));
		}
		unsafe {
			libc::kill(-group, libc::SIGKILL);
		}
		let _ = self.zombienet.wait();
		if std::thread::panicking() {
			for name in VALIDATORS {
				let log = std::fs::read_to_string(self.run.join(format!("{name}.log")))
					.unwrap_or_default();
				let tail: Vec<&str> = log.lines().rev().take(15).collect();
				eprintln!(
					"--- {name} (last lines)\n{}",
					tail.into_iter().rev().collect::<Vec<_>>().join("\n")
				);
			}
		}
	}
}

pub fn spawn_network() -> Network {
	let work = tempfile::Builder::new().prefix("verity-zombienet-").tempdir().unwrap();
	let run = work.path().join("network");
	let log = std::fs::File::create(work.path().join("zombienet.log")).unwrap();
	let mut command = Command::new(workspace_root().join("zombienet/spawn.sh"));
	command
		.arg(&run)
		.env("VERITY_NODE", node_binary())
		.stdin(Stdio::null())
		.stdout(log.try_clone().unwrap())
		.stderr(log)
		.process_group(0);
	unsafe {
		command.pre_exec(|| {
			libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
			Ok(())
		});
	}
	let zombienet = command.spawn().expect("zombienet/spawn.sh runs");
	Network { zombienet, restarted: Vec::new(), run, work }
}

impl Network {
	/// The raw chain spec the network runs (written by `spawn.sh`).
	pub fn raw_spec(&self) -> PathBuf {
		self.work.path().join("verity-local-raw.json")
	}

	/// Alice's p2p address, to boot another node from.
	pub fn bootnode(&self) -> String {
		let text = std::fs::read_to_string(self.run.join("zombie.json")).unwrap();
		let network: serde_json::Value = serde_json::from_str(&text).unwrap();
		network["nodesByName"]["alice"]["multiAddress"].as_str().unwrap().to_owned()
	}

	/// Waits for zombienet's description of the launched network.
	pub fn validators(&mut self) -> Vec<Validator> {
		let deadline = Instant::now() + Duration::from_secs(240);
		loop {
			if let Ok(Some(status)) = self.zombienet.try_wait() {
				let log = std::fs::read_to_string(self.run.parent().unwrap().join("zombienet.log"))
					.unwrap_or_default();
				panic!("zombienet exited ({status}):\n{log}");
			}
			let text = std::fs::read_to_string(self.run.join("zombie.json")).unwrap_or_default();
			if let Ok(network) = serde_json::from_str::<serde_json::Value>(&text) {
				return VALIDATORS
					.iter()
					.map(|name| {
						let uri = network["nodesByName"][name]["wsUri"].as_str().unwrap();
						let process = &network["client"]["processMap"][name];
						Validator {
							rpc_port: uri.rsplit(':').next().unwrap().parse().unwrap(),
							pid: process["pid"].as_u64().unwrap() as u32,
							command: process["cmd"][0].as_str().unwrap().to_owned(),
						}
					})
					.collect();
			}
			assert!(Instant::now() < deadline, "the network did not start in 4 minutes");
			std::thread::sleep(Duration::from_millis(500));
		}
	}

	/// Starts a killed validator again with its own command line (same keys, ports, database).
	pub fn restart(&mut self, validator: &mut Validator, name: &str) {
		let log = std::fs::File::create(self.run.join(format!("{name}-restarted.log"))).unwrap();
		let mut command = Command::new("bash");
		command.arg("-c").arg(format!("exec {}", validator.command));
		command.stdin(Stdio::null()).stdout(log.try_clone().unwrap()).stderr(log);
		unsafe {
			command.pre_exec(|| {
				libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
				Ok(())
			});
		}
		let child = command.spawn().unwrap();
		validator.pid = child.id();
		self.restarted.push(child);
	}
}

pub fn kill(validator: &Validator) {
	unsafe {
		libc::kill(validator.pid as i32, libc::SIGKILL);
	}
	// Wait until the process is gone (zombienet reaps its own children).
	let deadline = Instant::now() + Duration::from_secs(10);
	while Path::new(&format!("/proc/{}", validator.pid)).exists() && Instant::now() < deadline {
		let status =
			std::fs::read_to_string(format!("/proc/{}/stat", validator.pid)).unwrap_or_default();
		if status.contains(") Z ") {
			break;
		}
		std::thread::sleep(Duration::from_millis(100));
	}
}

pub fn rpc(
	port: u16,
	method: &str,
	params: serde_json::Value,
) -> Result<serde_json::Value, String> {
	verity_node_harness::rpc_at(port, method, params)
}

/// (best, finalized) block numbers of the node on `port`.
pub fn heights(port: u16) -> Result<(u64, u64), String> {
	let number = |header: serde_json::Value| {
		u64::from_str_radix(header["number"].as_str().unwrap_or("0x0").trim_start_matches("0x"), 16)
			.map_err(|e| e.to_string())
	};
	let best = number(rpc(port, "chain_getHeader", serde_json::json!([]))?)?;
	let hash = rpc(port, "chain_getFinalizedHead", serde_json::json!([]))?;
	let finalized = number(rpc(port, "chain_getHeader", serde_json::json!([hash]))?)?;
	Ok((best, finalized))
}

pub fn block_hash(port: u16, number: u64) -> String {
	rpc(port, "chain_getBlockHash", serde_json::json!([number]))
		.unwrap()
		.as_str()
		.unwrap()
		.to_owned()
}

/// Waits until `condition(best, finalized)` holds on `port`; returns the heights and the wait.
pub fn wait_for(
	port: u16,
	within: Duration,
	what: &str,
	condition: impl Fn(u64, u64) -> bool,
) -> ((u64, u64), Duration) {
	let started = Instant::now();
	loop {
		if let Ok((best, finalized)) = heights(port) {
			if condition(best, finalized) {
				return ((best, finalized), started.elapsed());
			}
		}
		assert!(
			started.elapsed() < within,
			"{what}: not within {within:?} (heights {:?})",
			heights(port)
		);
		std::thread::sleep(Duration::from_millis(250));
	}
}

/// Blocks made and the mean finality lag on `port` over `window`.
pub fn observe(port: u16, window: Duration) -> (u64, f64) {
	let (start_best, _) = heights(port).unwrap();
	let started = Instant::now();
	let mut lags = Vec::new();
	while started.elapsed() < window {
		let (best, finalized) = heights(port).unwrap();
		lags.push((best - finalized) as f64);
		std::thread::sleep(Duration::from_millis(500));
	}
	let (end_best, _) = heights(port).unwrap();
	(end_best - start_best, lags.iter().sum::<f64>() / lags.len() as f64)
}

/// Finality stays at most one block past `stalled` while best grows by 3; returns the best.
pub fn assert_finality_stopped(port: u16, stalled: u64, what: &str) -> u64 {
	let ((best, finalized), _) =
		wait_for(port, Duration::from_secs(60), what, |best, _| best >= stalled + 3);
	assert!(
		finalized <= stalled + 1,
		"{what}: finality must stop ({stalled} -> {finalized}, best {best})"
	);
	best
}

pub fn taken(validators: &mut [Validator], index: usize) -> Validator {
	std::mem::replace(
		&mut validators[index],
		Validator { rpc_port: 0, pid: 0, command: String::new() },
	)
}

/// The finalized head of the node on `port`, with its hash.
pub fn finalized_head(port: u16) -> (u64, String) {
	let (_, finalized) = heights(port).unwrap();
	(finalized, block_hash(port, finalized))
}

/// Waits until `done` holds of the session pallet's validators (or, with `planned`, of the
/// validator set pallet's next planned set).
pub async fn wait_for_set(
	chain: &Chain,
	planned: bool,
	what: &str,
	done: impl Fn(&[AccountId32]) -> bool,
) {
	let deadline = Instant::now() + Duration::from_secs(240);
	loop {
		let set = if planned {
			chain.fetch(api::storage().validator_set().validators(), ()).await.unwrap()
		} else {
			chain.fetch(api::storage().session().validators(), ()).await.unwrap()
		};
		if done(&set.unwrap_or_default()) {
			return;
		}
		assert!(Instant::now() < deadline, "{what}: not within 4 minutes");
		tokio::time::sleep(Duration::from_secs(1)).await;
	}
}
