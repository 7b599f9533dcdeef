//! verity-llm against llama.cpp on the reference models, and its handling of bad input.

mod common;
mod generation;
mod requests;
mod tokenizer;
