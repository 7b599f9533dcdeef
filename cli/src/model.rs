//! `verity model ...`: the Model Hub from the command line.

use crate::{schema, Global, Output};
use serde_json::{json, Value as Json};
use std::path::{Path, PathBuf};
use verity_artifact_store::{Fetcher, FetcherConfig};
use verity_client::{api, chain::account_of, signer, AccountId32, Chain, Static};
use verity_primitives::{
	digest::to_hex, ArtifactDigest, ArtifactFormat, ArtifactHasher, IoSchema, ModelId, ModelInfo,
	ModelVersion, ModelVersionRef, SchemaError, StorageLocation, Task, VerificationMode,
	VerificationModes, VersionNumber, VersionSpec, VersionStatus,
};

type Balance = u128;
type Info = ModelInfo<[u8; 32], Balance>;
type Version = ModelVersion<Balance, u32>;

#[derive(Debug, clap::Subcommand)]
pub enum ModelCommand {
	/// Create a model owned by the signer.
	Create(CreateArgs),
	/// Upload an artifact, compute its digests and register it as a new version, in one step.
	Publish(PublishArgs),
	/// List every model.
	List {
		/// Only the models of this account (SS58).
		#[arg(long)]
		owner: Option<AccountId32>,
	},
	/// Show a model and all its versions.
	Show {
		/// The model's id.
		model: ModelId,
	},
	/// Deprecate a version of the signer's model: kept for audits, no longer served.
	Deprecate {
		/// `<model-id>@<major>.<minor>`.
		reference: ModelVersionRef,
	},
	/// Remove a deprecated or taken-down version (`<id>@<version>`), or a model without
	/// versions (`<id>`); releases its deposit.
	Remove {
		/// `<model-id>` or `<model-id>@<major>.<minor>`.
		target: String,
	},
	/// Offer the signer's model to another account, which then runs `model accept`.
	Transfer {
		/// The model's id.
		model: ModelId,
		/// The new owner (SS58).
		#[arg(long)]
		to: AccountId32,
	},
	/// Accept a model offered to the signer; its deposits are then held from the signer.
	Accept {
		/// The model's id.
		model: ModelId,
	},
	/// Download a version's artifact, verified against the chain's digests; exits non-zero on
	/// any mismatch and leaves no file behind.
	Download(DownloadArgs),
}

// The arguments of `verity model create` (no doc comment: the variant's is the help).
#[derive(Debug, clap::Args)]
pub struct CreateArgs {
	/// Name, unique among the signer's models.
	#[arg(long)]
	pub name: String,
	/// What the model does: classification, regression, text-generation, embedding, other.
	#[arg(long)]
	pub task: Task,
	/// Licence of the weights (an SPDX id such as Apache-2.0).
	#[arg(long)]
	pub licence: String,
	/// Free-text description.
	#[arg(long, default_value = "")]
	pub description: String,
	/// A search tag (repeat for more).
	#[arg(long = "tag")]
	pub tags: Vec<String>,
}

// The arguments of `verity model publish` (no doc comment: the variant's is the help).
#[derive(Debug, clap::Args)]
pub struct PublishArgs {
	/// The artifact file.
	pub file: PathBuf,
	/// The model (its id).
	#[arg(long)]
	pub model: ModelId,
	/// The new version, `major.minor`; higher than every earlier one.
	#[arg(long)]
	pub version: VersionNumber,
	/// File format: onnx, gguf, safetensors, verity-int8.
	#[arg(long)]
	pub format: ArtifactFormat,
	/// JSON file with the input/output schema.
	#[arg(long)]
	pub schema: PathBuf,
	/// Verification modes the version may be served with, comma-separated: vanilla, tee, zkml.
	#[arg(long, value_delimiter = ',', default_value = "vanilla")]
	pub modes: Vec<VerificationMode>,
	/// Price per inference, in the smallest unit of the token.
	#[arg(long, default_value_t = 0)]
	pub price: Balance,
	/// Price per generated token (LLMs), in the smallest unit of the token.
	#[arg(long, default_value_t = 0)]
	pub price_per_token: Balance,
	/// The ZK verifying key (required with zkml); its digest is registered and the file uploaded.
	#[arg(long)]
	pub zk_verifying_key: Option<PathBuf>,
	/// Base URL of the artifact store to upload to (recorded as the first location).
	#[arg(long, default_value = "http://127.0.0.1:9955")]
	pub store_url: String,
	/// Register the store location without uploading (the artifact is already there).
	#[arg(long)]
	pub no_upload: bool,
	/// Also publish to this Walrus publisher and record the blob id.
	#[arg(long)]
	pub walrus_publisher: Option<String>,
	/// Walrus storage epochs.
	#[arg(long, default_value_t = 1)]
	pub walrus_epochs: u32,
	/// Also record this IPFS CID (the artifact must be pinned there).
	#[arg(long)]
	pub ipfs_cid: Option<String>,
	/// Also record this https:// URL.
	#[arg(long)]
	pub https_url: Option<String>,
}

