#![doc = include_str!("../README.md")]

use std::{
	fs::File,
	io::{BufRead, BufReader, Read, Write},
	net::{TcpListener, TcpStream},
	path::{Path, PathBuf},
	process::{Child, Command, Stdio},
	time::{Duration, Instant},
};

/// The workspace's root, for the tests of a crate at its top (`node/`, `zombienet/`): the
/// parent of the running test's package directory. Read at run time from
/// `CARGO_MANIFEST_DIR`, which `cargo test` sets; a path fixed at compile time would name the
/// checkout that built the test.
pub fn workspace_root() -> PathBuf {
	let package = std::env::var_os("CARGO_MANIFEST_DIR")
		.expect("cargo sets CARGO_MANIFEST_DIR when it runs a test");
	Path::new(&package).parent().expect("a package inside the workspace").to_path_buf()
}

/// How long [`NodeBuilder::spawn`] waits for the RPC server to answer.
pub const DEFAULT_START_TIMEOUT: Duration = Duration::from_secs(90);

/// Reserves `count` distinct free TCP ports on 127.0.0.1.
///
/// Ports come from below the kernel's ephemeral range (`ip_local_port_range`), which the kernel
/// hands out to outgoing connections and to `bind(0)`: a port chosen inside it can be taken by
/// any connection between the choice and the node binding it (CI saw a worker fail so). Each
/// call takes the next ports of one process-wide cursor, which starts at an offset drawn from
/// the process id, so tests running at once in this process never get the same port, and each
/// port is checked free by binding it. Where the ephemeral range starts too low to leave room
/// below it, this falls back to the kernel's choice.
pub fn free_ports(count: usize) -> std::io::Result<Vec<u16>> {
	match ports_below_ephemeral() {
		Some(range) => cursor_ports(count, range),
		None => kernel_ports(count),
	}
}

/// The range below the ephemeral ports that [`free_ports`] draws from, when it has room.
fn ports_below_ephemeral() -> Option<std::ops::Range<u16>> {
	const LOWEST: u16 = 10_000;
	let range = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range").ok()?;
	let first: u16 = range.split_whitespace().next()?.parse().ok()?;
	(first >= LOWEST + 4_096).then_some(LOWEST..first)
}

/// `count` ports from the process-wide cursor over `range`, each checked free.
fn cursor_ports(count: usize, range: std::ops::Range<u16>) -> std::io::Result<Vec<u16>> {
	use std::sync::atomic::{AtomicU32, Ordering};
	static CURSOR: AtomicU32 = AtomicU32::new(u32::MAX);
	let span = u32::from(range.end - range.start);
	let start = std::process::id().wrapping_mul(2_654_435_761) % span;
	let _ = CURSOR.compare_exchange(u32::MAX, start, Ordering::SeqCst, Ordering::SeqCst);
	let mut ports = Vec::with_capacity(count);
	for _ in 0..span {
		if ports.len() == count {
			break;
		}
		let offset = CURSOR.fetch_add(1, Ordering::SeqCst) % span;
		let port = range.start + offset as u16;
		if TcpListener::bind(("127.0.0.1", port)).is_ok() {
			ports.push(port);
		}
	}
	if ports.len() < count {
		return Err(std::io::Error::new(std::io::ErrorKind::AddrInUse, "no free ports left"));
	}
	Ok(ports)
}

/// `count` distinct ports chosen by the kernel, the listeners held until all are chosen.
fn kernel_ports(count: usize) -> std::io::Result<Vec<u16>> {
	let listeners = (0..count)
		.map(|_| TcpListener::bind("127.0.0.1:0"))
		.collect::<std::io::Result<Vec<_>>>()?;
	listeners.iter().map(|l| l.local_addr().map(|a| a.port())).collect()
}

