//! The crate's integration tests, one module per subject, in one test binary (one link,
//! one compile of what they share).

mod daemon;
mod exec_errors;
mod executor;
mod jobs;
mod llm;
mod service;
mod settlement;
mod signer;
mod stream;
mod tensor;
mod zkml;