// The arguments of `verity model download` (no doc comment: the variant's is the help).
#[derive(Debug, clap::Args)]
pub struct DownloadArgs {
	/// `<model-id>@<major>.<minor>`.
	pub reference: ModelVersionRef,
	/// Where to write the artifact.
	#[arg(short, long)]
	pub output: PathBuf,
	/// Walrus aggregator for Walrus locations.
	#[arg(long)]
	pub walrus_aggregator: Option<String>,
	/// IPFS gateway for IPFS locations.
	#[arg(long)]
	pub ipfs_gateway: Option<String>,
	/// Seconds to wait for a location to answer (and for each piece of its body).
	#[arg(long, default_value_t = 30)]
	pub timeout: u64,
}

/// Runs a `verity model` subcommand against the node at `global.url`.
pub async fn run(command: ModelCommand, global: &Global) -> Result<Output, String> {
	let chain = Chain::connect(&global.url).await?;
	match command {
		ModelCommand::Create(args) => create(&chain, global, args).await,
		ModelCommand::Publish(args) => publish(&chain, global, args).await,
		ModelCommand::List { owner } => list(&chain, owner).await,
		ModelCommand::Show { model } => show(&chain, model).await,
		ModelCommand::Deprecate { reference } => deprecate(&chain, global, reference).await,
		ModelCommand::Remove { target } => remove(&chain, global, target).await,
		ModelCommand::Transfer { model, to } => transfer(&chain, global, model, to).await,
		ModelCommand::Accept { model } => accept(&chain, global, model).await,
		ModelCommand::Download(args) => download(&chain, args).await,
	}
}

/// `model create`: creates a model owned by the signer.
async fn create(chain: &Chain, global: &Global, args: CreateArgs) -> Result<Output, String> {
	let CreateArgs { name, task, licence, description, tags } = args;
	let signer = signer(global.suri.as_deref())?;
	let name: verity_primitives::ModelName = bounded(&name, "--name")?;
	let tags: verity_primitives::Tags = tags
		.iter()
		.map(|tag| bounded::<verity_primitives::Tag>(tag, "--tag"))
		.collect::<Result<Vec<_>, _>>()?
		.try_into()
		.map_err(|_| format!("at most {} tags", verity_primitives::MAX_TAGS))?;
	let description: verity_primitives::Description = bounded(&description, "--description")?;
	let licence: verity_primitives::Licence = bounded(&licence, "--licence")?;
	let call = api::tx().model_registry().create_model(
		name.to_vec(),
		description.into_inner(),
		Static(task),
		licence.into_inner(),
		tags.into_iter().map(|tag| tag.into_inner()).collect(),
	);
	let included = chain.submit(&call, &signer).await?;
	let created = included.event::<api::model_registry::events::ModelCreated>()?;
	let (model, deposit) = (created.model, created.deposit);
	Ok(Output {
		text: format!(
			"Created model {model} ({}), deposit {deposit}",
			String::from_utf8_lossy(&name)
		),
		json: json!({
			"model": model,
			"owner": created.owner.to_string(),
			"deposit": deposit.to_string(),
			"block": included.block,
		}),
	})
}

