//! The crate's integration tests, one module per subject, in one test binary (one link, one
//! compile of what they share). The 4-validator network's tests are in `zombienet/`.

mod cli;
mod dev_chain;
mod polkadot_js;
mod runtime_upgrade;
