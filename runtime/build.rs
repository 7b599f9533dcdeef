//! Builds the runtime to WASM (target `wasm32v1-none`) with substrate-wasm-builder.
//! `SKIP_WASM_BUILD=1` skips it for quick native checks.

#[cfg(feature = "std")]
include!("wasm-flags.rs");

#[cfg(feature = "std")]
fn main() {
	builder().build();
}

/// The WASM build itself compiles this crate without `std`; nothing to do then.
#[cfg(not(feature = "std"))]
fn main() {}
