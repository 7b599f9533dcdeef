//! The reference models that tests and benchmarks use (SmolLM2-135M-Instruct as `smollm2`,
//! Qwen2.5-Coder-0.5B-Instruct as `qwen2.5-coder-0.5b`) and llama.cpp's Python environment
//! (`baseline`), fetched and cached by the workspace's `scripts/fetch-models.sh`.

use std::{
	path::{Path, PathBuf},
	process::{Command, Stdio},
};

/// The workspace's root (the directory holding `scripts/fetch-models.sh`), looked for above
/// `CARGO_MANIFEST_DIR` (set by cargo when it runs a test or bench) or the current directory.
pub fn workspace_root() -> Option<PathBuf> {
	let start = std::env::var_os("CARGO_MANIFEST_DIR")
		.map(PathBuf::from)
		.or_else(|| std::env::current_dir().ok())?;
	let found = start.ancestors().find(|dir| dir.join("scripts/fetch-models.sh").is_file());
	found.map(Path::to_path_buf)
}

/// The path of `what` (a model's GGUF, or the baseline's Python), fetched if not cached; or why
/// it is not available here.
pub fn fetch(what: &str) -> Result<PathBuf, String> {
	let root = workspace_root().ok_or("no scripts/fetch-models.sh above this directory")?;
	let output = Command::new(root.join("scripts/fetch-models.sh"))
		.arg(what)
		.stderr(Stdio::inherit())
		.output()
		.map_err(|e| format!("scripts/fetch-models.sh: {e}"))?;
	if !output.status.success() {
		return Err(format!("scripts/fetch-models.sh {what} failed ({})", output.status));
	}
	let stdout = String::from_utf8_lossy(&output.stdout);
	let path = stdout.lines().find_map(|line| line.strip_prefix(&format!("{what} ")));
	path.map(PathBuf::from).ok_or_else(|| format!("no path printed: {stdout}"))
}
