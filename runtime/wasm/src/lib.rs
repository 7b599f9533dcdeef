#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]

// The WASM build links the runtime, whose `#[no_mangle]` runtime-API entry points become the
// blob's exports.
#[cfg(not(feature = "std"))]
extern crate verity_runtime;

#[cfg(all(feature = "std", feature = "build-wasm"))]
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));
