//! The crate's integration tests, one module per subject, in one test binary (one link, one
//! compile of what they share). `tests/spam.rs` is its own binary: it measures block pace
//! and must not share the machine with another test's node.

mod attacks;
mod attestation;
mod chat;
mod chat_dispute;
mod common;
mod inference;
mod model_hub;
mod schema;
mod settlement;
mod zkml;
