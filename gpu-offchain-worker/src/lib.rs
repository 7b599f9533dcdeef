//! Verity inference worker.
//!
//! - [`engine`]: integer engines for Verity int8 models ([`engine::cpu`], [`engine::gpu`]) and
//!   [`engine::Backend`] selection; CPU and GPU outputs are bit-identical.
//! - [`convert`]: float ONNX (MLP/CNN) to a calibrated [`verity_primitives::int8::Int8Model`].
//! - [`tensor`]: the canonical byte layout of request inputs and result outputs, and JSON.
//! - [`exec`]: [`exec::Executor`] runs an artifact (ONNX via tract, or Verity int8) on input
//!   bytes, caching loaded models by digest.
//! - [`signer`]: the receipt-signing key (a 0600 key file) and receipt signatures.
//! - [`service`]: [`service::Worker`] runs chain jobs (fetch and verify the artifact, run,
//!   sign) and serves them over HTTP.
//! - [`zk`]: ZKML jobs proved in the background with `verity-zkml` (Groth16), served at
//!   `GET /v1/proofs/<id>`.
//! - [`testmodels`]: deterministic float ONNX models built in Rust, for tests and demos.
//!
//! The model format itself lives in [`verity_primitives::int8`], shared with the chain side.

pub mod chain;
pub mod convert;
pub mod engine;
pub mod exec;
pub mod rng;
pub mod service;
pub mod settlement;
pub mod signer;
pub mod tensor;
pub mod testmodels;
pub mod zk;
