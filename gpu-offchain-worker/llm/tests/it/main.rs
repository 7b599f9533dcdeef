//! verity-llm against llama.cpp on the reference models, and its handling of bad input.

mod common;
mod fingerprint;
mod generation;
mod kernels;
mod requests;
mod tokenizer;
