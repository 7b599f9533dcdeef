//! The reference models and llama.cpp, fetched and cached by `scripts/fetch-models.sh`.

use std::{
	io::Write,
	path::{Path, PathBuf},
	process::{Command, Stdio},
	sync::OnceLock,
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

/// llama.cpp's answers (see `tests/llamacpp.py`) for `requests` on `model`.
pub fn llama_cpp(model: &Model, requests: serde_json::Value) -> serde_json::Value {
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
	let output = child.wait_with_output().unwrap();
	assert!(output.status.success(), "tests/llamacpp.py failed: {}", output.status);
	serde_json::from_slice(&output.stdout).expect("llamacpp.py prints JSON")
}
