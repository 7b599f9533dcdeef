//! Requests made directly to a worker (off chain) and how their receipts reach the chain:
//! `verity direct` asks a worker, `verity batch post` posts what a worker has waiting,
//! `verity batch check` re-checks a posted batch leaf by leaf and can prove a bad leaf.

use crate::{
	inference::{read_input, tensors, version_of},
	Global, Output,
};
use codec::{Decode, Encode, MaxEncodedLen};
use serde_json::json;
use std::{collections::BTreeMap, path::PathBuf};
use verity_artifact_store::{Fetcher, FetcherConfig};
use verity_client::{
	api,
	chain::account_of,
	receipts as receipt_signer, signer,
	worker::{http_call, http_call_with},
	AccountBytes as Account, AccountId32, Chain, Static, Worker,
};
use verity_primitives::{
	batch_proof, batch_root, blake2_256, AttestedSpan, BatchRecord, DirectAnswer, DirectJob,
	ExpectedReceipt, LeafContext, LeafFault, ModelVersionRef, ReceiptContext, RequestInput,
	ResultOutput, SettlementMode, StorageLocation, MAX_BATCH_LEAVES, MAX_INLINE_INPUT,
	WORKER_SECRET_HEADER,
};
use verity_worker::{
	settlement::{Leaf, Pending, Posted},
	tensor,
};

#[derive(Debug, clap::Args)]
pub struct DirectArgs {
	/// The model version, `<model id>@<major.minor>`.
	target: ModelVersionRef,
	/// JSON file with the input (as for `verity infer`).
	#[arg(long)]
	input: PathBuf,
	/// The worker to ask (SS58 account); its endpoint and key are read from the chain.
	#[arg(long)]
	worker: AccountId32,
	/// How the receipt settles: individual, batch or private.
	#[arg(long, default_value = "batch")]
	settlement: Settlement,
	/// Your number for the request (it is in the receipt); default: the current unix ms.
	#[arg(long)]
	request_id: Option<u64>,
}

/// [`SettlementMode`] on the command line.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Settlement {
	/// The receipt is recorded on chain by itself.
	Individual,
	/// The receipt goes into the worker's next batch.
	Batch,
	/// Nothing goes on chain.
	Private,
}

impl From<Settlement> for SettlementMode {
	fn from(settlement: Settlement) -> Self {
		match settlement {
			Settlement::Individual => SettlementMode::Individual,
			Settlement::Batch => SettlementMode::Batch,
			Settlement::Private => SettlementMode::Private,
		}
	}
}

#[derive(Debug, clap::Subcommand)]
pub enum BatchCommand {
	/// Post what the worker has waiting: the roots of closed batches and the receipts to
	/// record individually (run by the worker's operator; `--suri` is the worker account).
	Post {
		/// The worker's HTTP endpoint.
		#[arg(long, default_value = "http://127.0.0.1:9956")]
		worker_url: String,
		/// The file holding the secret the worker shares with its node
		/// (`<base-path>/chains/<chain>/worker/node-secret` by default on the node).
		#[arg(long, value_name = "PATH")]
		worker_secret_file: PathBuf,
	},
	/// Fetch a posted batch's leaves from where the batch says they are and check every one
	/// (root, chain, worker, signature, spec, TEE attestation); with `--challenge`, prove the
	/// first invalid leaf on chain.
	Check {
		/// The batch id on chain.
		batch: u64,
		/// Fetch the leaves file from this artifact store (base URL) instead of the location
		/// the batch names on chain.
		#[arg(long, value_name = "URL")]
		store: Option<String>,
		/// IPFS HTTP gateway for leaves stored on IPFS.
		#[arg(long, value_name = "URL", default_value = "https://ipfs.io")]
		ipfs_gateway: String,
		/// Walrus aggregator for leaves stored on Walrus.
		#[arg(
			long,
			value_name = "URL",
			default_value = "https://aggregator.walrus-testnet.walrus.space"
		)]
		walrus_aggregator: String,
		/// Submit a challenge for the first invalid leaf (signed with `--suri`).
		#[arg(long)]
		challenge: bool,
	},
}

async fn worker_record(chain: &Chain, worker: &AccountId32) -> Result<Worker, String> {
	chain
		.fetch(api::storage().inference().workers(), (*worker,))
		.await?
		.map(|worker| worker.0)
		.ok_or_else(|| format!("{worker} is not a registered worker"))
}

