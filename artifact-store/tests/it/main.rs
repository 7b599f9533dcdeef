//! The crate's integration tests, one module per subject, in one test binary (one link, one
//! compile of what they share).

mod access;
mod secret_file;
mod store_and_fetch;
