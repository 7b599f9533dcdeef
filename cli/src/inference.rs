//! `verity worker ...`, `verity infer ...` and `verity receipt verify ...`: the inference
//! pipeline from the command line.

use crate::{Global, Output};
use serde_json::{json, Value as Json};
use std::{
	path::PathBuf,
	time::{Duration, Instant},
};
use verity_client::{
	api, chain::account_of, receipts as receipt_signer, signer, wait::wait_for_result,
	worker::fetch_worker_info, AccountId32, Chain, Static,
};
use verity_primitives::{
	blake2_256, HardwareClass, IoSchema, ModelVersion, ModelVersionRef, RequestId, RequestInput,
	ResultOutput, SigningKey, VerificationMode, VerificationModes, MAX_INLINE_INPUT,
};
use verity_worker::tensor;

pub(crate) type Balance = u128;
type Settled = verity_client::wait::Settled;

#[derive(Debug, clap::Subcommand)]
pub enum WorkerCommand {
	/// Register the signer as a worker and bond stake.
	Register {
		#[command(flatten)]
		offer: Offer,
		/// The receipt-signing key (hex); by default read from the worker's `/v1/info` at
		/// `--endpoint`, with its proof of possession for the signer's account.
		#[arg(long, requires = "key_proof")]
		signing_key: Option<String>,
		/// The key's signature over `key_possession_payload(genesis, signer account, key)`
		/// (hex), with `--signing-key`.
		#[arg(long, requires = "signing_key")]
		key_proof: Option<String>,
		/// Stake to bond, in the smallest unit of the token.
		#[arg(long)]
		stake: Balance,
	},
	/// Change what the signer's worker serves, where it listens and what it charges.
	Update {
		#[command(flatten)]
		offer: Offer,
	},
	/// Set the shortest deadline (blocks ahead) the signer's worker accepts: requests with a
	/// shorter one go to other workers.
	MinDeadline {
		/// Blocks ahead (at most the chain's longest deadline; 0: the chain's minimum).
		blocks: u32,
	},
	/// Show a worker (by default the signer's account).
	Show {
		/// The worker's account (SS58).
		account: Option<String>,
	},
}

/// What a worker offers: where it listens, what it serves, on what, for how much.
#[derive(Debug, clap::Args)]
pub struct Offer {
	/// The URL requesters and the chain know the worker by.
	#[arg(long)]
	pub endpoint: String,
	/// A model version it serves, `<model>@<major>.<minor>` (repeat for more).
	#[arg(long = "model", required = true)]
	pub models: Vec<ModelVersionRef>,
	/// Verification modes it supports, comma-separated: vanilla, tee, zkml.
	#[arg(long, value_delimiter = ',', default_value = "vanilla")]
	pub modes: Vec<VerificationMode>,
	/// What it computes on: cpu, cuda-gpu.
	#[arg(long, default_value = "cpu")]
	pub hardware: HardwareClass,
	/// Its fee per inference, in the smallest unit of the token.
	#[arg(long, default_value_t = 0)]
	pub fee: Balance,
}

impl Offer {
	/// The endpoint as the calls take it (its bound checked here for a clearer message).
	fn endpoint(&self) -> Result<Vec<u8>, String> {
		let endpoint: verity_primitives::Endpoint =
			self.endpoint.as_bytes().to_vec().try_into().map_err(|_| "--endpoint is too long")?;
		Ok(endpoint.into_inner())
	}

	fn hardware(&self) -> Static<HardwareClass> {
		Static(self.hardware)
	}

	fn modes(&self) -> Static<VerificationModes> {
		Static(VerificationModes::of(&self.modes))
	}

	fn models(&self) -> Vec<Static<ModelVersionRef>> {
		self.models.iter().copied().map(Static).collect()
	}

	fn served(&self) -> String {
		self.models.iter().map(|m| m.to_string()).collect::<Vec<_>>().join(", ")
	}
}

