#![doc = include_str!("../README.md")]

pub mod attestation;
pub mod chat;
pub mod demo;
pub mod inference;
pub mod model;
pub mod schema;
pub mod settlement;
pub mod zk;

/// What a command prints: text for people, JSON for programs.
pub struct Output {
	/// The human-readable form.
	pub text: String,
	/// The machine-readable form.
	pub json: serde_json::Value,
}

/// Options every command sees.
pub struct Global {
	/// RPC endpoint.
	pub url: String,
	/// Signer's secret URI.
	pub suri: Option<String>,
	/// Machine-readable output: nothing goes to stdout but the final JSON.
	pub json: bool,
}
