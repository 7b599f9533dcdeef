//! Builds the runtime's WASM with substrate-wasm-builder when the `build-wasm` feature is on
//! (`scripts/build-runtime.sh`); otherwise nothing.

#[cfg(feature = "std")]
include!("../wasm-flags.rs");

#[cfg(feature = "std")]
fn main() {
	if std::env::var_os("CARGO_FEATURE_BUILD_WASM").is_some() {
		builder().build();
	}
}

/// The WASM build itself compiles this crate without `std`; nothing to do then.
#[cfg(not(feature = "std"))]
fn main() {}
