//! ZKML proving: the verification path of a ZKML job.
//!
//! The worker answers a ZKML job at once like any other (the fast path), then proves it in the
//! background with the version's Groth16 proving key (`verity-zkml`, multithreaded on the CPU)
//! and keeps the proof until the chain's offchain worker fetches it
//! (`GET /v1/proofs/<request id>/<binding hex>`).
//!
//! - Before proving with a key, the worker checks that the verifying key inside the proving
//!   key has the digest the chain verifies with (the version's `zk_verifying_key`). Every proof
//!   is then checked with the chain's own verifier against those key bytes before it is
//!   offered: a proof the chain would reject (and slash for) is never served.
//! - Proofs are kept by request *and* binding (the digest of the signed receipt): a job posted
//!   again with other fields proves under its own key and never replaces the proof of the
//!   receipt the chain recorded. A job for a proof already made or in progress starts nothing.
//! - One proof is made at a time (each uses every core), from a queue of at most
//!   [`MAX_QUEUED_PROOFS`]; beyond it ZKML jobs are refused until the queue drains.

use crate::signer::WorkerKey;
use std::{
	collections::{HashMap, VecDeque},
	sync::{mpsc, Arc, Mutex},
};
use verity_int8 as int8;
use verity_primitives::{ArtifactDigest, RequestId, ZkKeyDigests, ZkProofAnswer};
use verity_zkml::Prover;

const LOG_TARGET: &str = "worker::zk";
/// Most proofs kept at once (ready, failed or in progress); the oldest are dropped first.
pub const MAX_KEPT_PROOFS: usize = 4096;
/// Most proofs waiting or in progress; further ZKML jobs are refused.
pub const MAX_QUEUED_PROOFS: usize = 64;
/// Most loaded provers kept at once.
const MAX_LOADED_PROVERS: usize = 8;

/// A proof is kept under its request and the binding it proves.
pub type ProofKey = (RequestId, [u8; 32]);

/// Where the proof of one request stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProofState {
	/// Waiting or being proved.
	Proving,
	/// Ready to submit.
	Ready(ZkProofAnswer),
	/// Proving failed; the reason.
	Failed(String),
}

/// A version's prover with the verifying key the chain uses (its digest was checked).
pub struct LoadedProver {
	prover: Prover,
	verifying_key: Vec<u8>,
}

/// One proof to make.
struct ProofJob {
	key: Arc<WorkerKey>,
	genesis_hash: [u8; 32],
	request: RequestId,
	prover: Arc<LoadedProver>,
	input: Vec<i8>,
	output: Vec<i8>,
	binding: [u8; 32],
}

/// A loaded prover, by (artifact digest, key digests).
type ProverEntry = (([u8; 32], ZkKeyDigests), Arc<LoadedProver>);

/// Loaded provers, the proving queue and the proofs of recent ZKML jobs.
pub struct ZkProofs {
	provers: Mutex<Vec<ProverEntry>>,
	proofs: Arc<Mutex<ProofBook>>,
	queue: Mutex<mpsc::Sender<ProofJob>>,
}

#[derive(Default)]
struct ProofBook {
	states: HashMap<ProofKey, ProofState>,
	order: VecDeque<ProofKey>,
}

impl ProofBook {
	fn set(&mut self, key: ProofKey, state: ProofState) {
		if self.states.insert(key, state).is_none() {
			self.order.push_back(key);
			while self.order.len() > MAX_KEPT_PROOFS {
				if let Some(oldest) = self.order.pop_front() {
					self.states.remove(&oldest);
				}
			}
		}
	}

	fn proving(&self) -> usize {
		self.states.values().filter(|state| **state == ProofState::Proving).count()
	}
}

impl Default for ZkProofs {
	fn default() -> Self {
		let proofs = Arc::new(Mutex::new(ProofBook::default()));
		let (sender, receiver) = mpsc::channel::<ProofJob>();
		let book = proofs.clone();
		std::thread::Builder::new()
			.name("zk-prover".into())
			.spawn(move || {
				for job in receiver {
					let (request, binding) = (job.request, job.binding);
					let started = std::time::Instant::now();
					let state = match prove(&job) {
						Ok(answer) => {
							log::info!(
								target: LOG_TARGET,
								"request {request}: proof ready in {} ms",
								started.elapsed().as_millis()
							);
							ProofState::Ready(answer)
						},
						Err(reason) => {
							log::warn!(target: LOG_TARGET, "request {request}: proving failed: {reason}");
							ProofState::Failed(reason)
						},
					};
					book.lock().unwrap_or_else(|p| p.into_inner()).set((request, binding), state);
				}
			})
			.expect("the prover thread starts");
		Self { provers: Mutex::new(Vec::new()), proofs, queue: Mutex::new(sender) }
	}
}

