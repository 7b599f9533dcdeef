//! `verity chat <model>@<version> "prompt"`: asks a chat model through the chain
//! (`request_chat`: the fee held covers `--max-tokens`, settlement pays for the tokens used),
//! prints the answer live from the assigned worker's stream, then waits for the result on chain
//! and verifies its receipt: signature, chain, version spec, model artifact, the whole request
//! (its digest), the output (the streamed text is what the receipt signs), the token usage
//! within what was paid for, and the worker's registered key.

use crate::{
	inference::{
		check_receipt, checks_json, checks_text, receipt_json, version_of, Balance, RequestTerms,
	},
	Global, Output,
};
use serde_json::{json, Value as Json};
use std::{
	io::Write,
	path::PathBuf,
	sync::{Arc, Mutex},
	time::{Duration, Instant},
};
use verity_client::{
	api, signer,
	wait::wait_for_result,
	worker::{follow_chat_job, StreamEnd},
	AccountId32, Chain, Static,
};
use verity_llm::chat::{ChatRequest, Message, Role};
use verity_primitives::{
	blake2_256, chat_output_limit, IoSchema, ModelVersionRef, RequestId, RequestInput,
	ResultOutput, MAX_INLINE_INPUT,
};

#[derive(Debug, clap::Args)]
pub struct ChatArgs {
	/// The chat model version, `<model>@<major>.<minor>`.
	target: ModelVersionRef,
	/// What to ask (a user message); with `--messages`, appended after them.
	prompt: Option<String>,
	/// JSON file with the conversation: a list of messages, or a whole chat request (messages,
	/// tools, tool_choice, ...) whose sampling options the flags given here replace.
	#[arg(long)]
	messages: Option<PathBuf>,
	/// A system message put first.
	#[arg(long)]
	system: Option<String>,
	/// Most tokens of the answer: what the fee held pays for.
	#[arg(long, default_value_t = 256)]
	max_tokens: u32,
	/// 0 for greedy decoding.
	#[arg(long)]
	temperature: Option<f32>,
	/// Nucleus sampling (1 keeps every token).
	#[arg(long)]
	top_p: Option<f32>,
	/// Keep the k most likely tokens (0 keeps all).
	#[arg(long)]
	top_k: Option<u32>,
	/// Seed of the sampler: the same request and seed give the same answer.
	#[arg(long)]
	seed: Option<u64>,
	/// A text that ends the answer (repeat for more).
	#[arg(long)]
	stop: Vec<String>,
	#[command(flatten)]
	terms: RequestTerms,
}

/// The chat request the flags describe, checked by the rules the worker applies.
fn chat_request(args: &ChatArgs) -> Result<ChatRequest, String> {
	let mut request = match &args.messages {
		Some(path) => read_conversation(path)?,
		None => ChatRequest {
			messages: Vec::new(),
			tools: Vec::new(),
			tool_choice: None,
			max_tokens: args.max_tokens,
			temperature: 0.0,
			top_p: 1.0,
			top_k: 0,
			seed: 0,
			stop: Vec::new(),
		},
	};
	if let Some(system) = &args.system {
		request.messages.insert(0, message(Role::System, system));
	}
	if let Some(prompt) = &args.prompt {
		request.messages.push(message(Role::User, prompt));
	}
	request.max_tokens = args.max_tokens;
	request.temperature = args.temperature.unwrap_or(request.temperature);
	request.top_p = args.top_p.unwrap_or(request.top_p);
	request.top_k = args.top_k.unwrap_or(request.top_k);
	request.seed = args.seed.unwrap_or(request.seed);
	if !args.stop.is_empty() {
		request.stop = args.stop.clone();
	}
	request.validate().map_err(|e| e.to_string())?;
	Ok(request)
}

fn message(role: Role, content: &str) -> Message {
	Message { role, content: Some(content.to_owned()), tool_calls: Vec::new(), tool_call_id: None }
}

/// A conversation file: a list of messages, or a whole request.
fn read_conversation(path: &PathBuf) -> Result<ChatRequest, String> {
	let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
	let value: Json =
		serde_json::from_str(&text).map_err(|e| format!("{}: not JSON: {e}", path.display()))?;
	let value = match value {
		Json::Array(messages) => json!({"messages": messages, "max_tokens": 1}),
		Json::Object(mut request) => {
			request.entry("max_tokens").or_insert(json!(1));
			Json::Object(request)
		},
		_ => return Err(format!("{}: expected a list of messages or a request", path.display())),
	};
	serde_json::from_value(value).map_err(|e| format!("{}: {e}", path.display()))
}

/// The live text of a job as it arrived: each piece's arrival here and production time on the
/// worker, and the text (at most `limit` bytes are kept).
#[derive(Default)]
struct Live {
	text: String,
	arrivals: Vec<Instant>,
	worker_ms: Vec<u64>,
	limit: usize,
	/// More text came than the tokens paid for can hold.
	overflow: bool,
	end: Option<StreamEnd>,
}

