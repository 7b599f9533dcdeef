//! ZKML proving: the verification path of a ZKML job.
//!
//! The worker answers a ZKML job at once like any other (the fast path), then proves it in the
//! background with the version's Groth16 proving key (`verity-zkml`, multithreaded on the CPU)
//! and keeps the proof until the chain's offchain worker fetches it (`GET /v1/proofs/<id>`).
//!
//! Before proving with a key, the worker checks that the verifying key inside the proving key
//! has the digest the chain verifies with (the version's `zk_verifying_key`): a proving key that
//! does not match would make an honest worker submit a proof the chain rejects, and be slashed.
//! Each proof is also verified (by the prover, against that key) before it is offered.

use crate::signer::WorkerKey;
use std::{
	collections::{HashMap, VecDeque},
	sync::{Arc, Mutex},
};
use verity_primitives::{int8, ArtifactDigest, RequestId, ZkKeyDigests, ZkProofAnswer};
use verity_zkml::Prover;

const LOG_TARGET: &str = "worker::zk";
/// Most proofs (ready, failed or in progress) kept at once; the oldest are dropped first.
pub const MAX_KEPT_PROOFS: usize = 4096;
/// Most loaded proving keys kept at once.
const MAX_LOADED_PROVERS: usize = 8;

/// Where the proof of one request stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProofState {
	/// Being proved.
	Proving,
	/// Ready to submit.
	Ready(ZkProofAnswer),
	/// Proving failed; the reason.
	Failed(String),
}

/// Loaded provers and the proofs of recent ZKML jobs.
#[derive(Default)]
pub struct ZkProofs {
	provers: Mutex<Vec<(ZkKeyDigests, Arc<Prover>)>>,
	proofs: Mutex<(HashMap<RequestId, ProofState>, VecDeque<RequestId>)>,
}

impl ZkProofs {
	/// The prover for a version, if loaded.
	pub fn loaded(&self, keys: &ZkKeyDigests) -> Option<Arc<Prover>> {
		let provers = self.provers.lock().unwrap_or_else(|p| p.into_inner());
		provers.iter().find(|(k, _)| k == keys).map(|(_, prover)| prover.clone())
	}

	/// Loads the prover of a model and its proving key (verified bytes), after checking that
	/// the key's verifying key is the one the chain verifies with.
	pub fn load(
		&self,
		keys: &ZkKeyDigests,
		model: &[u8],
		proving_key: &[u8],
	) -> Result<Arc<Prover>, String> {
		let model = int8::decode_file(model).map_err(|e| format!("the model: {e}"))?;
		let prover =
			Prover::new(model, proving_key).map_err(|e| format!("the proving key: {e}"))?;
		let embedded = ArtifactDigest::of(&prover.verifying_key().map_err(|e| e.to_string())?);
		if embedded != keys.verifying_key {
			return Err(format!(
				"the proving key's verifying key has digest {}, the chain verifies with {}",
				hex::encode(embedded.blake2_256),
				hex::encode(keys.verifying_key.blake2_256)
			));
		}
		let prover = Arc::new(prover);
		let mut provers = self.provers.lock().unwrap_or_else(|p| p.into_inner());
		if provers.len() == MAX_LOADED_PROVERS {
			provers.remove(0);
		}
		provers.push((keys.clone(), prover.clone()));
		Ok(prover)
	}

	/// Proves `request` in the background: `binding` is its receipt's
	/// [`verity_primitives::Receipt::zk_binding`], `output` the output already answered.
	pub fn start(
		self: &Arc<Self>,
		key: Arc<WorkerKey>,
		genesis_hash: [u8; 32],
		request: RequestId,
		prover: Arc<Prover>,
		input: Vec<i8>,
		output: Vec<i8>,
		binding: [u8; 32],
	) {
		self.set(request, ProofState::Proving);
		let proofs = self.clone();
		std::thread::spawn(move || {
			let started = std::time::Instant::now();
			let state =
				match prove(&key, &genesis_hash, request, &prover, &input, &output, &binding) {
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
			proofs.set(request, state);
		});
	}

	/// Where the proof of `request` stands, if this worker proves it.
	pub fn state(&self, request: RequestId) -> Option<ProofState> {
		self.proofs.lock().unwrap_or_else(|p| p.into_inner()).0.get(&request).cloned()
	}

	fn set(&self, request: RequestId, state: ProofState) {
		let mut guard = self.proofs.lock().unwrap_or_else(|p| p.into_inner());
		let (states, order) = &mut *guard;
		if states.insert(request, state).is_none() {
			order.push_back(request);
			while order.len() > MAX_KEPT_PROOFS {
				if let Some(oldest) = order.pop_front() {
					states.remove(&oldest);
				}
			}
		}
	}
}

fn prove(
	key: &WorkerKey,
	genesis_hash: &[u8; 32],
	request: RequestId,
	prover: &Prover,
	input: &[i8],
	output: &[i8],
	binding: &[u8; 32],
) -> Result<ZkProofAnswer, String> {
	let proved = prover.prove(input, binding, &mut rand::rngs::OsRng).map_err(|e| e.to_string())?;
	// The prover checked the proof against its key, whose digest is the chain's.
	if proved.output != output {
		return Err("the circuit's output differs from the answer's".into());
	}
	let signature = key.sign_proof(genesis_hash, request, &proved.proof);
	Ok(ZkProofAnswer {
		request_id: request,
		proof: proved.proof.try_into().map_err(|_| "the proof is too long".to_string())?,
		signature,
	})
}
