//! The reference models and llama.cpp, fetched and cached by `scripts/fetch-models.sh`.

use std::{
	io::Write,
	path::{Path, PathBuf},
	process::{Command, Stdio},
	sync::OnceLock,
};
use verity_llm::{gguf::Gguf, model::Weights, template::ChatTemplate, tokenizer::Tokenizer};

/// The workspace's root (the directory holding `scripts/`), found at run time.
pub fn workspace_root() -> PathBuf {
	let package = std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
	Path::new(&package)
		.ancestors()
		.find(|dir| dir.join("scripts/fetch-models.sh").is_file())
		.expect("the package lies inside the workspace")
		.to_path_buf()
}

/// Runs `scripts/fetch-models.sh <what>`; the path it prints, or why it could not.
fn fetch(what: &str) -> Result<PathBuf, String> {
	let output = Command::new(workspace_root().join("scripts/fetch-models.sh"))
		.arg(what)
		.stderr(Stdio::inherit())
		.output()
		.map_err(|e| format!("scripts/fetch-models.sh: {e}"))?;
	if !output.status.success() {
		return Err(format!("scripts/fetch-models.sh {what} failed ({})", output.status));
	}
	let stdout = String::from_utf8_lossy(&output.stdout);
	let path = stdout.lines().find_map(|l| l.strip_prefix(&format!("{what} ")));
	path.map(PathBuf::from).ok_or_else(|| format!("no path printed: {stdout}"))
}

/// A model with everything built from its GGUF.
pub struct Model {
	pub path: PathBuf,
	pub bytes: Vec<u8>,
	pub tokenizer: Tokenizer,
	pub template: ChatTemplate,
	pub weights: Weights,
}

fn load(what: &str) -> Result<Model, String> {
	let path = fetch(what)?;
	let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
	let gguf = Gguf::parse(&bytes).map_err(|e| e.to_string())?;
	let tokenizer = Tokenizer::from_vocab(&gguf.vocab).map_err(|e| e.to_string())?;
	let text =
		|id: Option<u32>| id.and_then(|id| tokenizer.token_text(id)).unwrap_or("").to_owned();
	let source = gguf.chat_template.clone().ok_or("no chat template")?;
	let template = ChatTemplate::new(&source, &text(gguf.vocab.bos), &text(gguf.vocab.eos))
		.map_err(|e| e.to_string())?;
	let weights = Weights::load(&gguf, &bytes).map_err(|e| e.to_string())?;
	Ok(Model { path, bytes, tokenizer, template, weights })
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