/// `model publish`: checks, uploads and registers a new version of the signer's model.
async fn publish(chain: &Chain, global: &Global, args: PublishArgs) -> Result<Output, String> {
	let signer = signer(global.suri.as_deref())?;
	check_owner(chain, args.model, account_of(&signer).0).await?;
	let schema = read_schema(chain, &args.schema).await?;
	let artifact = digest_artifact(chain, &args.file).await?;
	let fetcher = Fetcher::new(FetcherConfig::default()).map_err(|e| e.to_string())?;
	let locations = upload_locations(&fetcher, &args, &artifact).await?;
	let zk_verifying_key = zk_key_digest(&fetcher, &args).await?;
	let (model, version) = (args.model, args.version);
	let spec = VersionSpec {
		artifact,
		format: args.format,
		schema,
		modes: VerificationModes::of(&args.modes),
		price_per_inference: args.price,
		price_per_token: args.price_per_token,
		zk_verifying_key,
		locations: locations.try_into().map_err(|_| "too many locations")?,
	};
	let locations = spec.locations.iter().map(location_json).collect::<Vec<_>>();
	let call = api::tx().model_registry().publish_version(model, Static(version), Static(spec));
	let included = chain.submit(&call, &signer).await?;
	Ok(Output {
		text: format!(
			"Published model {model} version {version}\n  blake2-256 {}\n  sha-256    {}\n  size       {} bytes",
			to_hex(&artifact.blake2_256),
			to_hex(&artifact.sha256),
			artifact.size
		),
		json: json!({
			"model": model,
			"version": version.to_string(),
			"artifact": digest_json(&artifact),
			"locations": locations,
			"block": included.block,
		}),
	})
}

/// Fails unless `model` exists and belongs to `owner` (the signer's account).
async fn check_owner(chain: &Chain, model: ModelId, owner: [u8; 32]) -> Result<(), String> {
	let info = model_info(chain, model).await?;
	if info.owner != owner {
		return Err(format!(
			"model {model} belongs to {}, not to the signer",
			AccountId32(info.owner)
		));
	}
	Ok(())
}

/// The record of `model`, or an error if there is none.
async fn model_info(chain: &Chain, model: ModelId) -> Result<Info, String> {
	let info = chain.fetch(api::storage().model_registry().models(), (model,)).await?;
	Ok(info.ok_or(format!("no model {model}"))?.0)
}

/// Reads the schema file at `path` and validates it against the chain's limits.
async fn read_schema(chain: &Chain, path: &Path) -> Result<IoSchema, String> {
	let schema_text =
		std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
	let parsed = schema::parse(&schema_text)?;
	let constants = api::constants().model_registry();
	let max_elements: u64 = chain.constant(constants.max_tensor_elements()).await?;
	let max_context: u32 = chain.constant(constants.max_context_tokens()).await?;
	parsed
		.validate(max_elements, max_context)
		.map_err(|e| schema_message(e, max_elements, max_context))?;
	Ok(parsed)
}

/// The digests of the artifact `file`, which must be non-empty and within the chain's size.
async fn digest_artifact(chain: &Chain, file: &Path) -> Result<ArtifactDigest, String> {
	let artifact = digest_file(file).await?;
	let max_size: u64 =
		chain.constant(api::constants().model_registry().max_artifact_size()).await?;
	if artifact.size > max_size {
		return Err(format!(
			"{} is {} bytes, larger than the chain's maximum artifact size of {max_size} bytes",
			file.display(),
			artifact.size
		));
	}
	if artifact.size == 0 {
		return Err(format!("{} is empty", file.display()));
	}
	Ok(artifact)
}

