//! The crate's integration tests, one module per subject, in one test binary (one link, one
//! compile of what they share).

mod chain;
mod metadata;