/// How a request is verified, what it may cost and how long it may take (`verity infer` and
/// `verity chat`).
#[derive(Debug, clap::Args)]
pub struct RequestTerms {
	/// Verification mode: vanilla, tee, zkml (integer tensor models only).
	#[arg(long, default_value = "vanilla")]
	pub mode: VerificationMode,
	/// Most the request may cost (the version's price, for a chat every token's price, the
	/// worker's fee and the protocol's share), in the smallest unit of the token; default
	/// 10 VRT.
	#[arg(long, default_value_t = 10 * 10u128.pow(18))]
	pub max_fee: Balance,
	/// Blocks the worker has to answer.
	#[arg(long, default_value_t = 20)]
	pub deadline: u32,
	/// Seconds to wait for the result.
	#[arg(long, default_value_t = 300)]
	pub timeout: u64,
}

#[derive(Debug, clap::Args)]
pub struct InferArgs {
	/// The model version, `<model>@<major>.<minor>`.
	target: ModelVersionRef,
	/// JSON file with the input: `{tensor name: nested array}`, or a bare array for a
	/// single-input model.
	#[arg(long)]
	input: PathBuf,
	#[command(flatten)]
	terms: RequestTerms,
	/// Store the input in the artifact store at this base URL and name it by digest, instead
	/// of carrying it inline (for inputs over the inline limit).
	#[arg(long, value_name = "URL")]
	input_store: Option<String>,
	/// With `--input-store`: the input is already there; do not upload it.
	#[arg(long, requires = "input_store")]
	no_upload: bool,
}

#[derive(Debug, clap::Subcommand)]
pub enum ReceiptCommand {
	/// Re-check a settled result's receipt against the chain's state, on this machine.
	Verify {
		/// The request.
		request: RequestId,
		/// The input JSON file, to check the receipt's input digest too.
		#[arg(long)]
		input: Option<PathBuf>,
	},
	/// Dispute a settled result of an integer or chat model: another worker, drawn in a
	/// later block, re-executes the request's own input (for a chat result: one prefill over
	/// the prompt and the claimed tokens, checked against the fingerprints its receipt signs)
	/// at your expense (its fee, plus a bond lost if the result stands); a disagreement goes
	/// to a third worker and the minority is slashed.
	Dispute {
		/// The request whose result you dispute.
		request: RequestId,
	},
}

/// The version record and its tensor schema.
pub(crate) async fn version_of(
	chain: &Chain,
	target: &ModelVersionRef,
) -> Result<ModelVersion<Balance, u32>, String> {
	let address = api::storage().model_registry().versions();
	chain
		.fetch(address, (target.model, Static(target.version)))
		.await?
		.map(|version| version.0)
		.ok_or_else(|| format!("model version {target} does not exist"))
}

pub(crate) fn tensors(
	schema: &IoSchema,
) -> Result<(&[verity_primitives::TensorSpec], &[verity_primitives::TensorSpec]), String> {
	match schema {
		IoSchema::Tensors { inputs, outputs } => Ok((inputs, outputs)),
		IoSchema::Chat { .. } => Err("a chat model: ask it with `verity chat`".into()),
	}
}

pub(crate) fn read_input(
	path: &PathBuf,
	specs: &[verity_primitives::TensorSpec],
) -> Result<Vec<u8>, String> {
	let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
	let value: Json =
		serde_json::from_str(&text).map_err(|e| format!("{}: not JSON: {e}", path.display()))?;
	tensor::json_to_bytes(specs, &value).map_err(|e| format!("{}: {e}", path.display()))
}

/// `N` bytes from hex (an optional `0x` prefix), or an error naming `what`.
fn hex_bytes<const N: usize>(text: &str, what: &str) -> Result<[u8; N], String> {
	hex::decode(text.trim_start_matches("0x"))
		.ok()
		.and_then(|bytes| bytes.try_into().ok())
		.ok_or_else(|| format!("{what} must be {N} bytes of hex"))
}

