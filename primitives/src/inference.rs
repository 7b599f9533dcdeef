//! Inference requests, results and the receipt a worker signs.
//!
//! A receipt (version 2, [`RECEIPT_DOMAIN`]) binds everything a verifier needs to know about one
//! inference: which chain (genesis hash), which kind of request ([`ReceiptContext`]: requests
//! opened on chain and requests made directly to a worker live in separate id namespaces, so a
//! receipt of one never counts as the other), which request, the version's whole
//! [`crate::VersionSpec`] (its [`crate::VersionSpec::spec_hash`]: schema, format, modes, prices),
//! the exact model bytes (the artifact's BLAKE2b-256), the exact input and output (their
//! BLAKE2b-256), the verification mode, the worker, the token usage (LLMs) and the worker's
//! clock when it signed. The worker signs [`Receipt::signing_payload`] (the domain tag followed
//! by the receipt's SCALE encoding) with its registered sr25519 key; the chain, the CLI and
//! anyone else check the same bytes, with the rules of [`Receipt::mismatch`].
//!
//! Tensors travel in the canonical encoding of [`crate::tensors_encoded_len`]: the schema's
//! tensors concatenated in order, row-major, little-endian elements.

use crate::model::names;
use crate::{
	digest::ArtifactDigest, model::ModelVersionRef, StorageLocation, VerificationMode,
	VerificationModes,
};
use bounded_collections::{BoundedVec, ConstU32, Get};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use core::str::FromStr;
use scale_info::TypeInfo;

extern crate alloc;
use alloc::vec::Vec;

/// Identifier of an inference request, assigned by the chain in submission order.
pub type RequestId = u64;

/// Domain separation tag that starts every signed receipt payload; the version is part of it,
/// so a signature over one receipt layout never verifies as another.
pub const RECEIPT_DOMAIN: &[u8] = b"verity/inference-receipt/v2";

/// Domain separation tag of the payload a worker signs to submit a ZK proof.
pub const ZK_PROOF_DOMAIN: &[u8] = b"verity/zk-proof/v2";

/// Domain separation tag of the payload a worker signs to decline a request it cannot run.
pub const DECLINE_DOMAIN: &[u8] = b"verity/decline";

/// Domain separation tag of a worker's proof of possession of its signing key.
pub const KEY_POSSESSION_DOMAIN: &[u8] = b"verity/worker-key-possession";

/// Largest input carried inside a request, in bytes; larger inputs go to an artifact store.
pub const MAX_INLINE_INPUT: u32 = 64 * 1024;
/// Largest output recorded inside a result, in bytes; larger outputs are recorded by digest.
pub const MAX_INLINE_OUTPUT: u32 = 16 * 1024;
/// Largest chat request (its canonical JSON), inline or stored, in bytes.
pub const MAX_CHAT_INPUT: u64 = 4 * 1024 * 1024;
/// Most output bytes a chat result may have per token it paid for: a bound on a token's text.
/// A chat result's output (the generated text) has at most [`chat_output_limit`] bytes.
pub const MAX_CHAT_TOKEN_BYTES: u64 = 256;

/// The most output bytes of a chat result with `max_tokens` tokens paid for.
pub fn chat_output_limit(max_tokens: u32) -> u64 {
	u64::from(max_tokens).saturating_mul(MAX_CHAT_TOKEN_BYTES)
}
/// Longest worker endpoint URL, in bytes.
pub const MAX_ENDPOINT_LEN: u32 = 256;

/// A worker's HTTP endpoint (UTF-8 `http://` or `https://` URL).
pub type Endpoint = BoundedVec<u8, ConstU32<MAX_ENDPOINT_LEN>>;

