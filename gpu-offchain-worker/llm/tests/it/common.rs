//! The reference models and llama.cpp, fetched and cached by `scripts/fetch-models.sh`.

use std::{
	io::Write,
	path::{Path, PathBuf},
	process::{Command, Stdio},
	sync::{mpsc, OnceLock},
	time::Duration,
};
use verity_llm::{reference::fetch, ChatModel};

/// A reference model, loaded.
pub struct Model {
	pub path: PathBuf,
	pub bytes: Vec<u8>,
	pub chat: ChatModel,
}

fn load(what: &str) -> Result<Model, String> {
	let path = fetch(what)?;
	let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
	let chat = ChatModel::load(&bytes).map_err(|e| e.to_string())?;
	Ok(Model { path, bytes, chat })
}

/// The model `what` (fetched once per test binary), or `None` after printing why it is not
/// available here.
pub fn model(what: &'static str) -> Option<&'static Model> {
	static SMOLLM2: OnceLock<Result<Model, String>> = OnceLock::new();
	static QWEN: OnceLock<Result<Model, String>> = OnceLock::new();
	let cell = match what {
		"smollm2" => &SMOLLM2,
		"qwen2.5-coder-0.5b" => &QWEN,
		other => panic!("unknown model {other}"),
	};
	match cell.get_or_init(|| load(what)) {
		Ok(model) => Some(model),
		Err(why) => {
			eprintln!("skipped: the model {what} is not available here: {why}");
			None
		},
	}
}

/// How long one run of `tests/llamacpp.py` may take (model load, server start and every
/// request), and how many runs a request gets: llama.cpp's in-process server has been seen
/// to stop answering under CI's load, and a hung reference must fail or retry, never hang.
const LLAMA_CPP_DEADLINE: Duration = Duration::from_secs(600);
const LLAMA_CPP_RUNS: usize = 3;

/// llama.cpp's answers (see `tests/llamacpp.py`) for `requests` on `model`.
pub fn llama_cpp(model: &Model, requests: serde_json::Value) -> serde_json::Value {
	let mut failures = Vec::new();
	for _ in 0..LLAMA_CPP_RUNS {
		match run_llama_cpp(model, &requests) {
			Ok(answers) => return answers,
			Err(why) => {
				eprintln!("tests/llamacpp.py: {why}; running it again");
				failures.push(why);
			},
		}
	}
	panic!("tests/llamacpp.py failed {LLAMA_CPP_RUNS} times: {failures:?}")
}

/// One run of `tests/llamacpp.py`, killed at the deadline.
fn run_llama_cpp(model: &Model, requests: &serde_json::Value) -> Result<serde_json::Value, String> {
	let python =
		fetch("baseline").expect("llama.cpp's environment (scripts/fetch-models.sh baseline)");
	let script =
		Path::new(&std::env::var_os("CARGO_MANIFEST_DIR").unwrap()).join("tests/llamacpp.py");
	let mut child = Command::new(python)
		.arg(script)
		.arg(&model.path)
		.stdin(Stdio::piped())
		.stdout(Stdio::piped())
		.stderr(Stdio::inherit())
		.spawn()
		.expect("python runs");
	child.stdin.take().unwrap().write_all(requests.to_string().as_bytes()).unwrap();
	let pid = child.id();
	let (done, wait) = mpsc::channel();
	std::thread::spawn(move || done.send(child.wait_with_output()));
	let output = match wait.recv_timeout(LLAMA_CPP_DEADLINE) {
		Ok(output) => output.map_err(|e| e.to_string())?,
		Err(_) => {
			let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
			return Err(format!("no answer within {LLAMA_CPP_DEADLINE:?}"));
		},
	};
	if !output.status.success() {
		return Err(format!("exited with {}", output.status));
	}
	serde_json::from_slice(&output.stdout).map_err(|e| format!("printed no JSON: {e}"))
}
