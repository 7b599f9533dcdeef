//! Builds the bumped runtime's WASM with substrate-wasm-builder, reusing the dependencies that
//! the runtime's own WASM build compiled.

#[cfg(feature = "std")]
include!("../wasm-flags.rs");

#[cfg(feature = "std")]
fn main() {
	share_wasm_target_directory();
	builder().build();
}

/// substrate-wasm-builder gives every project its own target directory
/// (`<target>/<profile>/wbuild/<crate>/target`). This one's is a link to the runtime's, so the
/// polkadot-sdk crates compiled for the runtime's WASM are reused (cargo's lock keeps the two
/// builds apart).
#[cfg(feature = "std")]
fn share_wasm_target_directory() {
	use std::{env, fs, path::PathBuf};
	let out_dir = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
	let profile = out_dir
		.ancestors()
		.find(|dir| dir.file_name().is_some_and(|name| name == "build"))
		.and_then(|build| build.parent())
		.expect("OUT_DIR is <target>/<profile>/build/<crate>/out");
	let wbuild = profile.join("wbuild");
	let shared = wbuild.join("verity-runtime").join("target");
	let link = wbuild.join(env!("CARGO_PKG_NAME")).join("target");
	fs::create_dir_all(&shared).expect("the runtime's WASM target directory can be made");
	fs::create_dir_all(link.parent().expect("a parent")).expect("the project directory");
	if fs::read_link(&link).is_ok_and(|to| to == shared) {
		return;
	}
	if link.is_dir() && fs::symlink_metadata(&link).is_ok_and(|m| !m.file_type().is_symlink()) {
		fs::remove_dir_all(&link).expect("an old target directory can be removed");
	} else {
		let _ = fs::remove_file(&link);
	}
	#[cfg(unix)]
	std::os::unix::fs::symlink(&shared, &link).expect("the target directory can be linked");
}

/// The WASM build itself compiles this crate without `std`; nothing to do then.
#[cfg(not(feature = "std"))]
fn main() {}