/// Offchain storage key (persistent kind) where a node puts its inference worker's base URL
/// (SCALE `Vec<u8>` of UTF-8), read by the inference pallet's offchain worker.
pub const OFFCHAIN_WORKER_URL_KEY: &[u8] = b"verity::worker-url";
/// Offchain storage key (persistent kind) where a node puts its inference worker's signing key
/// (32 bytes).
pub const OFFCHAIN_WORKER_SIGNING_KEY_KEY: &[u8] = b"verity::worker-signing-key";

/// Offchain storage key (persistent kind) where a node puts the secret its inference worker
/// requires on the endpoints only the node may call (`/v1/jobs`, `/v1/proofs`, settlements):
/// 32 bytes, sent hex-encoded in the [`WORKER_SECRET_HEADER`] header.
pub const OFFCHAIN_WORKER_SECRET_KEY: &[u8] = b"verity::worker-secret";
/// HTTP header that carries the node-to-worker secret (64 lowercase hex digits).
pub const WORKER_SECRET_HEADER: &str = "x-verity-worker-secret";

/// A 32-byte BLAKE2b-256 digest.
pub type Digest32 = [u8; 32];

/// BLAKE2b-256 of `bytes` (the digest of inputs and outputs in receipts).
pub fn blake2_256(bytes: &[u8]) -> Digest32 {
	let hash = blake2b_simd::Params::new().hash_length(32).hash(bytes);
	let mut out = [0u8; 32];
	out.copy_from_slice(hash.as_bytes());
	out
}

/// A request's input.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub enum RequestInput {
	/// The input bytes themselves.
	Inline(BoundedVec<u8, ConstU32<MAX_INLINE_INPUT>>),
	/// An input stored as an artifact: the worker fetches it and checks it against the digest.
	Stored {
		/// Digests and size of the input bytes.
		digest: ArtifactDigest,
		/// Where to fetch them.
		location: StorageLocation,
	},
}

impl RequestInput {
	/// The BLAKE2b-256 of the input bytes, as the receipt binds it.
	pub fn digest(&self) -> Digest32 {
		match self {
			RequestInput::Inline(bytes) => blake2_256(bytes),
			RequestInput::Stored { digest, .. } => digest.blake2_256,
		}
	}

	/// Length of the input bytes.
	pub fn len(&self) -> u64 {
		match self {
			RequestInput::Inline(bytes) => bytes.len() as u64,
			RequestInput::Stored { digest, .. } => digest.size,
		}
	}

	/// Whether the input is empty.
	pub fn is_empty(&self) -> bool {
		self.len() == 0
	}
}

/// A result's output, as recorded on chain.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub enum ResultOutput {
	/// The output bytes themselves.
	Inline(BoundedVec<u8, ConstU32<MAX_INLINE_OUTPUT>>),
	/// An output too large to record: its digests, and where the worker stored it.
	Stored {
		/// Digests and size of the output bytes.
		digest: ArtifactDigest,
		/// Where to fetch them.
		location: StorageLocation,
	},
}

impl ResultOutput {
	/// The BLAKE2b-256 of the output bytes.
	pub fn digest(&self) -> Digest32 {
		match self {
			ResultOutput::Inline(bytes) => blake2_256(bytes),
			ResultOutput::Stored { digest, .. } => digest.blake2_256,
		}
	}

	/// Length of the output bytes.
	pub fn len(&self) -> u64 {
		match self {
			ResultOutput::Inline(bytes) => bytes.len() as u64,
			ResultOutput::Stored { digest, .. } => digest.size,
		}
	}

	/// Whether the output is empty.
	pub fn is_empty(&self) -> bool {
		self.len() == 0
	}
}

/// What a worker's machine computes on.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub enum HardwareClass {
	/// CPU only.
	Cpu,
	/// An NVIDIA GPU (CUDA).
	CudaGpu,
}

names!(HardwareClass { Cpu => "cpu", CudaGpu => "cuda-gpu" });

/// Which id namespace a receipt's `request_id` belongs to.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub enum ReceiptContext {
	/// A request opened on chain (`request_inference`, or a check the chain opened): the id is
	/// the chain's. Only such receipts settle on-chain requests.
	OnChain,
	/// A request made directly to a worker (off chain): the id is the requester's own number.
	/// Such receipts go into batches and individual records, never into `submit_result`.
	Direct,
}