/// `verity direct`: run a model on a worker directly and print the output and the receipt.
pub async fn direct(args: DirectArgs, global: &Global) -> Result<Output, String> {
	let chain = Chain::connect(&global.url).await?;
	let version = version_of(&chain, &args.target).await?;
	let (inputs, outputs) = tensors(&version.spec.schema)?;
	let input = read_input(&args.input, inputs)?;
	if input.len() > MAX_INLINE_INPUT as usize {
		return Err(format!("the input is {} bytes; at most {MAX_INLINE_INPUT}", input.len()));
	}
	let worker = worker_record(&chain, &args.worker).await?;
	let request_id = args.request_id.unwrap_or_else(|| {
		std::time::SystemTime::now()
			.duration_since(std::time::UNIX_EPOCH)
			.map(|d| d.as_millis() as u64)
			.unwrap_or_default()
	});
	// Only what to run: the worker takes the version's schema and artifact from the chain.
	let job = DirectJob {
		request_id,
		model: args.target,
		input: RequestInput::Inline(input.clone().try_into().expect("length checked")),
		mode: verity_primitives::VerificationMode::Vanilla,
		settlement: args.settlement.into(),
	};
	let endpoint = String::from_utf8_lossy(&worker.endpoint).trim_end_matches('/').to_string();
	let (status, body) = http_call("POST", &format!("{endpoint}/v1/direct"), job.encode()).await?;
	if status != 200 {
		return Err(format!("the worker answered {status}: {}", String::from_utf8_lossy(&body)));
	}
	let answer = DirectAnswer::<Account>::decode(&mut &body[..])
		.map_err(|e| format!("the worker's answer does not decode: {e}"))?;
	let receipt = &answer.answer.receipt;
	let expected = ExpectedReceipt {
		genesis_hash: &chain.genesis_hash(),
		context: ReceiptContext::Direct,
		spec_hash: Some(&version.spec.spec_hash()),
		worker: &args.worker.0,
	};
	if let Some(mismatch) = receipt.mismatch(&expected) {
		return Err(format!("the worker's receipt {}", mismatch.describe()));
	}
	let valid = receipt_signer::verify(receipt, &answer.answer.signature, &worker.signing_key)
		&& receipt.request_id == request_id
		&& receipt.model == args.target
		&& receipt.input_digest == blake2_256(&input)
		&& receipt.model_digest == version.spec.artifact.blake2_256
		&& receipt.output_digest == answer.answer.output.digest();
	if !valid {
		return Err("the worker's receipt does not verify against its registered key, the \
		            model, the input and the output"
			.into());
	}
	let ResultOutput::Inline(bytes) = &answer.answer.output else {
		return Err("the output is stored by digest; fetch it from its location".into());
	};
	let output = tensor::bytes_to_json(outputs, bytes).map_err(|e| e.to_string())?;
	let leaf = Leaf { receipt: receipt.clone(), signature: answer.answer.signature };
	let json = json!({
		"request_id": request_id,
		"output": output,
		"receipt_digest": hex::encode(blake2_256(&leaf.encode())),
		"output_digest": hex::encode(receipt.output_digest),
		"signature": hex::encode(answer.answer.signature),
		"settlement": format!("{:?}", args.settlement).to_lowercase(),
		"batch": answer.batch.map(|p| json!({"sequence": p.sequence, "index": p.index})),
		"verified": true,
	});
	let text = format!(
		"Request {request_id} answered by {}\nOutput: {output}\nReceipt verified (signature, \
		 model, input, output); settlement {:?}{}",
		args.worker,
		args.settlement,
		answer
			.batch
			.map(|p| format!(", leaf {} of the worker's batch {}", p.index, p.sequence))
			.unwrap_or_default()
	);
	Ok(Output { text, json })
}