/// Uploads the artifact where `args` asks to and returns the locations to record.
async fn upload_locations(
	fetcher: &Fetcher,
	args: &PublishArgs,
	artifact: &ArtifactDigest,
) -> Result<Vec<StorageLocation>, String> {
	let (file, store_url) = (&args.file, &args.store_url);
	let mut locations = Vec::new();
	if !args.no_upload {
		fetcher
			.upload_to_store(store_url, file, artifact)
			.await
			.map_err(|e| format!("uploading {} to the artifact store: {e}", file.display()))?;
	}
	locations.push(StorageLocation::ArtifactStore(bounded(store_url, "--store-url")?));
	if let Some(publisher) = &args.walrus_publisher {
		let blob = fetcher
			.walrus_publish(publisher, file, args.walrus_epochs)
			.await
			.map_err(|e| format!("publishing to Walrus: {e}"))?;
		locations.push(StorageLocation::Walrus(bounded(&blob, "Walrus blob id")?));
	}
	if let Some(cid) = &args.ipfs_cid {
		locations.push(StorageLocation::Ipfs(bounded(cid, "--ipfs-cid")?));
	}
	if let Some(url) = &args.https_url {
		locations.push(StorageLocation::Https(bounded(url, "--https-url")?));
	}
	if let Some(location) = locations.iter().find(|location| !location.is_well_formed()) {
		return Err(format!("malformed location {}", location_json(location)));
	}
	Ok(locations)
}

/// The digest of `--zk-verifying-key`, if given, uploaded to the store unless `--no-upload`.
async fn zk_key_digest(
	fetcher: &Fetcher,
	args: &PublishArgs,
) -> Result<Option<ArtifactDigest>, String> {
	let Some(path) = &args.zk_verifying_key else {
		return Ok(None);
	};
	let digest = digest_file(path).await?;
	if !args.no_upload {
		fetcher
			.upload_to_store(&args.store_url, path, &digest)
			.await
			.map_err(|e| format!("uploading the verifying key: {e}"))?;
	}
	Ok(Some(digest))
}

/// `model list`: every model, or only those of `owner`.
async fn list(chain: &Chain, owner: Option<AccountId32>) -> Result<Output, String> {
	let mut models: Vec<(ModelId, Info)> = chain
		.fetch_all(api::storage().model_registry().models(), ())
		.await?
		.into_iter()
		.map(|((id,), info)| (id, info.0))
		.collect();
	models.retain(|(_, info)| owner.as_ref().is_none_or(|owner| owner.0 == info.owner));
	models.sort_by_key(|(id, _)| *id);
	let text = if models.is_empty() {
		"No models.".to_owned()
	} else {
		models
			.iter()
			.map(|(id, info)| {
				format!(
					"{id:>4}  {:<32} {:<16} latest {:<8} owner {}",
					String::from_utf8_lossy(&info.name),
					info.task.name(),
					info.latest_version.map(|v| v.to_string()).unwrap_or("-".into()),
					AccountId32(info.owner)
				)
			})
			.collect::<Vec<_>>()
			.join("\n")
	};
	Ok(Output { text, json: models.iter().map(|(id, info)| model_json(*id, info)).collect() })
}

/// `model show`: a model and all its versions.
async fn show(chain: &Chain, model: ModelId) -> Result<Output, String> {
	let info = model_info(chain, model).await?;
	let mut versions: Vec<(VersionNumber, Version)> = chain
		.fetch_all(api::storage().model_registry().versions(), (model,))
		.await?
		.into_iter()
		.map(|((_, number), version)| (number.0, version.0))
		.collect();
	versions.sort_by_key(|(number, _)| *number);
	let mut text = format!(
		"Model {model}: {} ({}, licence {})\n  owner {}\n  {}\n",
		String::from_utf8_lossy(&info.name),
		info.task.name(),
		String::from_utf8_lossy(&info.licence),
		AccountId32(info.owner),
		String::from_utf8_lossy(&info.description),
	);
	for (number, version) in &versions {
		text.push_str(&format!(
			"  {number:<8} {:<11} {:<12} blake2-256 {} ({} bytes)\n",
			status_name(&version.status),
			version.spec.format.name(),
			to_hex(&version.spec.artifact.blake2_256),
			version.spec.artifact.size
		));
	}
	let mut json = model_json(model, &info);
	json["versions"] =
		versions.iter().map(|(number, version)| version_json(*number, version)).collect();
	Ok(Output { text: text.trim_end().to_owned(), json })
}

/// `model deprecate`: deprecates a version of the signer's model.
async fn deprecate(
	chain: &Chain,
	global: &Global,
	reference: ModelVersionRef,
) -> Result<Output, String> {
	let call =
		api::tx().model_registry().deprecate_version(reference.model, Static(reference.version));
	let included = signed_call(chain, global, &call).await?;
	Ok(done(
		format!("Deprecated {reference}"),
		json!({ "deprecated": reference.to_string(), "block": included }),
	))
}

