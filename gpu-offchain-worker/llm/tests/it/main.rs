//! verity-llm against llama.cpp on the reference models, and its handling of bad input.

mod batch;
mod common;
mod fingerprint;
mod generation;
mod gpu;
mod kernels;
mod requests;
mod tokenizer;
