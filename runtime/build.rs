//! Builds the runtime to WASM (target `wasm32v1-none`) with substrate-wasm-builder.
//! `SKIP_WASM_BUILD=1` skips it for quick native checks.

#[cfg(feature = "std")]
fn main() {
	use std::{env, path::PathBuf};

	// Source paths end up in the WASM (panic locations). Map the checkout and the cargo
	// home to fixed names so that the WASM does not carry this machine's paths.
	let manifest_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
	let root = manifest_dir.parent().expect("the runtime lives in the workspace");
	let cargo_home = env::var_os("CARGO_HOME")
		.map(PathBuf::from)
		.or_else(|| env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")));
	let mut builder = substrate_wasm_builder::WasmBuilder::init_with_defaults()
		.append_to_rust_flags(format!("--remap-path-prefix={}=/verity", root.display()));
	if let Some(cargo_home) = cargo_home {
		builder = builder
			.append_to_rust_flags(format!("--remap-path-prefix={}=/cargo", cargo_home.display()));
	}
	builder.build();
}

/// The WASM build itself compiles this crate without `std`; nothing to do then.
#[cfg(not(feature = "std"))]
fn main() {}
