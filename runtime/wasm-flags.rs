// The runtime's WASM build settings, shared by `build.rs` and `wasm/build.rs` (included).

/// substrate-wasm-builder for the crate being built, with the cargo home's paths (which end up
/// in the WASM as panic locations of dependencies) mapped to a fixed name. The checkout's own
/// path is left as it is: mapping it would make every dependency's WASM build depend on where
/// the checkout lies, so that a second checkout (CI's) recompiles them all. Reproducible
/// builds come from `scripts/build-runtime.sh`, which builds at a fixed path.
fn builder() -> substrate_wasm_builder::WasmBuilder {
	use std::{env, path::PathBuf};
	let cargo_home = env::var_os("CARGO_HOME")
		.map(PathBuf::from)
		.or_else(|| env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")));
	let mut builder = substrate_wasm_builder::WasmBuilder::init_with_defaults();
	if let Some(cargo_home) = cargo_home {
		builder = builder
			.append_to_rust_flags(format!("--remap-path-prefix={}=/cargo", cargo_home.display()));
	}
	builder
}