/// Runs `binary` with `args` to completion and returns its output, killing it after
/// `timeout`. Both pipes are drained while it runs, so large outputs cannot block it.
pub fn run_to_exit(
	binary: impl AsRef<Path>,
	args: &[&str],
	timeout: Duration,
) -> Result<std::process::Output, String> {
	let binary = binary.as_ref();
	let mut child = Command::new(binary)
		.args(args)
		.stdin(Stdio::null())
		.stdout(Stdio::piped())
		.stderr(Stdio::piped())
		.spawn()
		.map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
	let stdout = drain(child.stdout.take());
	let stderr = drain(child.stderr.take());
	let deadline = Instant::now() + timeout;
	let status = loop {
		if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
			break status;
		}
		if Instant::now() > deadline {
			let _ = child.kill();
			let _ = child.wait();
			let stderr = stderr.join().unwrap_or_default();
			return Err(format!(
				"`{} {}` still ran after {timeout:?}; stderr:\n{}",
				binary.display(),
				args.join(" "),
				String::from_utf8_lossy(&stderr)
			));
		}
		std::thread::sleep(Duration::from_millis(50));
	};
	Ok(std::process::Output {
		status,
		stdout: stdout.join().unwrap_or_default(),
		stderr: stderr.join().unwrap_or_default(),
	})
}

/// Reads a child's pipe to its end on a thread of its own.
fn drain<R: Read + Send + 'static>(pipe: Option<R>) -> std::thread::JoinHandle<Vec<u8>> {
	std::thread::spawn(move || {
		let mut bytes = Vec::new();
		if let Some(mut pipe) = pipe {
			let _ = pipe.read_to_end(&mut bytes);
		}
		bytes
	})
}

/// Configures a node process before it starts.
pub struct NodeBuilder {
	binary: PathBuf,
	args: Vec<String>,
	name: String,
	start_timeout: Duration,
	base_path: Option<PathBuf>,
	/// The worker's binary and extra arguments, when one is started.
	worker: Option<(PathBuf, Vec<String>)>,
}

impl NodeBuilder {
	/// A node run from `binary` (in tests: `env!("CARGO_BIN_EXE_verity-node")`).
	pub fn new(binary: impl Into<PathBuf>) -> Self {
		Self {
			binary: binary.into(),
			args: Vec::new(),
			name: "node".into(),
			start_timeout: DEFAULT_START_TIMEOUT,
			base_path: None,
			worker: None,
		}
	}

	/// Also starts an inference worker for the node: the `verity-worker` binary beside the
	/// node's, with these extra arguments (e.g. `--dev-key //Operator`). The node relays its
	/// requests to it; [`Node::worker_url`] is its public listener.
	pub fn worker<I: IntoIterator<Item = S>, S: Into<String>>(mut self, args: I) -> Self {
		let binary = self.binary.with_file_name("verity-worker");
		self.worker = Some((binary, args.into_iter().map(Into::into).collect()));
		self
	}

	/// Adds a command-line argument.
	pub fn arg(mut self, arg: impl Into<String>) -> Self {
		self.args.push(arg.into());
		self
	}

	/// Adds command-line arguments.
	pub fn args<I: IntoIterator<Item = S>, S: Into<String>>(mut self, args: I) -> Self {
		self.args.extend(args.into_iter().map(Into::into));
		self
	}

	/// A name for logs and messages (e.g. `alice`).
	pub fn name(mut self, name: impl Into<String>) -> Self {
		self.name = name.into();
		self
	}

	/// How long to wait for the RPC server.
	pub fn start_timeout(mut self, timeout: Duration) -> Self {
		self.start_timeout = timeout;
		self
	}

	/// Uses this base path (kept after the node stops) instead of a fresh temporary one, so
	/// that a node can be restarted on its database.
	pub fn base_path(mut self, path: impl Into<PathBuf>) -> Self {
		self.base_path = Some(path.into());
		self
	}

