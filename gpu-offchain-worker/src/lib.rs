//! Verity inference worker.
