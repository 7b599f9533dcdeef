//! [`Executor`]: runs a model artifact on canonical input bytes ([`crate::tensor`]) through the
//! [`Engine`] that runs its format, and returns canonical output bytes (or streams them).
//!
//! - [`onnx::OnnxEngine`]: ONNX graphs on tract.
//! - [`int8::Int8Engine`]: Verity int8 artifacts on the CPU or GPU integer engine.
//! - [`llm::LlmEngine`]: GGUF chat models (verity-llm); input is a chat request (JSON), output
//!   the generated text, streamed token by token, with the tokens used reported.
//!
//! An engine loads an artifact for a schema into a [`LoadedModel`], which hands its output to
//! a sink as it is produced: a tensor model in one piece, a language model token by token.
//! Loaded models are cached by artifact digest and schema; the caller is responsible for the
//! artifact matching its digest (the worker verifies artifacts when it fetches them).

pub mod int8;
pub mod llm;
pub mod onnx;

use crate::tensor;
use codec::Encode;
use std::collections::HashMap;
use std::ops::ControlFlow;
use std::sync::{Arc, Mutex};
use verity_int8::engine::Backend;
use verity_primitives::{
	ArtifactFormat, GenerationClaim, GenerationEvidence, IoSchema, TensorSpec, TokenUsage,
};

/// Why a run failed.
#[derive(Debug, thiserror::Error)]
pub enum ExecError {
	/// The input bytes are not the schema's length.
	#[error("wrong input length: expected {expected} bytes, got {got}")]
	InputLength {
		/// Bytes the schema's inputs take.
		expected: usize,
		/// Bytes given.
		got: usize,
	},
	/// A format no engine of this executor runs.
	#[error("unsupported artifact format `{}` (this worker runs {runs})", .format.name())]
	UnsupportedFormat {
		/// The artifact's format.
		format: ArtifactFormat,
		/// The formats this executor's engines run, comma-separated.
		runs: String,
	},
	/// The input is not what the model takes (a malformed chat request, too many tokens).
	#[error("bad input: {0}")]
	BadInput(String),
	/// The schema cannot describe this model or is not a tensor schema.
	#[error("schema does not fit the model: {0}")]
	Schema(String),
	/// The artifact does not load.
	#[error("model failed to load: {0}")]
	Load(String),
	/// The model failed while running.
	#[error("model failed to run: {0}")]
	Run(String),
	/// The model's output does not match the schema's outputs.
	#[error("output does not match the schema: {0}")]
	Output(String),
}

/// Where a model's output goes as it is produced; `Break` asks the model to stop (the client
/// went away).
pub type Sink<'a> = &'a mut dyn FnMut(&[u8]) -> ControlFlow<()>;

/// Loads artifacts of one format and runs them.
pub trait Engine: Send + Sync {
	/// Its name, as `--engines` and `/v1/info` give it (`onnx`, `int8`).
	fn name(&self) -> &'static str;

	/// Where it computes: `cpu` or `gpu`.
	fn device(&self) -> &'static str;

	/// The artifact format it runs.
	fn format(&self) -> ArtifactFormat;

	/// Loads `artifact` to run inputs laid out per `schema`.
	fn load(&self, artifact: &[u8], schema: &IoSchema) -> Result<Arc<dyn LoadedModel>, ExecError>;
}

/// A model an engine loaded, ready to run.
pub trait LoadedModel: Send + Sync {
	/// Runs on `input` (the schema's inputs, of the length the schema gives) and hands the
	/// output to `sink` as it is produced, in order; the pieces together are the output.
	fn run(&self, input: &[u8], sink: Sink<'_>) -> Result<RunReport, ExecError>;

	/// Re-executes another worker's claimed answer to `input` (a chat result under check).
	/// Tensor results are checked by running them again and comparing the bytes, so only
	/// language models implement it.
	fn check(&self, _input: &[u8], _claim: &GenerationClaim) -> Result<ClaimCheck, ExecError> {
		Err(ExecError::Schema("this model's results are checked by running them again".into()))
	}
}

/// What a run reports besides its output.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunReport {
	/// Tokens a language model used (`None` for tensor models).
	pub usage: Option<TokenUsage>,
	/// A language model's evidence of its generation (the receipt commits to it).
	pub generation: Option<GenerationEvidence>,
}

/// A check's finding on a claimed generation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimCheck {
	/// Whether the claim is what an honest worker could have returned.
	pub accepted: bool,
	/// Why not, or how close the re-execution came.
	pub detail: String,
}

impl ClaimCheck {
	fn rejected(why: String) -> Self {
		Self { accepted: false, detail: why }
	}
}

/// The engines `verity-worker --engines` names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum EngineKind {
	/// ONNX on tract.
	Onnx,
	/// Verity int8 on the best integer backend found (GPU, else CPU).
	Int8,
	/// GGUF chat models (llama, qwen2) on the CPU.
	Llm,
}

/// The tensor inputs and outputs of `schema`, or why it has none.
pub(crate) fn tensors(schema: &IoSchema) -> Result<(&[TensorSpec], &[TensorSpec]), ExecError> {
	match schema {
		IoSchema::Tensors { inputs, outputs } => Ok((inputs, outputs)),
		IoSchema::Chat { .. } => Err(ExecError::Schema(
			"a chat schema needs an LLM engine; this one runs tensors".into(),
		)),
	}
}

/// Loaded models by (artifact digest, SCALE-encoded schema).
type ModelCache = Mutex<HashMap<([u8; 32], Vec<u8>), Arc<dyn LoadedModel>>>;

/// Runs artifacts; share it (it is `Sync`) so the cache is shared.
pub struct Executor {
	engines: Vec<Arc<dyn Engine>>,
	cache: ModelCache,
}