	/// Starts the node and waits until its RPC server accepts connections (and, with a
	/// worker, until the node has found it).
	pub fn spawn(self) -> Result<Node, String> {
		let ports = free_ports(6).map_err(|e| format!("no free ports: {e}"))?;
		let work_dir = tempfile::Builder::new()
			.prefix(&format!("verity-{}-", self.name))
			.tempdir()
			.map_err(|e| format!("cannot create a temporary directory: {e}"))?;
		let base_path = self.base_path.clone().unwrap_or_else(|| work_dir.path().join("base"));
		let secret_file = work_dir.path().join("worker-secret");
		let log_path = work_dir.path().join("node.log");
		let worker_node_url = format!("http://127.0.0.1:{}", ports[5]);
		let mut command = Command::new(&self.binary);
		command
			.args(&self.args)
			.arg("--base-path")
			.arg(&base_path)
			.args(["--rpc-port", &ports[0].to_string(), "--port", &ports[1].to_string()])
			.args(["--prometheus-port", &ports[2].to_string()])
			.args(["--artifact-store-addr", &format!("127.0.0.1:{}", ports[3])])
			.arg("--worker-secret-file")
			.arg(&secret_file)
			.args(["--no-telemetry", "--no-mdns"]);
		if self.worker.is_some() {
			command.args(["--worker-url", &worker_node_url]);
		}
		let child = start(command, &log_path, &self.binary)?;
		let mut node = Node {
			name: self.name,
			child,
			worker: None,
			rpc_port: ports[0],
			p2p_port: ports[1],
			prometheus_port: ports[2],
			artifact_store_port: ports[3],
			worker_port: ports[4],
			base_path,
			log_path,
			work_dir: Some(work_dir),
		};
		node.wait_for_rpc(self.start_timeout)?;
		if let Some((binary, args)) = self.worker {
			let store = !self.args.iter().any(|arg| arg == "--no-artifact-store");
			node.start_worker(&binary, &args, ports[5], &secret_file, store)?;
			node.wait_for_log("Using the inference worker", self.start_timeout)?;
		}
		Ok(node)
	}
}

/// Starts `command` with its output in a new file at `log_path`, killed with the test process.
fn start(mut command: Command, log_path: &Path, binary: &Path) -> Result<Child, String> {
	let log = File::create(log_path).map_err(|e| format!("cannot create the log: {e}"))?;
	let log_err = log.try_clone().map_err(|e| format!("cannot share the log: {e}"))?;
	command.stdin(Stdio::null()).stdout(Stdio::from(log)).stderr(Stdio::from(log_err));
	stop_with_parent(&mut command);
	command.spawn().map_err(|e| format!("cannot start {}: {e}", binary.display()))
}

/// Calls a JSON-RPC method over HTTP on the node whose RPC port is `port` (one this harness
/// did not start, e.g. a zombienet node) and returns its `result`.
pub fn rpc_at(
	port: u16,
	method: &str,
	params: serde_json::Value,
) -> Result<serde_json::Value, String> {
	let body = serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params})
		.to_string();
	let request = format!(
		"POST / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n\
		 Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
		body.len()
	);
	let response = http_exchange(port, &request)?;
	let value: serde_json::Value = serde_json::from_str(&response)
		.map_err(|e| format!("bad JSON-RPC answer to {method}: {e}: {response}"))?;
	match value.get("error") {
		Some(error) => Err(format!("{method} failed: {error}")),
		None => value.get("result").cloned().ok_or_else(|| format!("no result: {value}")),
	}
}

/// Asks the kernel to kill the child when the test process dies, so that no node outlives
/// a test even when it is killed without unwinding.
fn stop_with_parent(command: &mut Command) {
	#[cfg(target_os = "linux")]
	{
		use std::os::unix::process::CommandExt;
		// SAFETY: `prctl` is async-signal-safe and only changes the child's own settings.
		unsafe {
			command.pre_exec(|| {
				if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
					return Err(std::io::Error::last_os_error());
				}
				Ok(())
			});
		}
	}
	#[cfg(not(target_os = "linux"))]
	let _ = command;
}

/// A running node. Dropping it stops the process; if the thread is panicking (a failed
/// test), the log is kept on disk and its tail printed.
pub struct Node {
	name: String,
	child: Child,
	/// Its inference worker, when one was started.
	worker: Option<Child>,
	rpc_port: u16,
	p2p_port: u16,
	prometheus_port: u16,
	artifact_store_port: u16,
	worker_port: u16,
	base_path: PathBuf,
	log_path: PathBuf,
	work_dir: Option<tempfile::TempDir>,
}