pub async fn batch(command: BatchCommand, global: &Global) -> Result<Output, String> {
	let chain = Chain::connect(&global.url).await?;
	match command {
		BatchCommand::Post { worker_url, worker_secret_file } => {
			let secret = verity_artifact_store::secret_file::read(&worker_secret_file)
				.map_err(|e| format!("the worker secret: {e}"))?;
			post(&chain, &worker_url, &secret, global).await
		},
		BatchCommand::Check { batch, store, ipfs_gateway, walrus_aggregator, challenge } => {
			let fetcher = FetcherConfig {
				walrus_aggregator: Some(walrus_aggregator),
				ipfs_gateway: Some(ipfs_gateway),
				// A store the user names may be anywhere; the chain's location only public
				// on a live chain.
				addresses: match store {
					Some(_) => verity_artifact_store::AddressPolicy::Any,
					None => chain.download_policy(),
				},
				..Default::default()
			};
			check(&chain, batch, store.as_deref(), fetcher, challenge, global).await
		},
	}
}

async fn post(
	chain: &Chain,
	worker_url: &str,
	secret: &[u8; 32],
	global: &Global,
) -> Result<Output, String> {
	let signer = signer(global.suri.as_deref())?;
	let base = worker_url.trim_end_matches('/');
	let headers = [(WORKER_SECRET_HEADER, hex::encode(secret))];
	let headers = &headers;
	let (status, body) =
		http_call_with("GET", &format!("{base}/v1/settlements"), Vec::new(), headers).await?;
	if status != 200 {
		return Err(format!("{base}/v1/settlements: {status}"));
	}
	let pending =
		Pending::decode(&mut &body[..]).map_err(|e| format!("settlements do not decode: {e}"))?;
	// Each item is reported to the worker as soon as it is on chain, so a failure half way
	// never posts the same batch or receipt twice on the next run.
	let report = |posted: Posted| async move {
		let url = format!("{base}/v1/settlements/posted");
		let (status, body) = http_call_with("POST", &url, posted.encode(), headers).await?;
		if !(200..300).contains(&status) {
			return Err(format!(
				"reporting to the worker: {status} {}",
				String::from_utf8_lossy(&body)
			));
		}
		Ok::<(), String>(())
	};
	let mut posted = Posted::default();
	let mut batch_ids = Vec::new();
	for sealed in &pending.batches {
		let call = api::tx().proofs().submit_batch(
			sealed.root,
			sealed.leaf_count,
			sealed.leaves.blake2_256,
			Static(sealed.leaves_at.clone()),
		);
		let included = chain.submit(&call, &signer).await?;
		let id = included.event::<api::proofs::events::BatchSubmitted>()?.batch;
		batch_ids.push(json!({
			"sequence": sealed.sequence,
			"batch": id,
			"leaves": sealed.leaf_count,
			"root": hex::encode(sealed.root),
		}));
		report(Posted { batches: vec![sealed.sequence], receipts: vec![] }).await?;
		posted.batches.push(sealed.sequence);
	}
	for leaf in &pending.receipts {
		let call = api::tx().proofs().record_receipt(Static(leaf.clone()));
		chain.submit(&call, &signer).await?;
		let digest = blake2_256(&leaf.encode());
		report(Posted { batches: vec![], receipts: vec![digest] }).await?;
		posted.receipts.push(digest);
	}
	Ok(Output {
		text: format!(
			"Posted {} batch(es) and recorded {} receipt(s) as {}",
			posted.batches.len(),
			posted.receipts.len(),
			account_of(&signer)
		),
		json: json!({"batches": batch_ids, "receipts": posted.receipts.len()}),
	})
}

/// What is wrong with a leaf, by the chain's own rule ([`verity_primitives::BatchLeaf::fault`]),
/// with the worker's attested spans as the chain keeps them.
fn leaf_problem(
	leaf: &Leaf,
	record: &BatchRecord<Account, u32>,
	genesis: &[u8; 32],
	spec_hash: Option<&[u8; 32]>,
	attested: &[AttestedSpan],
) -> Option<&'static str> {
	let context = LeafContext {
		worker: &record.worker,
		signing_key: &record.signing_key,
		genesis_hash: genesis,
		spec_hash,
		attested,
	};
	leaf.fault(&context, |signature, payload, key| {
		receipt_signer::verify_payload(payload, signature, key)
	})
	.map(LeafFault::describe)
}