/// The signing key and its proof of possession for `account`, from the worker's `/v1/info`.
async fn registration_from(
	endpoint: &str,
	account: &AccountId32,
) -> Result<(SigningKey, [u8; 64]), String> {
	let info = fetch_worker_info(endpoint)
		.await
		.map_err(|e| format!("reading the signing key from {endpoint}/v1/info: {e}"))?;
	match info.registration {
		Some((configured, proof)) if configured == account.0 => Ok((info.signing_key, proof)),
		Some((configured, _)) => Err(format!(
			"the worker at {endpoint} is configured for account {}; register it from that \
			 account, or restart it with --account {account}",
			AccountId32(configured)
		)),
		None => Err(format!(
			"the worker at {endpoint} has no account configured, so it cannot prove that \
			 {account} holds its key; restart it with --account {account}"
		)),
	}
}

pub async fn worker(command: WorkerCommand, global: &Global) -> Result<Output, String> {
	let chain = Chain::connect(&global.url).await?;
	match command {
		WorkerCommand::Register { offer, signing_key, key_proof, stake } => {
			let signer = signer(global.suri.as_deref())?;
			register(&chain, &signer, offer, signing_key.zip(key_proof), stake).await
		},
		WorkerCommand::Update { offer } => {
			let signer = signer(global.suri.as_deref())?;
			let call = api::tx().inference().update_worker(
				offer.endpoint()?,
				offer.hardware(),
				offer.modes(),
				offer.models(),
				offer.fee,
			);
			let included = chain.submit(&call, &signer).await?;
			Ok(Output {
				text: format!("Worker {} now serves {}", account_of(&signer), offer.served()),
				json: json!({"worker": account_of(&signer).to_string(), "block": included.block}),
			})
		},
		WorkerCommand::MinDeadline { blocks } => {
			let signer = signer(global.suri.as_deref())?;
			let call = api::tx().inference().set_min_deadline(blocks);
			let included = chain.submit(&call, &signer).await?;
			Ok(Output {
				text: format!(
					"Worker {} now takes requests with deadlines of {blocks} blocks or more",
					account_of(&signer)
				),
				json: json!({
					"worker": account_of(&signer).to_string(),
					"min_deadline": blocks,
					"block": included.block,
				}),
			})
		},
		WorkerCommand::Show { account } => {
			let account: AccountId32 = match account {
				Some(text) => text.parse().map_err(|e| format!("not an SS58 account: {e:?}"))?,
				None => account_of(&signer(global.suri.as_deref())?),
			};
			show(&chain, account).await
		},
	}
}

/// `verity worker register`: the key and its proof given, or read from the worker's
/// `/v1/info`.
async fn register(
	chain: &Chain,
	signer: &verity_client::Keypair,
	offer: Offer,
	given: Option<(String, String)>,
	stake: Balance,
) -> Result<Output, String> {
	let account = account_of(signer);
	let (key, proof) = match given {
		Some((key, proof)) => {
			(hex_bytes::<32>(&key, "--signing-key")?, hex_bytes::<64>(&proof, "--key-proof")?)
		},
		None => registration_from(&offer.endpoint, &account).await?,
	};
	let call = api::tx().inference().register_worker(
		key,
		proof,
		offer.endpoint()?,
		offer.hardware(),
		offer.modes(),
		offer.models(),
		offer.fee,
		stake,
	);
	let included = chain.submit(&call, signer).await?;
	Ok(Output {
		text: format!(
			"Registered worker {account} (signing key 0x{}), stake {stake}, serving {}",
			hex::encode(key),
			offer.served()
		),
		json: json!({
			"worker": account.to_string(),
			"signing_key": hex::encode(key),
			"stake": stake.to_string(),
			"block": included.block,
		}),
	})
}