impl Node {
	/// The node's name, as given to the builder.
	pub fn name(&self) -> &str {
		&self.name
	}

	/// WebSocket URL of the RPC server.
	pub fn ws_url(&self) -> String {
		format!("ws://127.0.0.1:{}", self.rpc_port)
	}

	/// RPC port.
	pub fn rpc_port(&self) -> u16 {
		self.rpc_port
	}

	/// Peer-to-peer port.
	pub fn p2p_port(&self) -> u16 {
		self.p2p_port
	}

	/// Base URL of the artifact store's HTTP service (unless started with
	/// `--no-artifact-store`).
	pub fn artifact_store_url(&self) -> String {
		format!("http://127.0.0.1:{}", self.artifact_store_port)
	}

	/// Base URL of the inference worker's public listener (started by
	/// [`NodeBuilder::worker`]).
	pub fn worker_url(&self) -> String {
		format!("http://127.0.0.1:{}", self.worker_port)
	}

	/// Prometheus port.
	pub fn prometheus_port(&self) -> u16 {
		self.prometheus_port
	}

	/// The node's base path (database and keystore).
	pub fn base_path(&self) -> &Path {
		&self.base_path
	}

	/// Path of the log file (stdout and stderr).
	pub fn log_path(&self) -> &Path {
		&self.log_path
	}

	/// The whole log so far.
	pub fn log(&self) -> String {
		std::fs::read_to_string(&self.log_path).unwrap_or_default()
	}

	/// The secret file the node shares with its worker and store (`--worker-secret-file`).
	pub fn secret_file(&self) -> PathBuf {
		self.log_path.with_file_name("worker-secret")
	}

	/// Path of the worker's log file (when a worker was started).
	pub fn worker_log_path(&self) -> PathBuf {
		self.log_path.with_file_name("worker.log")
	}

	/// Starts `verity-worker` for this node: its public listener on [`Self::worker_url`], its
	/// node listener on `node_port`, the node's secret, and the node's store for outputs.
	fn start_worker(
		&mut self,
		binary: &Path,
		args: &[String],
		node_port: u16,
		secret_file: &Path,
		store: bool,
	) -> Result<(), String> {
		let mut command = Command::new(binary);
		command
			.args(["--node-rpc", &format!("http://127.0.0.1:{}", self.rpc_port)])
			.args(["--listen", &format!("127.0.0.1:{}", self.worker_port)])
			.args(["--node-listen", &format!("127.0.0.1:{node_port}")])
			.arg("--data-dir")
			.arg(self.log_path.with_file_name("worker"))
			.arg("--secret-file")
			.arg(secret_file);
		if store {
			command.args(["--output-store", &self.artifact_store_url()]);
		}
		command.args(args);
		self.worker = Some(start(command, &self.worker_log_path(), binary)?);
		Ok(())
	}

	/// Waits until the node's log holds `text`.
	fn wait_for_log(&mut self, text: &str, timeout: Duration) -> Result<(), String> {
		let deadline = Instant::now() + timeout;
		while !self.log().contains(text) {
			if let Some(Ok(Some(status))) = self.worker.as_mut().map(Child::try_wait) {
				return Err(format!(
					"{}'s worker exited with {status}; its log:\n{}",
					self.name,
					std::fs::read_to_string(self.worker_log_path()).unwrap_or_default()
				));
			}
			if Instant::now() > deadline {
				return Err(format!(
					"{}: no `{text}` in the log within {timeout:?}; log tail:\n{}",
					self.name,
					self.log_tail(40)
				));
			}
			std::thread::sleep(Duration::from_millis(100));
		}
		Ok(())
	}

	/// The OS process id.
	pub fn pid(&self) -> u32 {
		self.child.id()
	}