names!(ReceiptContext { OnChain => "on-chain", Direct => "direct" });

/// Tokens an LLM inference consumed (absent for tensor models).
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Default,
	TypeInfo,
	MaxEncodedLen,
)]
pub struct TokenUsage {
	/// Tokens of the prompt.
	pub prompt_tokens: u32,
	/// Tokens generated.
	pub completion_tokens: u32,
}

/// What a worker signs for one inference (receipt version 2). Generic over the chain's account
/// id.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct Receipt<AccountId> {
	/// The chain's genesis hash: a receipt never counts on another chain.
	pub genesis_hash: [u8; 32],
	/// The id namespace of `request_id`: on chain, or direct.
	pub context: ReceiptContext,
	/// The request it answers.
	pub request_id: RequestId,
	/// The model version requested.
	pub model: ModelVersionRef,
	/// [`crate::VersionSpec::spec_hash`] of the version as the chain records it: the schema the
	/// input and output were read with, the format, the modes and the prices.
	pub spec_hash: Digest32,
	/// BLAKE2b-256 of the model artifact that ran.
	pub model_digest: Digest32,
	/// BLAKE2b-256 of the input bytes.
	pub input_digest: Digest32,
	/// BLAKE2b-256 of the output bytes.
	pub output_digest: Digest32,
	/// The verification mode the request asked for.
	pub mode: VerificationMode,
	/// The worker's account.
	pub worker: AccountId,
	/// Tokens consumed, for LLMs; `None` for tensor models.
	pub usage: Option<TokenUsage>,
	/// [`crate::GenerationEvidence::digest`] of the evidence of an LLM result (its tokens and
	/// activation fingerprints, which a check re-executes); `None` for tensor models and for
	/// checks.
	pub generation: Option<Digest32>,
	/// The worker's clock when it signed, in Unix milliseconds, for direct receipts; always 0
	/// for on-chain receipts (dated by the block that records them, and the same bytes however
	/// often the job runs, so their ZK binding is stable).
	pub timestamp_ms: u64,
}

/// What a receipt must match: the facts a verifier takes from the chain (never from the
/// worker or the client).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ExpectedReceipt<'a, AccountId> {
	/// The chain's genesis hash.
	pub genesis_hash: &'a [u8; 32],
	/// The id namespace the receipt is used in.
	pub context: ReceiptContext,
	/// The version's spec hash, when the verifier knows the version (`None`: not checked).
	pub spec_hash: Option<&'a Digest32>,
	/// The worker that answers for it.
	pub worker: &'a AccountId,
}

/// Why a receipt does not match what it is used for.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ReceiptMismatch {
	/// Signed for another chain.
	WrongChain,
	/// An on-chain receipt used as a direct one, or the reverse.
	WrongContext,
	/// The spec hash is not the version's (another schema, format, modes or prices).
	WrongSpec,
	/// It names another worker.
	ForeignWorker,
}

impl ReceiptMismatch {
	/// A short description, for clients.
	pub fn describe(self) -> &'static str {
		match self {
			ReceiptMismatch::WrongChain => "is for another chain",
			ReceiptMismatch::WrongContext => "is from the other request namespace",
			ReceiptMismatch::WrongSpec => "binds another version spec",
			ReceiptMismatch::ForeignWorker => "names another worker",
		}
	}
}