/// `model remove`: removes a version (`<id>@<version>`) or a model without versions (`<id>`).
async fn remove(chain: &Chain, global: &Global, target: String) -> Result<Output, String> {
	if target.contains('@') {
		let reference: ModelVersionRef = target.parse()?;
		let call =
			api::tx().model_registry().remove_version(reference.model, Static(reference.version));
		let included = signed_call(chain, global, &call).await?;
		Ok(done(
			format!("Removed {reference}"),
			json!({ "removed": reference.to_string(), "block": included }),
		))
	} else {
		let model: ModelId =
			target.parse().map_err(|_| "expected <model-id> or <model-id>@<major>.<minor>")?;
		let call = api::tx().model_registry().remove_model(model);
		let included = signed_call(chain, global, &call).await?;
		Ok(done(
			format!("Removed model {model}"),
			json!({ "removed": model.to_string(), "block": included }),
		))
	}
}

/// `model transfer`: offers the signer's model to `to`.
async fn transfer(
	chain: &Chain,
	global: &Global,
	model: ModelId,
	to: AccountId32,
) -> Result<Output, String> {
	let call = api::tx().model_registry().offer_ownership(model, to);
	let included = signed_call(chain, global, &call).await?;
	Ok(done(
		format!("Offered model {model} to {to}; it becomes theirs when they run `verity model accept {model}`"),
		json!({ "model": model, "offered_to": to.to_string(), "block": included }),
	))
}

/// `model accept`: accepts a model offered to the signer.
async fn accept(chain: &Chain, global: &Global, model: ModelId) -> Result<Output, String> {
	let call = api::tx().model_registry().accept_ownership(model);
	let included = signed_call(chain, global, &call).await?;
	Ok(done(
		format!("Model {model} is now the signer's"),
		json!({ "model": model, "block": included }),
	))
}

/// `model download`: writes a version's artifact to a file, verified against the chain.
async fn download(chain: &Chain, args: DownloadArgs) -> Result<Output, String> {
	let DownloadArgs { reference, output, walrus_aggregator, ipfs_gateway, timeout } = args;
	let version: Version = chain
		.fetch(
			api::storage().model_registry().versions(),
			(reference.model, Static(reference.version)),
		)
		.await?
		.ok_or(format!("no version {reference} on chain"))?
		.0;
	if version.status != VersionStatus::Active {
		eprintln!(
			"Warning: {reference} is {}; downloading it for audit",
			status_name(&version.status)
		);
	}
	let fetcher = Fetcher::new(FetcherConfig {
		walrus_aggregator,
		ipfs_gateway,
		timeout: std::time::Duration::from_secs(timeout),
		addresses: chain.download_policy(),
		..Default::default()
	})
	.map_err(|e| e.to_string())?;
	let used = fetcher
		.fetch_first_to_file(&version.spec.locations, &version.spec.artifact, &output)
		.await
		.map_err(|e| format!("{reference} not downloaded: {e}"))?;
	let artifact = &version.spec.artifact;
	Ok(Output {
		text: format!(
			"Downloaded {reference} to {} ({} bytes, blake2-256 and sha-256 verified)",
			output.display(),
			artifact.size
		),
		json: json!({
			"model": reference.model,
			"version": reference.version.to_string(),
			"file": output.display().to_string(),
			"artifact": digest_json(artifact),
			"location": location_json(&version.spec.locations[used]),
		}),
	})
}

/// Signs and submits a call of the registry; returns the block that holds it.
async fn signed_call(
	chain: &Chain,
	global: &Global,
	call: &impl subxt::transactions::Payload,
) -> Result<String, String> {
	let signer = signer(global.suri.as_deref())?;
	Ok(chain.submit(call, &signer).await?.block)
}

fn done(text: String, json: Json) -> Output {
	Output { text, json }
}