impl Live {
	/// Tokens per second after the first piece, with the receipt's completion tokens: by the
	/// worker's clock when the stream gives it (a stream read after the job ended arrives all
	/// at once), else by the arrivals here.
	fn decode_tokens_per_s(&self, completion_tokens: u32) -> Option<f64> {
		let seconds = match (self.worker_ms.first(), self.worker_ms.last()) {
			(Some(first), Some(last)) if self.worker_ms.len() == self.arrivals.len() => {
				(last - first) as f64 / 1000.0
			},
			_ => {
				let (first, last) = (self.arrivals.first()?, self.arrivals.last()?);
				last.duration_since(*first).as_secs_f64()
			},
		};
		(completion_tokens >= 2 && seconds > 0.0)
			.then(|| f64::from(completion_tokens - 1) / seconds)
	}

	fn add(&mut self, piece: &str, worker_ms: Option<u64>) {
		if self.text.len() + piece.len() > self.limit {
			self.overflow = true;
			return;
		}
		self.text.push_str(piece);
		self.arrivals.push(Instant::now());
		self.worker_ms.extend(worker_ms);
	}
}

/// `text` without control characters other than newlines and tabs (a worker's text must not
/// drive the terminal).
fn printable(text: &str) -> String {
	text.chars().filter(|c| !c.is_control() || matches!(c, '\n' | '\t')).collect()
}

/// Follows the assigned worker's stream of `request` (printing each piece unless `quiet`)
/// until it ends; retries while the worker has not started the job.
async fn follow(endpoint: String, request: RequestId, live: Arc<Mutex<Live>>, quiet: bool) {
	let started = Instant::now();
	while started.elapsed() < Duration::from_secs(120) {
		let on_piece = |piece: &str, worker_ms: Option<u64>| {
			live.lock().unwrap_or_else(|p| p.into_inner()).add(piece, worker_ms);
			if !quiet {
				print!("{}", printable(piece));
				let _ = std::io::stdout().flush();
			}
		};
		match follow_chat_job(&endpoint, request, on_piece).await {
			Ok(Some(end)) => {
				live.lock().unwrap_or_else(|p| p.into_inner()).end = Some(end);
				return;
			},
			Ok(None) => tokio::time::sleep(Duration::from_millis(200)).await,
			Err(_) => return,
		}
	}
}

pub async fn chat(args: ChatArgs, global: &Global) -> Result<Output, String> {
	let request = chat_request(&args)?;
	let chain = Chain::connect(&global.url).await?;
	let signer = signer(global.suri.as_deref())?;
	let version = version_of(&chain, &args.target).await?;
	if !matches!(version.spec.schema, IoSchema::Chat { .. }) {
		return Err(format!("{} is not a chat model: run it with `verity infer`", args.target));
	}
	let input = serde_json::to_vec(&request).map_err(|e| e.to_string())?;
	let inline = input.clone().try_into().map_err(|_| {
		format!("the chat request is {} bytes; at most {MAX_INLINE_INPUT} go inline", input.len())
	})?;
	let started = Instant::now();
	let call = api::tx().inference().request_chat(
		Static(args.target),
		Static(RequestInput::Inline(inline)),
		Static(args.terms.mode),
		args.max_tokens,
		args.terms.max_fee,
		args.terms.deadline,
	);
	let included = chain.submit(&call, &signer).await?;
	let api::inference::events::InferenceRequested { request: id, worker, fee, .. } =
		included.event::<api::inference::events::InferenceRequested>()?;
	let endpoint = chain
		.fetch(api::storage().inference().workers(), (worker,))
		.await?
		.map(|info| String::from_utf8_lossy(&info.0.endpoint).into_owned())
		.ok_or_else(|| format!("worker {worker} is not registered"))?;
	let limit = chat_output_limit(args.max_tokens) as usize;
	let live = Arc::new(Mutex::new(Live { limit, ..Live::default() }));
	let mut follower = tokio::spawn(follow(endpoint, id, live.clone(), global.json));
	let outcome = wait_for_result(&chain, id, Duration::from_secs(args.terms.timeout)).await;
	// The stream ends when the job does, before its result reaches a block; nothing the worker
	// sends after this is read (or printed).
	let _ = tokio::time::timeout(Duration::from_secs(10), &mut follower).await;
	follower.abort();
	let live = std::mem::take(&mut *live.lock().unwrap_or_else(|p| p.into_inner()));
	let settled = match (outcome, &live.end) {
		(Ok(outcome), _) => outcome.settled,
		(Err(error), Some(StreamEnd::Failed(why))) => {
			return Err(format!("{error}\nthe worker's job failed: {why}"));
		},
		(Err(error), _) => return Err(error.to_string()),
	};
	let latency = started.elapsed();
	let first_token = live.arrivals.first().map(|at| at.duration_since(started));
	let report =
		Report { id, worker, fee, request: &request, input: &input, live, latency, first_token };
	verify_and_report(&chain, &settled, report).await
}