impl<AccountId: PartialEq> Receipt<AccountId> {
	/// The first rule a receipt fails of those the chain and every client check alike (the
	/// signature aside, which each side verifies with its own crypto): chain, context, spec,
	/// worker.
	pub fn mismatch(&self, expected: &ExpectedReceipt<'_, AccountId>) -> Option<ReceiptMismatch> {
		if self.genesis_hash != *expected.genesis_hash {
			return Some(ReceiptMismatch::WrongChain);
		}
		if self.context != expected.context {
			return Some(ReceiptMismatch::WrongContext);
		}
		if expected.spec_hash.is_some_and(|spec| *spec != self.spec_hash) {
			return Some(ReceiptMismatch::WrongSpec);
		}
		if self.worker != *expected.worker {
			return Some(ReceiptMismatch::ForeignWorker);
		}
		None
	}
}

impl<AccountId: Encode> Receipt<AccountId> {
	/// The bytes the worker signs: [`RECEIPT_DOMAIN`] then the receipt's SCALE encoding.
	pub fn signing_payload(&self) -> Vec<u8> {
		let mut payload = RECEIPT_DOMAIN.to_vec();
		self.encode_to(&mut payload);
		payload
	}
}

impl<AccountId: Encode> Receipt<AccountId> {
	/// What a ZK proof of this inference binds as its first public input: BLAKE2b-256 of
	/// [`Receipt::signing_payload`]. It names the chain, the request, the model bytes, the input,
	/// the output and the worker, so a proof made for one receipt counts for no other.
	pub fn zk_binding(&self) -> Digest32 {
		blake2_256(&self.signing_payload())
	}

	/// The evidence digest of this receipt with its signature: BLAKE2b-256 of their SCALE
	/// encoding. Sampling, disputes and slashing events name a signed receipt by it.
	pub fn evidence(&self, signature: &ReceiptSignature) -> Digest32 {
		blake2_256(&(self, signature).encode())
	}
}

/// The first 32 bytes of a hash (zero-padded when shorter): how receipts and nonces bind a
/// chain's genesis hash, whatever the runtime's hash type.
pub fn hash32(hash: &[u8]) -> [u8; 32] {
	let mut out = [0u8; 32];
	let len = hash.len().min(32);
	out[..len].copy_from_slice(&hash[..len]);
	out
}

/// An sr25519 public key (a worker's receipt-signing key).
pub type SigningKey = [u8; 32];
/// An sr25519 signature over [`Receipt::signing_payload`].
pub type ReceiptSignature = [u8; 64];

/// A job the chain's offchain worker sends to the inference worker (SCALE over HTTP,
/// `POST /v1/jobs`): everything needed to run the request and sign its receipt.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo)]
pub struct WorkerJob<AccountId> {
	/// The chain's genesis hash.
	pub genesis_hash: [u8; 32],
	/// The request.
	pub request_id: RequestId,
	/// The model version requested.
	pub model: ModelVersionRef,
	/// The version's [`crate::VersionSpec::spec_hash`], as the chain records it.
	pub spec_hash: Digest32,
	/// Digests and size of the model artifact.
	pub artifact: ArtifactDigest,
	/// The artifact's format.
	pub format: crate::ArtifactFormat,
	/// What the model takes and returns.
	pub schema: crate::IoSchema,
	/// Where the artifact can be fetched.
	pub locations: crate::Locations,
	/// The input.
	pub input: RequestInput,
	/// The verification mode requested.
	pub mode: VerificationMode,
	/// The worker account the receipt must name.
	pub worker: AccountId,
	/// For ZKML jobs, the digests of the version's ZK keys: the worker fetches the proving key
	/// from the version's locations like the model, and proves only with a proving key whose
	/// verifying key has the digest the chain verifies with.
	pub zk_keys: Option<ZkKeyDigests>,
	/// For chat jobs, the tokens the requester paid for: the request's own `max_tokens` may
	/// not exceed it (the worker declines it as invalid input otherwise).
	pub max_tokens: Option<u32>,
	/// For the check of a chat result, the result under check: the worker re-executes its
	/// claim (one prefill over the prompt and the claimed tokens) and answers with a
	/// [`crate::CheckVerdict`] instead of generating.
	pub claim: Option<crate::GenerationClaim>,
}