/// `verity worker show`: the worker's record.
async fn show(chain: &Chain, account: AccountId32) -> Result<Output, String> {
	let info = chain
		.fetch(api::storage().inference().workers(), (account,))
		.await?
		.ok_or_else(|| format!("{account} is not a registered worker"))?
		.0;
	let modes = VerificationMode::ALL.iter().filter(|m| info.modes.contains(**m));
	let json = json!({
		"worker": account.to_string(),
		"signing_key": hex::encode(info.signing_key),
		"endpoint": String::from_utf8_lossy(&info.endpoint),
		"hardware": info.hardware.name(),
		"modes": modes.map(|m| m.name()).collect::<Vec<_>>(),
		"models": info.models.iter().map(|m| m.to_string()).collect::<Vec<_>>(),
		"fee": info.fee_per_inference.to_string(),
		"stake": info.stake.to_string(),
		"open_requests": info.open_requests,
		"delivered": info.delivered,
		"missed": info.missed,
		"min_deadline": info.min_deadline,
	});
	Ok(Output { text: serde_json::to_string_pretty(&json).unwrap_or_default(), json })
}

pub async fn infer(args: InferArgs, global: &Global) -> Result<Output, String> {
	let chain = Chain::connect(&global.url).await?;
	let signer = signer(global.suri.as_deref())?;
	let version = version_of(&chain, &args.target).await?;
	let (inputs, outputs) = tensors(&version.spec.schema)?;
	let input = read_input(&args.input, inputs)?;
	let request_input = request_input(&input, &args).await?;
	let started = Instant::now();
	let call = api::tx().inference().request_inference(
		Static(args.target),
		Static(request_input),
		Static(args.terms.mode),
		args.terms.max_fee,
		args.terms.deadline,
	);
	let included = chain.submit(&call, &signer).await?;
	let api::inference::events::InferenceRequested { request, worker, fee, deadline, .. } =
		included.event::<api::inference::events::InferenceRequested>()?;
	// ZKML's answer time counts from `started`, as the latency does, not from the wait's start.
	let submitted = started.elapsed();
	let outcome = wait_for_result(&chain, request, Duration::from_secs(args.terms.timeout)).await?;
	let latency = started.elapsed();
	let answered = outcome.answered_after.map(|after| submitted + after);
	let settled = outcome.settled;
	let ResultOutput::Inline(bytes) = &settled.output else {
		return Err(format!(
			"request {request}: the output is stored by digest ({}); fetch it from its location",
			hex::encode(settled.output.digest())
		));
	};
	let output = tensor::bytes_to_json(outputs, bytes).map_err(|e| e.to_string())?;
	let checks = check_receipt(&chain, &settled, Some(&input)).await?;
	let verified = checks.iter().all(|(_, ok, _)| *ok);
	let json = json!({
		"request": request,
		"worker": worker.to_string(),
		"fee": fee.to_string(),
		"deadline": deadline,
		"output": output,
		"receipt": receipt_json(&settled),
		"verified": verified,
		"checks": checks_json(&checks),
		"latency_ms": latency.as_millis() as u64,
		// ZKML: when the answer was recorded (fast path) and when its proof verified on chain.
		"zk": answered.map(|answered| json!({
			"answered_ms": answered.as_millis() as u64,
			"proof_verified_ms": latency.as_millis() as u64,
		})),
	});
	let zk_line = match answered {
		Some(answered) => format!(
			"\nZKML: answered in {:.1} s; the chain verified its Groth16 proof {:.1} s later",
			answered.as_secs_f64(),
			(latency - answered).as_secs_f64()
		),
		None => String::new(),
	};
	let text = format!(
		"Request {request} answered by {} in {:.1} s{zk_line}\nOutput: {}\nReceipt: {}\n{}",
		worker,
		latency.as_secs_f64(),
		output,
		serde_json::to_string_pretty(&json["receipt"]).unwrap_or_default(),
		checks_text(&checks)
	);
	if !verified {
		return Err(format!("{text}\nthe receipt does not verify"));
	}
	Ok(Output { text, json })
}