/// The digests of a file, read in 1 MiB pieces.
pub(crate) async fn digest_file(path: &Path) -> Result<ArtifactDigest, String> {
	use tokio::io::AsyncReadExt;
	let mut file =
		tokio::fs::File::open(path).await.map_err(|e| format!("{}: {e}", path.display()))?;
	let mut hasher = ArtifactHasher::new();
	let mut buffer = vec![0u8; 1 << 20];
	loop {
		let read = file.read(&mut buffer).await.map_err(|e| format!("{}: {e}", path.display()))?;
		if read == 0 {
			return Ok(hasher.finish());
		}
		hasher.update(&buffer[..read]);
	}
}

fn bounded<B: TryFrom<Vec<u8>>>(text: &str, what: &str) -> Result<B, String> {
	text.as_bytes()
		.to_vec()
		.try_into()
		.map_err(|_| format!("{what} is too long ({} bytes)", text.len()))
}

fn schema_message(error: SchemaError, max_elements: u64, max_context: u32) -> String {
	let reason = match error {
		SchemaError::NoTensors => {
			"a tensor schema needs at least one input and one output".to_owned()
		},
		SchemaError::EmptyTensorName => "every tensor needs a name".to_owned(),
		SchemaError::DuplicateTensorName => "two tensors on the same side share a name".to_owned(),
		SchemaError::ZeroDimension => "a dimension is zero".to_owned(),
		SchemaError::TensorTooLarge => {
			format!("a tensor has more than the chain's {max_elements} elements")
		},
		SchemaError::BadContextLength => format!("max_context_tokens must be 1..={max_context}"),
	};
	format!("schema: {reason} ({error:?})")
}

fn status_name(status: &VersionStatus) -> &'static str {
	match status {
		VersionStatus::Active => "active",
		VersionStatus::Deprecated => "deprecated",
		VersionStatus::TakenDown { .. } => "taken-down",
	}
}

fn digest_json(digest: &ArtifactDigest) -> Json {
	json!({ "blake2_256": to_hex(&digest.blake2_256), "sha256": to_hex(&digest.sha256), "size": digest.size })
}

fn location_json(location: &StorageLocation) -> Json {
	let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
	match location {
		StorageLocation::ArtifactStore(url) => json!({ "artifact_store": text(url) }),
		StorageLocation::Walrus(blob) => json!({ "walrus": text(blob) }),
		StorageLocation::Ipfs(cid) => json!({ "ipfs": text(cid) }),
		StorageLocation::Https(url) => json!({ "https": text(url) }),
	}
}

fn model_json(id: ModelId, info: &Info) -> Json {
	json!({
		"id": id,
		"owner": AccountId32(info.owner).to_string(),
		"name": String::from_utf8_lossy(&info.name),
		"description": String::from_utf8_lossy(&info.description),
		"task": info.task.name(),
		"licence": String::from_utf8_lossy(&info.licence),
		"tags": info.tags.iter().map(|tag| String::from_utf8_lossy(tag).into_owned()).collect::<Vec<_>>(),
		"latest_version": info.latest_version.map(|version| version.to_string()),
		"version_count": info.version_count,
		"deposit": info.deposit.to_string(),
		"versions_deposit": info.versions_deposit.to_string(),
	})
}

fn version_json(number: VersionNumber, version: &Version) -> Json {
	let spec = &version.spec;
	let mut json = json!({
		"version": number.to_string(),
		"status": status_name(&version.status),
		"artifact": digest_json(&spec.artifact),
		"format": spec.format.name(),
		"schema": schema::to_json(&spec.schema),
		"modes": spec.modes.iter().map(|mode| mode.name()).collect::<Vec<_>>(),
		"price_per_inference": spec.price_per_inference.to_string(),
		"price_per_token": spec.price_per_token.to_string(),
		"zk_verifying_key": spec.zk_verifying_key.as_ref().map(digest_json),
		"locations": spec.locations.iter().map(location_json).collect::<Vec<_>>(),
		"published_at": version.published_at,
		"deposit": version.deposit.to_string(),
	});
	if let VersionStatus::TakenDown { reason } = &version.status {
		json["take_down_reason"] = json!(String::from_utf8_lossy(reason));
	}
	json
}