/// The digests of a version's ZKML keys.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct ZkKeyDigests {
	/// The Groth16 proving key (in the artifact store).
	pub proving_key: ArtifactDigest,
	/// The verifying key (on chain; the version's `zk_verifying_key`).
	pub verifying_key: ArtifactDigest,
}

/// The inference worker's answer to a [`WorkerJob`]: the output and the signed receipt.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo)]
pub struct WorkerAnswer<AccountId> {
	/// The receipt.
	pub receipt: Receipt<AccountId>,
	/// The output (inline, or stored by digest when larger than [`MAX_INLINE_OUTPUT`]).
	pub output: ResultOutput,
	/// The worker key's signature over [`Receipt::signing_payload`].
	pub signature: ReceiptSignature,
	/// An LLM result's evidence (the receipt signs its digest); `None` otherwise.
	pub generation: Option<crate::GenerationEvidence>,
}

/// The bytes a worker signs to submit the ZK proof of a request: [`ZK_PROOF_DOMAIN`] then the
/// SCALE encoding of `(genesis_hash, request_id, binding, BLAKE2b-256 of the proof)`, where
/// `binding` is [`Receipt::zk_binding`] of the answer the proof is for. The chain accepts the
/// submission only for the binding of the answer it recorded, so a proof the worker made for
/// another job (say, one a stranger sent it) never counts against this answer.
pub fn zk_proof_payload(
	genesis_hash: &[u8; 32],
	request_id: RequestId,
	binding: &Digest32,
	proof: &[u8],
) -> Vec<u8> {
	let mut payload = ZK_PROOF_DOMAIN.to_vec();
	(genesis_hash, request_id, binding, blake2_256(proof)).encode_to(&mut payload);
	payload
}

/// Why a worker declines an on-chain request without penalty.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub enum DeclineReason {
	/// The request's stored input could not be fetched (or did not match its digest) from the
	/// location the requester named: the requester's fault, not the worker's.
	InputUnavailable,
	/// The input is not a request the version's schema takes: a chat request that does not
	/// parse, breaks a rule (roles, sampling bounds), asks for more `max_tokens` than were paid
	/// for, or does not fit the version's context. Anyone can re-check it off chain from the
	/// input and the request's record.
	InvalidInput,
}

/// The bytes a worker signs to decline a request: [`DECLINE_DOMAIN`] then the SCALE encoding of
/// `(genesis_hash, request_id, input_digest, reason, evidence)`; `input_digest` names the input
/// it could not fetch (so the decline counts for no other request that gets the same id, e.g.
/// after a reorg), `evidence` is the BLAKE2b-256 of what the worker observed (the fetch
/// errors), recorded on chain.
pub fn decline_payload(
	genesis_hash: &[u8; 32],
	request_id: RequestId,
	input_digest: &Digest32,
	reason: DeclineReason,
	evidence: &Digest32,
) -> Vec<u8> {
	let mut payload = DECLINE_DOMAIN.to_vec();
	(genesis_hash, request_id, input_digest, reason, evidence).encode_to(&mut payload);
	payload
}

/// A worker's signed decline of an on-chain job (`/v1/jobs` answers it with status 424), which
/// the node's offchain worker submits as `decline_request`.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo)]
pub struct WorkerDecline {
	/// The request declined.
	pub request_id: RequestId,
	/// Why.
	pub reason: DeclineReason,
	/// BLAKE2b-256 of what the worker observed.
	pub evidence: Digest32,
	/// The worker key's signature over [`decline_payload`].
	pub signature: ReceiptSignature,
}

/// The bytes a worker's signing key signs to prove that the account registering it holds it:
/// [`KEY_POSSESSION_DOMAIN`] then the SCALE encoding of `(genesis_hash, account, key)`. Without
/// it a squatter could register an honest node's public key first, and the node would work (and
/// be slashable) for the squatter's account.
pub fn key_possession_payload<AccountId: Encode>(
	genesis_hash: &[u8; 32],
	account: &AccountId,
	key: &SigningKey,
) -> Vec<u8> {
	let mut payload = KEY_POSSESSION_DOMAIN.to_vec();
	(genesis_hash, account, key).encode_to(&mut payload);
	payload
}