	fn wait_for_rpc(&mut self, timeout: Duration) -> Result<(), String> {
		let deadline = Instant::now() + timeout;
		loop {
			if let Ok(Some(status)) = self.child.try_wait() {
				return Err(format!(
					"{} exited with {status} before its RPC server answered; log tail:\n{}",
					self.name,
					self.log_tail(40)
				));
			}
			if self.rpc("system_health", serde_json::json!([])).is_ok() {
				return Ok(());
			}
			if Instant::now() > deadline {
				return Err(format!(
					"{} did not answer RPC within {timeout:?}; log tail:\n{}",
					self.name,
					self.log_tail(40)
				));
			}
			std::thread::sleep(Duration::from_millis(200));
		}
	}

	/// Calls a JSON-RPC method over HTTP and returns its `result`.
	pub fn rpc(
		&self,
		method: &str,
		params: serde_json::Value,
	) -> Result<serde_json::Value, String> {
		rpc_at(self.rpc_port, method, params)
	}

	/// The Prometheus metrics page.
	pub fn metrics(&self) -> Result<String, String> {
		http_exchange(
			self.prometheus_port,
			"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
		)
	}

	/// The value of the first sample of a Prometheus metric whose labels contain `labels`
	/// (e.g. `substrate_block_height`, `status="finalized"`).
	pub fn metric(&self, name: &str, labels: &str) -> Result<f64, String> {
		let page = self.metrics()?;
		page.lines()
			.filter(|line| !line.starts_with('#'))
			.find(|line| line.split(['{', ' ']).next() == Some(name) && line.contains(labels))
			.and_then(|line| line.rsplit(' ').next())
			.and_then(|value| value.parse().ok())
			.ok_or_else(|| format!("metric {name}{{{labels}}} not found"))
	}

	/// Best and finalized block numbers, from RPC.
	pub fn heights(&self) -> Result<(u64, u64), String> {
		let best = self.rpc("chain_getHeader", serde_json::json!([]))?;
		let finalized_hash = self.rpc("chain_getFinalizedHead", serde_json::json!([]))?;
		let finalized = self.rpc("chain_getHeader", serde_json::json!([finalized_hash]))?;
		Ok((block_number(&best)?, block_number(&finalized)?))
	}

	/// Waits until `condition(best, finalized)` holds, or fails after `timeout`.
	pub fn wait_for_heights(
		&self,
		timeout: Duration,
		condition: impl Fn(u64, u64) -> bool,
	) -> Result<(u64, u64), String> {
		let deadline = Instant::now() + timeout;
		loop {
			let heights = self.heights()?;
			if condition(heights.0, heights.1) {
				return Ok(heights);
			}
			if Instant::now() > deadline {
				return Err(format!(
					"{}: heights {heights:?} after {timeout:?}; log tail:\n{}",
					self.name,
					self.log_tail(20)
				));
			}
			std::thread::sleep(Duration::from_millis(250));
		}
	}

	/// The last `lines` lines of the log.
	pub fn log_tail(&self, lines: usize) -> String {
		let Ok(file) = File::open(&self.log_path) else { return String::new() };
		let all: Vec<String> = BufReader::new(file).lines().map_while(Result::ok).collect();
		all[all.len().saturating_sub(lines)..].join("\n")
	}

	/// Stops the node (SIGTERM, then SIGKILL after 10 s) and waits for it.
	pub fn stop(&mut self) {
		if let Ok(Some(_)) = self.child.try_wait() {
			return;
		}
		// SAFETY: sending a signal to our own child process.
		unsafe {
			libc::kill(self.child.id() as libc::pid_t, libc::SIGTERM);
		}
		let deadline = Instant::now() + Duration::from_secs(10);
		while Instant::now() < deadline {
			if let Ok(Some(_)) = self.child.try_wait() {
				return;
			}
			std::thread::sleep(Duration::from_millis(50));
		}
		let _ = self.child.kill();
		let _ = self.child.wait();
	}

	/// Kills the node at once (SIGKILL), as a crash would.
	pub fn kill(&mut self) {
		let _ = self.child.kill();
		let _ = self.child.wait();
	}
}

