// The runtime's WASM build settings, shared by `build.rs` and `upgrade/build.rs` (included).

/// substrate-wasm-builder for the crate being built, with source paths (which end up in the
/// WASM as panic locations) mapped to fixed names, so that the WASM does not carry this
/// machine's checkout (`root`) or cargo home.
fn builder(root: &std::path::Path) -> substrate_wasm_builder::WasmBuilder {
	use std::{env, path::PathBuf};
	let cargo_home = env::var_os("CARGO_HOME")
		.map(PathBuf::from)
		.or_else(|| env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")));
	let mut builder = substrate_wasm_builder::WasmBuilder::init_with_defaults()
		.append_to_rust_flags(format!("--remap-path-prefix={}=/verity", root.display()));
	if let Some(cargo_home) = cargo_home {
		builder = builder
			.append_to_rust_flags(format!("--remap-path-prefix={}=/cargo", cargo_home.display()));
	}
	builder
}