impl Default for Executor {
	fn default() -> Self {
		Self::new(Backend::auto())
	}
}

impl Executor {
	/// An executor with every engine, int8 models running on `backend`.
	pub fn new(backend: Backend) -> Self {
		Self::from_kinds(&[EngineKind::Onnx, EngineKind::Int8, EngineKind::Llm], backend)
	}

	/// An executor with the engines named (int8 on the best backend found).
	pub fn with_engines(kinds: &[EngineKind]) -> Self {
		Self::from_kinds(kinds, Backend::auto())
	}

	/// The engines named, int8 models running on `backend`.
	fn from_kinds(kinds: &[EngineKind], backend: Backend) -> Self {
		let engines = kinds
			.iter()
			.map(|kind| -> Arc<dyn Engine> {
				match kind {
					EngineKind::Onnx => Arc::new(onnx::OnnxEngine),
					EngineKind::Int8 => Arc::new(int8::Int8Engine::new(backend.clone())),
					EngineKind::Llm => Arc::new(llm::LlmEngine),
				}
			})
			.collect();
		Self::from_engines(engines)
	}

	/// An executor with these engines (the first one for a format runs it).
	pub fn from_engines(engines: Vec<Arc<dyn Engine>>) -> Self {
		Self { engines, cache: Mutex::new(HashMap::new()) }
	}

	/// Its engines as `name@device`, comma-separated (e.g. `onnx@cpu,int8@gpu`).
	pub fn describe(&self) -> String {
		let names: Vec<String> =
			self.engines.iter().map(|e| format!("{}@{}", e.name(), e.device())).collect();
		names.join(",")
	}

	/// `gpu` when an engine computes on a GPU, else `cpu`.
	pub fn device(&self) -> &'static str {
		if self.engines.iter().any(|engine| engine.device() == "gpu") {
			"gpu"
		} else {
			"cpu"
		}
	}

	/// Models in the cache.
	pub fn cached_models(&self) -> usize {
		self.cache.lock().map_or(0, |c| c.len())
	}

	/// Whether the artifact with this digest is loaded for this schema, so that `run` will
	/// not read the `artifact` bytes it is given.
	pub fn is_loaded(&self, artifact_digest: [u8; 32], schema: &IoSchema) -> bool {
		self.cache.lock().is_ok_and(|c| c.contains_key(&(artifact_digest, schema.encode())))
	}

	/// Runs `artifact` (whose digest is `artifact_digest`) on `input` laid out per `schema`'s
	/// inputs; returns the output laid out per its outputs.
	pub fn run(
		&self,
		format: ArtifactFormat,
		artifact_digest: [u8; 32],
		artifact: &[u8],
		schema: &IoSchema,
		input: &[u8],
	) -> Result<Vec<u8>, ExecError> {
		Ok(self.run_reporting(format, artifact_digest, artifact, schema, input)?.0)
	}

	/// [`Self::run`], with what the run reports (a language model's token usage).
	pub fn run_reporting(
		&self,
		format: ArtifactFormat,
		artifact_digest: [u8; 32],
		artifact: &[u8],
		schema: &IoSchema,
		input: &[u8],
	) -> Result<(Vec<u8>, RunReport), ExecError> {
		let mut output = Vec::new();
		let report =
			self.run_streaming(format, artifact_digest, artifact, schema, input, &mut |piece| {
				output.extend_from_slice(piece);
				ControlFlow::Continue(())
			})?;
		Ok((output, report))
	}

	/// [`Self::run`], handing the output to `sink` as the model produces it.
	pub fn run_streaming(
		&self,
		format: ArtifactFormat,
		artifact_digest: [u8; 32],
		artifact: &[u8],
		schema: &IoSchema,
		input: &[u8],
		sink: Sink<'_>,
	) -> Result<RunReport, ExecError> {
		// A chat model parses and checks its own input (a chat request).
		if let IoSchema::Tensors { inputs, .. } = schema {
			let expected = tensor::encoded_len(inputs)
				.ok_or_else(|| ExecError::Schema("input tensors too large".into()))?;
			if input.len() != expected {
				return Err(ExecError::InputLength { expected, got: input.len() });
			}
		}
		let model = self.loaded(format, artifact_digest, artifact, schema)?;
		model.run(input, sink)
	}

	/// Re-executes `claim`, an answer to `input` by `artifact` (see [`LoadedModel::check`]).
	pub fn check(
		&self,
		format: ArtifactFormat,
		artifact_digest: [u8; 32],
		artifact: &[u8],
		schema: &IoSchema,
		input: &[u8],
		claim: &GenerationClaim,
	) -> Result<ClaimCheck, ExecError> {
		self.loaded(format, artifact_digest, artifact, schema)?.check(input, claim)
	}

	/// The model for this digest and schema, loaded by its format's engine if not cached.
	fn loaded(
		&self,
		format: ArtifactFormat,
		artifact_digest: [u8; 32],
		artifact: &[u8],
		schema: &IoSchema,
	) -> Result<Arc<dyn LoadedModel>, ExecError> {
		let engine =
			self.engines.iter().find(|engine| engine.format() == format).ok_or_else(|| {
				let runs: Vec<&str> = self.engines.iter().map(|e| e.format().name()).collect();
				ExecError::UnsupportedFormat { format, runs: runs.join(", ") }
			})?;
		let key = (artifact_digest, schema.encode());
		if let Some(model) = self.cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
			return Ok(model);
		}
		let model = engine.load(artifact, schema)?;
		if let Ok(mut cache) = self.cache.lock() {
			cache.insert(key, model.clone());
		}
		Ok(model)
	}
}