/// Largest ZK proof a worker submits, in bytes (a Groth16 proof over BLS12-381, uncompressed, is
/// 384).
pub const MAX_ZK_PROOF_LEN: u32 = 384;

/// A ZK proof as submitted to the chain.
pub type ZkProofBytes = BoundedVec<u8, ConstU32<MAX_ZK_PROOF_LEN>>;

/// The inference worker's answer to `GET /v1/proofs/<request id>/<binding>` once the proof is
/// ready: the proof and the worker key's signature over [`zk_proof_payload`].
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo)]
pub struct ZkProofAnswer {
	/// The request proved.
	pub request_id: RequestId,
	/// The proof bytes.
	pub proof: ZkProofBytes,
	/// Signature over [`zk_proof_payload`] by the worker's signing key.
	pub signature: ReceiptSignature,
}

/// Where a worker is in its life cycle.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub enum WorkerStatus<BlockNumber> {
	/// Takes new requests.
	Active,
	/// Takes no new requests; its stake can be withdrawn from this block on, once it has no
	/// open requests.
	Unbonding {
		/// First block in which the stake can be withdrawn.
		until: BlockNumber,
	},
}

/// A registered worker.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
#[scale_info(skip_type_params(MaxModels))]
pub struct WorkerInfo<Balance, BlockNumber, MaxModels: Get<u32>> {
	/// sr25519 key that signs its receipts.
	pub signing_key: SigningKey,
	/// Where its inference service listens.
	pub endpoint: Endpoint,
	/// What it computes on.
	pub hardware: HardwareClass,
	/// Verification modes it supports.
	pub modes: VerificationModes,
	/// Model versions it serves.
	pub models: BoundedVec<ModelVersionRef, MaxModels>,
	/// Its fee per inference, on top of the model's price.
	pub fee_per_inference: Balance,
	/// Stake held from its account.
	pub stake: Balance,
	/// Life-cycle state.
	pub status: WorkerStatus<BlockNumber>,
	/// Requests assigned to it and not yet settled or expired.
	pub open_requests: u32,
	/// Requests it let expire.
	pub missed: u32,
	/// Results it delivered.
	pub delivered: u32,
	/// The shortest deadline (blocks ahead) it accepts: requests with a shorter one go to
	/// other workers, so a requester cannot make a slow worker miss deadlines on purpose. Zero
	/// means the chain's minimum.
	pub min_deadline: BlockNumber,
}

/// What a request costs, split by payee. The requester's hold is their sum.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
	Default,
)]
pub struct FeeSplit<Balance> {
	/// To the model's owner: the version's price.
	pub model_price: Balance,
	/// To the worker: its fee.
	pub worker_fee: Balance,
	/// To the treasury: the protocol's share of the two.
	pub protocol_fee: Balance,
	/// To the sampling pot, which pays for re-execution checks: a share of the worker's fee,
	/// for results that may be sampled (deterministic models, not proved, not checks).
	pub sampling_premium: Balance,
}

