//! The crate's integration tests, one module per subject, in one test binary (one link, one
//! compile of what they share). `tests/network/` is its own binary: its networks of four or
//! five validators must not share the machine with another test's node.

mod cli;
mod dev_chain;
mod polkadot_js;
mod runtime_upgrade;
