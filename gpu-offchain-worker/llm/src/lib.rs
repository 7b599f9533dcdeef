#![doc = include_str!("../README.md")]

pub mod chat;
mod error;
pub mod generate;
pub mod gguf;
pub mod model;
pub mod sampling;
pub mod template;
pub mod tokenizer;
pub mod tools;

pub use error::LlmError;
