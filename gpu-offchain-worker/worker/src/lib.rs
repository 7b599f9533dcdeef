#![doc = include_str!("../README.md")]

pub mod chain;
pub mod daemon;
pub mod exec;
pub mod jobs;
pub mod node_rpc;
pub mod service;
pub mod settlement;
pub mod signer;
pub mod stream;
pub mod tensor;
pub mod zk;