impl ZkProofs {
	/// The prover for a model and its keys, if loaded.
	pub fn loaded(&self, model: [u8; 32], keys: &ZkKeyDigests) -> Option<Arc<LoadedProver>> {
		let provers = self.provers.lock().unwrap_or_else(|p| p.into_inner());
		provers
			.iter()
			.find(|((digest, k), _)| *digest == model && k == keys)
			.map(|(_, prover)| prover.clone())
	}

	/// Loads the prover of a model (`digest`, verified bytes `model`) and its proving key
	/// (verified bytes), after checking that the key's verifying key is the one the chain
	/// verifies with.
	pub fn load(
		&self,
		digest: [u8; 32],
		keys: &ZkKeyDigests,
		model: &[u8],
		proving_key: &[u8],
	) -> Result<Arc<LoadedProver>, String> {
		let model = int8::decode_file(model).map_err(|e| format!("the model: {e}"))?;
		let prover =
			Prover::new(model, proving_key).map_err(|e| format!("the proving key: {e}"))?;
		let verifying_key = prover.verifying_key().map_err(|e| e.to_string())?;
		let embedded = ArtifactDigest::of(&verifying_key);
		if embedded != keys.verifying_key {
			return Err(format!(
				"the proving key's verifying key has digest {}, the chain verifies with {}",
				hex::encode(embedded.blake2_256),
				hex::encode(keys.verifying_key.blake2_256)
			));
		}
		let loaded = Arc::new(LoadedProver { prover, verifying_key });
		let mut provers = self.provers.lock().unwrap_or_else(|p| p.into_inner());
		if provers.len() == MAX_LOADED_PROVERS {
			provers.remove(0);
		}
		provers.push(((digest, keys.clone()), loaded.clone()));
		Ok(loaded)
	}

	/// Whether another proof can be queued.
	pub fn has_room(&self) -> bool {
		self.book().proving() < MAX_QUEUED_PROOFS
	}

	/// Queues the proof of `request` unless it is made or in progress: `binding` is its
	/// receipt's [`verity_primitives::Receipt::zk_binding`], `output` the output answered.
	#[allow(clippy::too_many_arguments)]
	pub fn start(
		&self,
		key: Arc<WorkerKey>,
		genesis_hash: [u8; 32],
		request: RequestId,
		prover: Arc<LoadedProver>,
		input: Vec<i8>,
		output: Vec<i8>,
		binding: [u8; 32],
	) -> Result<(), String> {
		{
			let mut book = self.book();
			match book.states.get(&(request, binding)) {
				Some(ProofState::Proving | ProofState::Ready(_)) => return Ok(()),
				Some(ProofState::Failed(_)) | None => {},
			}
			if book.proving() >= MAX_QUEUED_PROOFS {
				return Err(format!("{MAX_QUEUED_PROOFS} proofs are already queued"));
			}
			book.set((request, binding), ProofState::Proving);
		}
		let job = ProofJob { key, genesis_hash, request, prover, input, output, binding };
		self.queue
			.lock()
			.unwrap_or_else(|p| p.into_inner())
			.send(job)
			.map_err(|_| "the prover thread stopped".to_string())
	}

	/// Where the proof of `request` for `binding` stands, if this worker proves it.
	pub fn state(&self, request: RequestId, binding: &[u8; 32]) -> Option<ProofState> {
		self.book().states.get(&(request, *binding)).cloned()
	}

	fn book(&self) -> std::sync::MutexGuard<'_, ProofBook> {
		self.proofs.lock().unwrap_or_else(|p| p.into_inner())
	}
}

fn prove(job: &ProofJob) -> Result<ZkProofAnswer, String> {
	let proved = job
		.prover
		.prover
		.prove(&job.input, &job.binding, &mut rand::rngs::OsRng)
		.map_err(|e| e.to_string())?;
	if proved.output != job.output {
		return Err("the circuit's output differs from the answer's".into());
	}
	// The chain's own check, on the chain's key bytes (their digest was compared at load).
	verity_zkml::verify_native(
		&job.prover.verifying_key,
		&proved.proof,
		&job.binding,
		&job.input,
		&job.output,
	)
	.map_err(|e| format!("the proof would not verify on chain: {e}"))?;
	let signature = job.key.sign_proof(&job.genesis_hash, job.request, &job.binding, &proved.proof);
	Ok(ZkProofAnswer {
		request_id: job.request,
		proof: proved.proof.try_into().map_err(|_| "the proof is too long".to_string())?,
		signature,
	})
}