/// The input as the request carries it: inline, or stored (uploaded unless `--no-upload`).
async fn request_input(input: &[u8], args: &InferArgs) -> Result<RequestInput, String> {
	let Some(store) = &args.input_store else {
		return input.to_vec().try_into().map(RequestInput::Inline).map_err(|_| {
			format!(
				"the input is {} bytes; requests carry at most {MAX_INLINE_INPUT} inline (use \
				 --input-store)",
				input.len()
			)
		});
	};
	let digest = verity_primitives::ArtifactDigest::of(input);
	let location = verity_primitives::StorageLocation::ArtifactStore(
		store
			.trim_end_matches('/')
			.as_bytes()
			.to_vec()
			.try_into()
			.map_err(|_| "--input-store: URL too long")?,
	);
	if !location.is_well_formed() {
		return Err(format!("--input-store: {store} is not an http(s) URL"));
	}
	if !args.no_upload {
		let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
		let file = dir.path().join("input");
		std::fs::write(&file, input).map_err(|e| e.to_string())?;
		verity_artifact_store::Fetcher::new(verity_artifact_store::FetcherConfig::default())
			.map_err(|e| e.to_string())?
			.upload_to_store(store, &file, &digest)
			.await
			.map_err(|e| format!("uploading the input to {store}: {e}"))?;
	}
	Ok(RequestInput::Stored { digest, location })
}

/// `verity receipt dispute`: holds the bond and queues the checker's draw.
async fn dispute(chain: &Chain, request: RequestId, global: &Global) -> Result<Output, String> {
	let signer = signer(global.suri.as_deref())?;
	let included = chain.submit(&api::tx().proofs().dispute_result(request), &signer).await?;
	let api::proofs::events::DisputeAccepted { disputer, bond, draw_after, .. } =
		included.event::<api::proofs::events::DisputeAccepted>()?;
	Ok(Output {
		text: format!(
			"Request {request} disputed by {}: bond {bond} held; a checker is drawn after block \
			 {draw_after} and re-executes the request's own input",
			disputer
		),
		json: json!({
			"request": request,
			"disputer": disputer.to_string(),
			"bond": bond.to_string(),
			"draw_after": draw_after,
			"block": included.block,
		}),
	})
}

/// Every check of a settled receipt: (what, passed, detail).
pub(crate) async fn check_receipt(
	chain: &Chain,
	settled: &Settled,
	input: Option<&[u8]>,
) -> Result<Vec<(&'static str, bool, String)>, String> {
	let receipt = &settled.receipt;
	let mut checks = Vec::new();
	checks.push((
		"signature",
		receipt_signer::verify(receipt, &settled.signature, &settled.signing_key),
		format!("sr25519 by 0x{}", hex::encode(settled.signing_key)),
	));
	let genesis = chain.genesis_hash();
	checks.push((
		"chain",
		receipt.genesis_hash == genesis,
		format!("genesis 0x{}", hex::encode(receipt.genesis_hash)),
	));
	let model = version_of(chain, &receipt.model).await;
	checks.push(match &model {
		Ok(version) => (
			"model",
			version.spec.artifact.blake2_256 == receipt.model_digest,
			format!("{} = artifact 0x{}", receipt.model, hex::encode(receipt.model_digest)),
		),
		Err(e) => ("model", false, e.clone()),
	});
	// The chain's own receipt rules: an on-chain request's receipt, binding the version's spec.
	let spec = model.as_ref().ok().map(|version| version.spec.spec_hash());
	let expected = verity_primitives::ExpectedReceipt {
		genesis_hash: &genesis,
		context: verity_primitives::ReceiptContext::OnChain,
		spec_hash: spec.as_ref(),
		worker: &receipt.worker,
	};
	let mismatch = receipt.mismatch(&expected);
	checks.push((
		"spec",
		spec.is_some() && mismatch.is_none(),
		match mismatch {
			Some(mismatch) => format!("the receipt {}", mismatch.describe()),
			None => format!("on-chain receipt, spec 0x{}", hex::encode(receipt.spec_hash)),
		},
	));
	checks.push((
		"output",
		settled.output.digest() == receipt.output_digest,
		format!("digest 0x{}", hex::encode(receipt.output_digest)),
	));
	if let Some(input) = input {
		checks.push((
			"input",
			blake2_256(input) == receipt.input_digest,
			format!("digest 0x{}", hex::encode(receipt.input_digest)),
		));
	}
	if receipt.mode == VerificationMode::Zkml {
		// The chain settles a ZKML result only once the runtime verified its Groth16 proof for
		// this receipt's binding, the input and the output.
		checks.push((
			"zk proof",
			true,
			format!("verified on chain for binding 0x{}", hex::encode(receipt.zk_binding())),
		));
	}
	checks.push(worker_key_check(chain, settled).await?);
	Ok(checks)
}