impl Drop for Node {
	fn drop(&mut self) {
		self.stop();
		if let Some(mut worker) = self.worker.take() {
			let _ = worker.kill();
			let _ = worker.wait();
		}
		if std::thread::panicking() {
			if let Some(dir) = self.work_dir.take() {
				let kept = dir.keep();
				eprintln!(
					"--- {} failed; logs kept in {} ---\n{}\n---",
					self.name,
					kept.display(),
					self.log_tail(40)
				);
			}
		}
	}
}

fn block_number(header: &serde_json::Value) -> Result<u64, String> {
	let hex = header
		.get("number")
		.and_then(|n| n.as_str())
		.ok_or_else(|| format!("header without number: {header}"))?;
	u64::from_str_radix(hex.trim_start_matches("0x"), 16).map_err(|e| format!("{hex}: {e}"))
}

/// Sends one HTTP/1.1 request (with `Connection: close`) and returns the response body.
fn http_exchange(port: u16, request: &str) -> Result<String, String> {
	let mut stream = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
	stream.set_read_timeout(Some(Duration::from_secs(30))).map_err(|e| e.to_string())?;
	stream.write_all(request.as_bytes()).map_err(|e| e.to_string())?;
	let mut response = Vec::new();
	stream.read_to_end(&mut response).map_err(|e| e.to_string())?;
	let response = String::from_utf8_lossy(&response);
	let (head, body) = response.split_once("\r\n\r\n").ok_or("malformed HTTP response")?;
	if !head.starts_with("HTTP/1.1 200") {
		return Err(format!("HTTP error: {}", head.lines().next().unwrap_or_default()));
	}
	if head.to_ascii_lowercase().contains("transfer-encoding: chunked") {
		return Ok(dechunk(body));
	}
	Ok(body.to_string())
}

fn dechunk(mut body: &str) -> String {
	let mut out = String::new();
	while let Some((size, rest)) = body.split_once("\r\n") {
		let Ok(size) = usize::from_str_radix(size.trim(), 16) else { break };
		if size == 0 || rest.len() < size {
			break;
		}
		out.push_str(&rest[..size]);
		body = rest[size..].trim_start_matches("\r\n");
	}
	out
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn free_ports_are_distinct_and_unprivileged() {
		// Whether a port is still free when used cannot be asserted: other tests (nodes,
		// zombienet) take ports concurrently; `free_ports` held each one bound while choosing.
		let mut ports = free_ports(5).unwrap();
		ports.extend(free_ports(5).unwrap());
		let mut unique = ports.clone();
		unique.sort();
		unique.dedup();
		assert_eq!(unique.len(), 10, "two calls never share a port");
		assert!(ports.iter().all(|port| *port > 1024));
		if let Some(range) = ports_below_ephemeral() {
			assert!(ports.iter().all(|port| range.contains(port)), "{ports:?} outside {range:?}");
		}
	}

	#[test]
	fn chunked_bodies_are_joined() {
		assert_eq!(dechunk("4\r\nWiki\r\n5\r\npedia\r\n0\r\n\r\n"), "Wikipedia");
	}

	#[test]
	fn run_to_exit_drains_large_outputs_and_enforces_the_timeout() {
		// 1 MiB on stdout would fill an undrained pipe and block the child forever.
		let output =
			run_to_exit("head", &["-c", "1048576", "/dev/zero"], Duration::from_secs(30)).unwrap();
		assert!(output.status.success());
		assert_eq!(output.stdout.len(), 1 << 20);
		let err = run_to_exit("sleep", &["30"], Duration::from_millis(300)).unwrap_err();
		assert!(err.contains("still ran"), "{err}");
	}

	#[test]
	fn a_binary_that_exits_reports_its_log() {
		// `false` exits at once: the harness must say so instead of waiting for RPC.
		let err = NodeBuilder::new("false").name("quitter").spawn().err().expect("fails");
		assert!(err.contains("quitter exited"), "{err}");
	}
}