/// The spec hash of every version the leaves name (`None` for a version with no record).
async fn spec_hashes(
	chain: &Chain,
	leaves: &[Leaf],
) -> Result<BTreeMap<ModelVersionRef, Option<[u8; 32]>>, String> {
	let mut hashes = BTreeMap::new();
	for leaf in leaves {
		let model = leaf.receipt.model;
		if let std::collections::btree_map::Entry::Vacant(e) = hashes.entry(model) {
			let hash = version_of(chain, &model).await.ok().map(|version| version.spec.spec_hash());
			e.insert(hash);
		}
	}
	Ok(hashes)
}

/// The batch's leaves file, from `store` or else from where the batch says it is; at most
/// what `MAX_BATCH_LEAVES` leaves take.
async fn fetch_leaves(
	record: &BatchRecord<Account, u32>,
	store: Option<&str>,
	config: FetcherConfig,
) -> Result<Vec<u8>, String> {
	let location = match store {
		Some(url) => StorageLocation::ArtifactStore(
			url.as_bytes().to_vec().try_into().map_err(|_| "--store: URL too long".to_owned())?,
		),
		None => record.leaves_at.clone(),
	};
	let fetcher = Fetcher::new(config).map_err(|e| e.to_string())?;
	let largest = u64::from(MAX_BATCH_LEAVES) * Leaf::max_encoded_len() as u64 + 8;
	fetcher
		.fetch_bytes(&location, &record.leaves_digest, largest)
		.await
		.map_err(|e| format!("the batch's leaves file: {e}"))
}

async fn check(
	chain: &Chain,
	batch: u64,
	store: Option<&str>,
	fetcher: FetcherConfig,
	challenge: bool,
	global: &Global,
) -> Result<Output, String> {
	let record = chain
		.fetch(api::storage().proofs().batches(), (batch,))
		.await?
		.map(|record| record.0)
		.ok_or_else(|| format!("batch {batch} is not inside its challenge window"))?;
	let file = fetch_leaves(&record, store, fetcher).await?;
	let leaves = Vec::<Leaf>::decode(&mut &file[..])
		.map_err(|e| format!("the leaves file does not decode: {e}"))?;
	let encoded: Vec<Vec<u8>> = leaves.iter().map(Encode::encode).collect();
	if leaves.len() != record.leaf_count as usize || batch_root(&encoded) != record.root {
		return Err("the leaves file does not match the batch's root and count: the worker \
		            posted a root it cannot back (no single leaf to prove)"
			.into());
	}
	let genesis = chain.genesis_hash();
	let specs = spec_hashes(chain, &leaves).await?;
	let attested: Vec<AttestedSpan> = chain
		.fetch(api::storage().proofs().attested_spans(), (AccountId32(record.worker),))
		.await?
		.unwrap_or_default()
		.into_iter()
		.map(|span| span.0)
		.collect();
	let bad: Vec<(u32, &'static str)> = leaves
		.iter()
		.enumerate()
		.filter_map(|(index, leaf)| {
			let spec = specs.get(&leaf.receipt.model).copied().flatten();
			leaf_problem(leaf, &record, &genesis, spec.as_ref(), &attested)
				.map(|p| (index as u32, p))
		})
		.collect();
	let mut challenged = None;
	if let (true, Some((index, _))) = (challenge, bad.first()) {
		let signer = signer(global.suri.as_deref())?;
		let proof = batch_proof(&encoded, *index).ok_or("index out of range")?;
		let leaf = Static(leaves[*index as usize].clone());
		let call = api::tx().proofs().challenge_leaf(batch, *index, leaf, proof);
		chain.submit(&call, &signer).await?;
		challenged = Some(*index);
	}
	let json = json!({
		"batch": batch,
		"leaves": leaves.len(),
		"worker": AccountId32(record.worker).to_string(),
		"invalid": bad.iter().map(|(i, p)| json!({"index": i, "problem": p})).collect::<Vec<_>>(),
		"challenged": challenged,
	});
	let text = if bad.is_empty() {
		format!("Batch {batch}: all {} leaves are valid", leaves.len())
	} else {
		let list: Vec<String> = bad.iter().map(|(i, p)| format!("leaf {i} {p}")).collect();
		format!(
			"Batch {batch}: {} of {} leaves are invalid: {}{}",
			bad.len(),
			leaves.len(),
			list.join("; "),
			challenged
				.map(|i| format!("\nChallenged leaf {i}: the worker is slashed"))
				.unwrap_or_default()
		)
	};
	Ok(Output { text, json })
}
