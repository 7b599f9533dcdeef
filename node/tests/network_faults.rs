//! Fault tolerance of the 3-validator local network (Alice, Bob, Charlie on the `local` spec),
//! started by zombienet with its native provider (`zombienet/spawn.sh`):
//!
//! (a) all three produce and finalize blocks;
//! (b) Charlie is killed: Alice and Bob go on producing blocks, but finality stops: GRANDPA's
//!     threshold is `n - (n - 1) / 3` votes, which for three equal voters is all three, so two of
//!     three are not "more than 2/3". No finalized block is reverted;
//! (c) Charlie restarts from its database, catches up, and finality resumes;
//! (d) Bob and Charlie are killed: finality stays stopped with nothing reverted (Alice, without
//!     peers, also stops authoring: Aura waits for the network), and resumes when both return.
//!
//! Tolerating one faulty validator while finalizing needs four equal validators (n >= 3f + 1).
//!
//! Each step is bounded in time; zombienet and every restarted node are stopped at the end,
//! also when the test fails. Prints block production and finality figures.

use std::{
	os::unix::process::CommandExt,
	path::{Path, PathBuf},
	process::{Child, Command, Stdio},
	time::{Duration, Instant},
};

const NODE: &str = env!("CARGO_BIN_EXE_verity-node");

/// A validator of the network: its RPC port, PID and command line (from zombie.json).
struct Validator {
	rpc_port: u16,
	pid: u32,
	command: String,
}