/// An open request.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct InferenceRequest<AccountId, Balance, BlockNumber> {
	/// Who asked and paid.
	pub requester: AccountId,
	/// The model version to run.
	pub model: ModelVersionRef,
	/// The version's [`crate::VersionSpec::spec_hash`] when the request was accepted (the
	/// receipt must bind it).
	pub spec_hash: Digest32,
	/// BLAKE2b-256 of the model artifact.
	pub model_digest: Digest32,
	/// The model's owner when the request was accepted (paid on settlement).
	pub model_owner: AccountId,
	/// The input.
	pub input: RequestInput,
	/// BLAKE2b-256 of the input bytes.
	pub input_digest: Digest32,
	/// Length of a valid output, from the version's schema.
	pub output_len: u64,
	/// The verification mode asked for.
	pub mode: VerificationMode,
	/// The worker it is assigned to.
	pub worker: AccountId,
	/// The fee held from the requester, by payee.
	pub fee: FeeSplit<Balance>,
	/// Block in which it was accepted.
	pub submitted_at: BlockNumber,
	/// Last block in which a result is accepted.
	pub deadline: BlockNumber,
	/// `Some(original)` when this request re-executes an earlier request's job to check its
	/// result (sampling or a dispute); its result settles like any other and is then compared.
	pub check_of: Option<RequestId>,
	/// The model is deterministic (Verity's integer format), so its results can be re-executed
	/// and compared; taken from the version when the request was accepted.
	pub deterministic: bool,
	/// For a chat request, what its tokens cost: the fee held covers `max_tokens` of them and
	/// settlement pays for those the receipt reports.
	pub chat: Option<ChatTerms<Balance>>,
}

/// What a chat request pays per token, as its record keeps it.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct ChatTerms<Balance> {
	/// Tokens paid for: the most the answer may have.
	pub max_tokens: u32,
	/// The version's price per generated token (paid to the model's owner).
	pub price_per_token: Balance,
}

/// A result that just settled, as the inference pallet reports it to the
/// verification path.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct SettledInfo<AccountId> {
	/// The request it answers.
	pub request: RequestId,
	/// The request whose result this one re-executes, if it is a check.
	pub check_of: Option<RequestId>,
	/// The worker that answered.
	pub worker: AccountId,
	/// The model version.
	pub model: ModelVersionRef,
	/// The input (kept so that the job can be re-executed).
	pub input: RequestInput,
	/// BLAKE2b-256 of the output.
	pub output_digest: Digest32,
	/// BLAKE2b-256 of the SCALE-encoded receipt and signature (the evidence of what the worker
	/// signed).
	pub evidence: Digest32,
	/// A check of the result gives an answer to compare: the same output bytes from every
	/// honest worker (Verity's integer format), or the same verdict on a chat result's
	/// generation evidence ([`crate::CheckVerdict`]). Such results are sampled and disputable.
	pub checkable: bool,
	/// The result was proved (ZKML): final, never sampled or disputed.
	pub proved: bool,
}

/// A ZKML result the worker answered at once (the fast path), recorded while its proof (the
/// verification path) is awaited. The request stays open, its fee held, until the proof is
/// verified (paid), rejected (refunded, worker slashed) or the deadline passes (refunded).
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct AnsweredResult<AccountId, BlockNumber> {
	/// The receipt the worker signed.
	pub receipt: Receipt<AccountId>,
	/// The key that signed it.
	pub signing_key: SigningKey,
	/// The signature.
	pub signature: ReceiptSignature,
	/// The output bytes (ZKML outputs are always inline: the proof's public inputs need them).
	pub output: BoundedVec<u8, ConstU32<MAX_INLINE_OUTPUT>>,
	/// Block in which the answer was recorded.
	pub answered_at: BlockNumber,
}

/// A settled result: what anyone needs to re-check its receipt.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct SettledResult<AccountId, Balance, BlockNumber> {
	/// Who asked and paid.
	pub requester: AccountId,
	/// The receipt the worker signed.
	pub receipt: Receipt<AccountId>,
	/// The key that signed it.
	pub signing_key: SigningKey,
	/// The signature.
	pub signature: ReceiptSignature,
	/// The request's input (a dispute re-executes exactly this; nobody supplies another).
	pub input: RequestInput,
	/// The output.
	pub output: ResultOutput,
	/// What was paid, by payee.
	pub paid: FeeSplit<Balance>,
	/// Block in which it was settled.
	pub settled_at: BlockNumber,
	/// `Some(original)` when this result re-executed another request's job (a check).
	pub check_of: Option<RequestId>,
}