/// The text a settled chat result signed: inline, or fetched from where the worker stored it
/// (checked against the digest).
async fn signed_text(output: &ResultOutput) -> Result<String, String> {
	let bytes = match output {
		ResultOutput::Inline(bytes) => bytes.to_vec(),
		ResultOutput::Stored { digest, location } => {
			let fetcher = verity_artifact_store::Fetcher::new(
				verity_artifact_store::FetcherConfig::default(),
			)
			.map_err(|e| e.to_string())?;
			fetcher
				.fetch_bytes(location, &digest.blake2_256, digest.size)
				.await
				.map_err(|e| format!("the stored output cannot be fetched: {e}"))?
		},
	};
	String::from_utf8(bytes).map_err(|_| "the output is not UTF-8 text".into())
}

/// What `verity chat` learned besides the settled result.
struct Report<'a> {
	id: RequestId,
	worker: AccountId32,
	fee: Balance,
	request: &'a ChatRequest,
	input: &'a [u8],
	live: Live,
	latency: Duration,
	/// From the request's submission to the first streamed piece.
	first_token: Option<Duration>,
}

/// Checks the settled result (the chain's receipt checks, the streamed text, the usage) and
/// prints the answer with them.
async fn verify_and_report(
	chain: &Chain,
	settled: &verity_client::wait::Settled,
	report: Report<'_>,
) -> Result<Output, String> {
	let Report { id, worker, fee, request, input, live, latency, first_token } = report;
	let mut checks = check_receipt(chain, settled, Some(input)).await?;
	let (text, fetched) = match signed_text(&settled.output).await {
		Ok(text) => (text, (true, "the signed output's bytes".to_owned())),
		Err(why) => (String::new(), (false, why)),
	};
	checks.push(("output text", fetched.0, fetched.1));
	let streamed = !live.arrivals.is_empty();
	let stream_matches = blake2_256(live.text.as_bytes()) == settled.receipt.output_digest;
	checks.push((
		"stream",
		!live.overflow && (!streamed || stream_matches),
		match (streamed, stream_matches) {
			(false, _) => "not followed".into(),
			(true, true) => "the streamed text is the signed output".into(),
			(true, false) => "the streamed text is not the signed output".into(),
		},
	));
	let usage = settled.receipt.usage;
	checks.push((
		"usage",
		usage.is_some_and(|usage| usage.completion_tokens <= request.max_tokens),
		match usage {
			Some(usage) => format!(
				"{} prompt + {} completion tokens (of {} paid for)",
				usage.prompt_tokens, usage.completion_tokens, request.max_tokens
			),
			None => "no token usage in the receipt".into(),
		},
	));
	let verified = checks.iter().all(|(_, ok, _)| *ok);
	let (content, tool_calls) = verity_llm::tools::parse(&text, request.visible_tools());
	let decode = usage.and_then(|usage| live.decode_tokens_per_s(usage.completion_tokens));
	let json = json!({
		"request": id,
		"worker": worker.to_string(),
		"fee_held": fee.to_string(),
		"text": content,
		"tool_calls": (!tool_calls.is_empty()).then_some(&tool_calls),
		"usage": usage.map(|usage| json!({
			"prompt_tokens": usage.prompt_tokens,
			"completion_tokens": usage.completion_tokens,
			"total_tokens": usage.prompt_tokens + usage.completion_tokens,
		})),
		"decode_tokens_per_s": decode,
		"streamed": streamed,
		"receipt": receipt_json(settled),
		"verified": verified,
		"checks": checks_json(&checks),
		"time_to_first_token_ms": first_token.map(|after| after.as_millis() as u64),
		"latency_ms": latency.as_millis() as u64,
	});
	// Printed as it streamed, unless the stream was not the signed text.
	let answer =
		if streamed && stream_matches { String::new() } else { format!("{}\n", printable(&text)) };
	let mut speed = first_token
		.map(|after| format!(", first token after {:.2} s", after.as_secs_f64()))
		.unwrap_or_default();
	if let Some(rate) = decode {
		speed.push_str(&format!(", decode {rate:.1} tokens/s"));
	}
	let text = format!(
		"{answer}\n---\nRequest {id} answered by {worker} in {:.1} s{speed}\nPaid: {}\n{}",
		latency.as_secs_f64(),
		serde_json::to_string(&json["receipt"]["paid"]).unwrap_or_default(),
		checks_text(&checks)
	);
	if !verified {
		return Err(format!("{text}\nthe receipt does not verify"));
	}
	Ok(Output { text, json })
}