/// The running network; dropping it stops zombienet (which kills its nodes) and the nodes this
/// test restarted.
struct Network {
	zombienet: Child,
	restarted: Vec<Child>,
	run: PathBuf,
	_work: tempfile::TempDir,
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
			for name in ["alice", "bob", "charlie"] {
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

fn workspace() -> PathBuf {
	Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn spawn_network() -> Network {
	let work = tempfile::Builder::new().prefix("verity-zombienet-").tempdir().unwrap();
	let run = work.path().join("network");
	let log = std::fs::File::create(work.path().join("zombienet.log")).unwrap();
	let mut command = Command::new(workspace().join("zombienet/spawn.sh"));
	command
		.arg(&run)
		.env("VERITY_NODE", NODE)
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
	Network { zombienet, restarted: Vec::new(), run, _work: work }
}

impl Network {
	/// Waits for zombienet's description of the launched network.
	fn validators(&mut self) -> Vec<Validator> {
		let deadline = Instant::now() + Duration::from_secs(240);
		loop {
			if let Ok(Some(status)) = self.zombienet.try_wait() {
				let log = std::fs::read_to_string(self.run.parent().unwrap().join("zombienet.log"))
					.unwrap_or_default();
				panic!("zombienet exited ({status}):\n{log}");
			}
			let text = std::fs::read_to_string(self.run.join("zombie.json")).unwrap_or_default();
			if let Ok(network) = serde_json::from_str::<serde_json::Value>(&text) {
				return ["alice", "bob", "charlie"]
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
	fn restart(&mut self, validator: &mut Validator, name: &str) {
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

fn kill(validator: &Validator) {
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

fn rpc(port: u16, method: &str, params: serde_json::Value) -> Result<serde_json::Value, String> {
	verity_node_harness::rpc_at(port, method, params)
}

/// (best, finalized) block numbers of the node on `port`.
fn heights(port: u16) -> Result<(u64, u64), String> {
	let number = |header: serde_json::Value| {
		u64::from_str_radix(header["number"].as_str().unwrap_or("0x0").trim_start_matches("0x"), 16)
			.map_err(|e| e.to_string())
	};
	let best = number(rpc(port, "chain_getHeader", serde_json::json!([]))?)?;
	let hash = rpc(port, "chain_getFinalizedHead", serde_json::json!([]))?;
	let finalized = number(rpc(port, "chain_getHeader", serde_json::json!([hash]))?)?;
	Ok((best, finalized))
}

fn block_hash(port: u16, number: u64) -> String {
	rpc(port, "chain_getBlockHash", serde_json::json!([number]))
		.unwrap()
		.as_str()
		.unwrap()
		.to_owned()
}

/// Waits until `condition(best, finalized)` holds on `port`; returns the heights and the wait.
fn wait_for(
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
fn observe(port: u16, window: Duration) -> (u64, f64) {
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
fn assert_finality_stopped(port: u16, stalled: u64, what: &str) -> u64 {
	let ((best, finalized), _) =
		wait_for(port, Duration::from_secs(60), what, |best, _| best >= stalled + 3);
	assert!(
		finalized <= stalled + 1,
		"{what}: finality must stop ({stalled} -> {finalized}, best {best})"
	);
	best
}

fn taken(validators: &mut [Validator], index: usize) -> Validator {
	std::mem::replace(
		&mut validators[index],
		Validator { rpc_port: 0, pid: 0, command: String::new() },
	)
}

#[test]
fn the_local_network_survives_validator_faults_and_never_reverts_finality() {
	let mut network = spawn_network();
	let mut validators = network.validators();
	let alice = validators[0].rpc_port;
	let minute = Duration::from_secs(60);

	// (a) All three produce and finalize.
	wait_for(alice, 2 * minute, "3/3 finalize", |best, finalized| best >= 6 && finalized >= 4);
	for validator in &validators {
		wait_for(validator.rpc_port, minute, "each validator follows", |_, finalized| {
			finalized >= 4
		});
	}
	let (blocks_3, lag_3) = observe(alice, Duration::from_secs(30));

	// (b) Charlie dies: blocks go on, finality stops, nothing finalized is reverted.
	kill(&validators[2]);
	std::thread::sleep(Duration::from_secs(4));
	let (_, stalled) = heights(alice).unwrap();
	let stalled_hash = block_hash(alice, stalled);
	let (blocks_2, lag_2) = observe(alice, Duration::from_secs(30));
	assert_finality_stopped(alice, stalled, "2 of 3");
	assert_eq!(block_hash(validators[1].rpc_port, stalled), stalled_hash);

	// (c) Charlie restarts from its database, catches up, and finality resumes.
	let mut charlie = taken(&mut validators, 2);
	network.restart(&mut charlie, "charlie");
	let (best, _) = heights(alice).unwrap();
	let (_, catch_up) =
		wait_for(charlie.rpc_port, 2 * minute, "Charlie catches up", |charlie_best, _| {
			charlie_best >= best
		});
	let (_, resumed_after_restart) =
		wait_for(alice, 2 * minute, "finality resumes with 3/3", |_, finalized| finalized >= best);
	assert_eq!(block_hash(alice, stalled), stalled_hash, "a finalized block was reverted");
	assert_eq!(block_hash(charlie.rpc_port, stalled), stalled_hash);
	validators[2] = charlie;

	// (d) Bob and Charlie die: finality stays stopped, nothing reverts.
	kill(&validators[1]);
	kill(&validators[2]);
	std::thread::sleep(Duration::from_secs(4));
	let (_, stalled) = heights(alice).unwrap();
	let stalled_hash = block_hash(alice, stalled);
	std::thread::sleep(Duration::from_secs(20));
	let (best, finalized) = heights(alice).unwrap();
	assert!(finalized <= stalled + 1, "1 of 3: finality must stop ({stalled} -> {finalized})");
	let mut bob = taken(&mut validators, 1);
	let mut charlie = taken(&mut validators, 2);
	network.restart(&mut bob, "bob");
	network.restart(&mut charlie, "charlie");
	let (_, resumed) =
		wait_for(alice, 2 * minute, "finality resumes", |_, finalized| finalized >= best);
	assert_eq!(block_hash(alice, stalled), stalled_hash, "a finalized block was reverted");
	assert_eq!(block_hash(bob.rpc_port, stalled), stalled_hash, "Bob finalized another fork");

	eprintln!(
		"figures: 3/3: {blocks_3} blocks in 30 s, mean finality lag {lag_3:.2} blocks; \
		 2/3: {blocks_2} blocks in 30 s, mean lag {lag_2:.2} (finality stopped); Charlie caught \
		 up in {:.1} s and 3/3 finality resumed {:.1} s later; with Bob and Charlie back, \
		 finality resumed in {:.1} s",
		catch_up.as_secs_f64(),
		resumed_after_restart.as_secs_f64(),
		resumed.as_secs_f64()
	);
}
