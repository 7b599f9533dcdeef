#![doc = include_str!("../README.md")]

pub mod batch;
pub mod chat;
pub mod chat_model;
mod error;
pub mod fingerprint;
pub mod generate;
pub mod gguf;
pub mod gpu;
pub mod kernels;
pub mod model;
pub mod random;
pub mod reference;
pub mod sampling;
pub mod template;
pub mod tokenizer;
pub mod tools;

pub use chat_model::{ChatHeader, ChatModel, ChatOutcome, ClaimVerdict, Usage};
pub use error::LlmError;
pub use gpu::Backend;