/// The check that the receipt's signing key is the one its worker registered.
async fn worker_key_check(
	chain: &Chain,
	settled: &Settled,
) -> Result<(&'static str, bool, String), String> {
	let receipt = &settled.receipt;
	let address = api::storage().inference().workers();
	let worker = chain.fetch(address, (AccountId32(receipt.worker),)).await?;
	Ok(match worker {
		Some(Static(info)) => (
			"worker key",
			info.signing_key == settled.signing_key,
			format!("registered to {}", AccountId32(receipt.worker)),
		),
		None => (
			"worker key",
			true,
			format!("{} has since left; key recorded at settlement", AccountId32(receipt.worker)),
		),
	})
}

pub(crate) fn receipt_json(settled: &Settled) -> Json {
	let receipt = &settled.receipt;
	json!({
		"request": receipt.request_id,
		"model": receipt.model.to_string(),
		"model_digest": hex::encode(receipt.model_digest),
		"input_digest": hex::encode(receipt.input_digest),
		"output_digest": hex::encode(receipt.output_digest),
		"mode": receipt.mode.name(),
		"context": receipt.context.name(),
		"spec_hash": hex::encode(receipt.spec_hash),
		"worker": AccountId32(receipt.worker).to_string(),
		"genesis_hash": hex::encode(receipt.genesis_hash),
		"signing_key": hex::encode(settled.signing_key),
		"signature": hex::encode(settled.signature),
		"usage": receipt.usage.map(|usage| json!({
			"prompt_tokens": usage.prompt_tokens,
			"completion_tokens": usage.completion_tokens,
		})),
		"generation": receipt.generation.map(hex::encode),
		"settled_at": settled.settled_at,
		"paid": {
			"model_owner": settled.paid.model_price.to_string(),
			"worker": settled.paid.worker_fee.to_string(),
			"treasury": settled.paid.protocol_fee.to_string(),
			"sampling_pot": settled.paid.sampling_premium.to_string(),
		},
	})
}

pub(crate) fn checks_json(checks: &[(&str, bool, String)]) -> Json {
	checks
		.iter()
		.map(|(what, ok, detail)| json!({"check": what, "ok": ok, "detail": detail}))
		.collect()
}

pub(crate) fn checks_text(checks: &[(&str, bool, String)]) -> String {
	checks
		.iter()
		.map(|(what, ok, detail)| {
			format!("  [{}] {what}: {detail}", if *ok { "ok" } else { "FAIL" })
		})
		.collect::<Vec<_>>()
		.join("\n")
}

pub async fn receipt(command: ReceiptCommand, global: &Global) -> Result<Output, String> {
	let chain = Chain::connect(&global.url).await?;
	let (request, input) = match command {
		ReceiptCommand::Verify { request, input } => (request, input),
		ReceiptCommand::Dispute { request } => return dispute(&chain, request, global).await,
	};
	let settled = verity_client::wait::settled(&chain, request)
		.await?
		.ok_or_else(|| format!("request {request} has no settled result"))?;
	let input = match input {
		Some(path) => {
			let version = version_of(&chain, &settled.receipt.model).await?;
			Some(read_input(&path, tensors(&version.spec.schema)?.0)?)
		},
		None => None,
	};
	let checks = check_receipt(&chain, &settled, input.as_deref()).await?;
	let verified = checks.iter().all(|(_, ok, _)| *ok);
	let text = format!(
		"Receipt of request {request}: {}\n{}",
		if verified { "verified" } else { "NOT verified" },
		checks_text(&checks)
	);
	if !verified {
		return Err(text);
	}
	Ok(Output {
		text,
		json: json!({
			"request": request,
			"verified": verified,
			"checks": checks_json(&checks),
			"receipt": receipt_json(&settled),
		}),
	})
}
