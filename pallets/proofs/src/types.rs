//! Records the proofs pallet keeps, and the trait through which it reaches workers' stake.

use alloc::vec::Vec;
use frame_support::{pallet_prelude::*, traits::fungible::Inspect};
use frame_system::pallet_prelude::BlockNumberFor;
use verity_nitro_attestation::CertCache;
pub use verity_primitives::{BatchLeaf, BatchRecord, BatchStatus, PcrSet, TeeKind};
use verity_primitives::{Digest32, ModelVersionRef, RequestId, RequestInput, SigningKey};

/// The balance type of the pallet's currency.
pub type BalanceOf<T> =
	<<T as crate::Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;

/// Identifier of a batch, assigned in submission order.
pub type BatchId = u64;

/// Longest enclave module id kept, in bytes (Nitro's are about 40).
pub const MAX_MODULE_ID_LEN: u32 = 64;

/// Longest DER of the pinned attestation root certificate.
pub const MAX_ROOT_LEN: u32 = 2048;

/// The pinned root certificate (DER) every attestation chain must start from.
pub type RootCertificate = BoundedVec<u8, ConstU32<MAX_ROOT_LEN>>;

/// An attestation document as a call carries it.
pub type AttestationDocument =
	BoundedVec<u8, ConstU32<{ verity_nitro_attestation::MAX_DOCUMENT_LEN as u32 }>>;

/// A worker's accepted TEE attestation.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen)]
pub struct TeeAttestation {
	/// What the enclave runs.
	pub kind: TeeKind,
	/// The approved PCR set its measurements matched.
	pub pcr_set: Digest32,
	/// The receipt-signing key the document binds (the worker's registered key).
	pub signing_key: SigningKey,
	/// The enclave's module id (which instance).
	pub module_id: BoundedVec<u8, ConstU32<MAX_MODULE_ID_LEN>>,
	/// When the enclave produced the document (unix ms).
	pub document_timestamp_ms: u64,
	/// The attestation counts until then (unix ms): the heartbeat period after the document,
	/// and never past the expiry of its certificate chain.
	pub live_until_ms: u64,
	/// BLAKE2b-256 of the document.
	pub document_digest: Digest32,
}

/// A batch record of a runtime.
pub type BatchRecordOf<T> = BatchRecord<<T as frame_system::Config>::AccountId, BlockNumberFor<T>>;

/// A fault the chain proved itself, from evidence a reporter submitted.
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
pub enum Fault {
	/// A batch leaf's signature is not by the worker's key.
	BadLeafSignature,
	/// A batch leaf names another worker.
	ForeignLeaf,
	/// A batch leaf is a receipt for another chain.
	WrongChain,
	/// A batch leaf claims TEE mode, but the worker had no live attestation for its key.
	UnattestedTeeLeaf,
	/// Re-executions of a deterministic model by two other workers agreed with each other and
	/// not with this worker's signed output.
	WrongOutput,
	/// The worker submitted, under its signature, a ZK proof that does not verify for its own
	/// signed answer (or is not a proof at all).
	InvalidZkProof,
	/// The worker answered a ZKML request (its output public at once) and never proved it
	/// within the proof window.
	MissingZkProof,
	/// A batch leaf is an on-chain request's receipt, not a direct one.
	WrongContext,
	/// A batch leaf binds a spec hash that is not its version's.
	WrongSpec,
}

impl From<verity_primitives::LeafFault> for Fault {
	fn from(fault: verity_primitives::LeafFault) -> Self {
		use verity_primitives::LeafFault as L;
		match fault {
			L::ForeignLeaf => Fault::ForeignLeaf,
			L::WrongChain => Fault::WrongChain,
			L::WrongContext => Fault::WrongContext,
			L::WrongSpec => Fault::WrongSpec,
			L::BadLeafSignature => Fault::BadLeafSignature,
			L::UnattestedTeeLeaf => Fault::UnattestedTeeLeaf,
		}
	}
}

/// Why a submitted ZK proof was rejected.
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
pub enum ZkRejection {
	/// The bytes are not a proof: wrong length, or points not on the curve or not in the
	/// prime-order subgroup. The worker is slashed.
	MalformedProof,
	/// A well-formed proof that fails the Groth16 check for this model version, input, output
	/// and request. The worker is slashed.
	ProofRejected,
	/// The version's verifying key does not fit the request (it was checked when uploaded, so
	/// this does not happen); not the worker's fault: refunded, nobody slashed.
	KeyUnusable,
}

/// A ZKML answer awaiting its proof, with everything the verifier needs.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct AwaitingZkProof<AccountId> {
	/// The worker that answered and must prove.
	pub worker: AccountId,
	/// Its registered signing key (the proof submission is signed with it).
	pub signing_key: SigningKey,
	/// The version's Groth16 verifying key (from the Model Hub).
	pub verifying_key: Vec<u8>,
	/// The proof's binding input: [`verity_primitives::Receipt::zk_binding`] of the answer's
	/// receipt.
	pub binding: Digest32,
	/// The request's input bytes (int8 values).
	pub input: Vec<u8>,
	/// The answer's output bytes (int8 values).
	pub output: Vec<u8>,
	/// BLAKE2b-256 of the answer's signed receipt (the evidence a slash names).
	pub evidence: Digest32,
}

/// What the proofs pallet needs from the pallet that holds ZKML answers, declared here and
/// implemented by the runtime (over the inference pallet and the Model Hub).
pub trait ZkResults<AccountId> {
	/// The answer of `request` if it awaits its proof.
	fn awaiting(request: RequestId) -> Option<AwaitingZkProof<AccountId>>;
	/// Only the signing key and the binding of the answer awaiting a proof (cheap: no key or
	/// input is read), for checking a submission's signature first.
	fn signer(request: RequestId) -> Option<(SigningKey, Digest32)>;
	/// Requests awaiting a proof from the worker with this signing key (offchain use).
	fn awaiting_for(signing_key: &SigningKey) -> Vec<RequestId>;
	/// The proof verified: settle and pay the request.
	fn accept(request: RequestId) -> DispatchResult;
	/// The proof was rejected: refund the request in full.
	fn reject(request: RequestId) -> DispatchResult;
	/// Upper bound of the weight of [`Self::accept`] (the benchmark of `submit_proof` measures
	/// the reject-and-slash path, since it cannot prove for the runtime's own receipt).
	fn accept_weight() -> Weight;
}

/// Where a sampled or disputed result stands.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen)]
pub enum SampleStage<AccountId> {
	/// A dispute was accepted; its checker is drawn in a later block (from randomness nobody
	/// knew when the dispute was submitted).
	DrawingChecker,
	/// The check disagreed; the arbiter is drawn in a later block.
	DrawingArbiter {
		/// The worker whose check disagreed.
		checker: AccountId,
		/// The checker's output digest.
		checker_output: Digest32,
		/// Digest of the checker's signed receipt.
		checker_evidence: Digest32,
	},
	/// A second worker re-executes the job.
	Checking {
		/// The check request.
		check: RequestId,
		/// Its worker.
		checker: AccountId,
	},
	/// The check disagreed; a third worker decides.
	Arbitrating {
		/// The arbiter's request.
		check: RequestId,
		/// The worker whose check disagreed.
		checker: AccountId,
		/// The checker's output digest.
		checker_output: Digest32,
		/// Digest of the checker's signed receipt.
		checker_evidence: Digest32,
		/// The arbiter.
		arbiter: AccountId,
	},
}

/// A draw that waits for a later block's randomness: made in the first block after the one in
/// which it was queued, so the transaction that caused it (a result, a dispute, a check's
/// result) could not know its outcome when it was submitted.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen)]
pub enum Draw {
	/// Whether a settled result is sampled for re-execution (and its checker).
	Sample(RequestId),
	/// A disputed result's checker.
	Checker(RequestId),
	/// A disagreement's arbiter.
	Arbiter(RequestId),
}

/// A result under re-execution (sampled at random, or disputed).
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen)]
pub struct SampleRecord<AccountId> {
	/// The worker whose result is checked.
	pub worker: AccountId,
	/// Its output digest.
	pub output_digest: Digest32,
	/// Digest of its signed receipt.
	pub evidence: Digest32,
	/// Who disputed it (pays the re-executions and is rewarded if it was wrong); `None` when
	/// sampled (the treasury pays).
	pub disputer: Option<AccountId>,
	/// The current round.
	pub stage: SampleStage<AccountId>,
	/// Workers that declined a check of it (could not fetch the input): never drawn again for
	/// it. After [`MAX_DECLINES`] the input is taken as gone and the sample ends.
	pub declined_by: BoundedVec<AccountId, ConstU32<MAX_DECLINES>>,
}

/// Declined checks a sample redraws before it takes the input as gone.
pub const MAX_DECLINES: u32 = 2;

/// A settled result, as a dispute needs it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct SettledSummary<AccountId> {
	/// The worker that answered.
	pub worker: AccountId,
	/// The model version.
	pub model: ModelVersionRef,
	/// The request's input, as the original worker ran it (a dispute re-executes exactly
	/// this).
	pub input: RequestInput,
	/// BLAKE2b-256 of the output.
	pub output_digest: Digest32,
	/// Digest of the signed receipt.
	pub evidence: Digest32,
	/// A check gives an answer to compare: the same output from every honest worker
	/// (Verity's integer format), or for a chat result the same verdict on its evidence, in
	/// which case `output_digest` is the digest of the accepting
	/// [`verity_primitives::CheckVerdict`].
	pub checkable: bool,
	/// A check's answer is exact (integer outputs, bit for bit) rather than a judgment within
	/// a tolerance (a verdict on a chat result's evidence, which honest checkers on different
	/// hardware may split on near the tolerance's edge): only an exact answer's dissenting
	/// checker is slashed when the arbiter sides with the original.
	pub exact: bool,
	/// The result was proved (ZKML): final, not disputable.
	pub proved: bool,
}

/// Re-execution of jobs by other workers, declared here and implemented by the runtime (over
/// the inference pallet, which assigns, relays and settles the check requests).
pub trait ReExecutor<AccountId, Balance> {
	/// Opens a request that re-executes `original`'s job (same version, same input) on a worker
	/// not in `exclude`, paid by `payer`, costing at most the original worker's fee and at most
	/// `max_fee` when given; returns the check request and its worker.
	fn open_check(
		payer: &AccountId,
		original: RequestId,
		model: ModelVersionRef,
		input: RequestInput,
		exclude: &[AccountId],
		max_fee: Option<Balance>,
	) -> Result<(RequestId, AccountId), DispatchError>;
	/// The settled result of an original (not a check) request.
	fn settled(request: RequestId) -> Option<SettledSummary<AccountId>>;
	/// The spec hash of a model version, if its record exists (batch leaves must bind it).
	fn spec_hash(model: &ModelVersionRef) -> Option<Digest32>;
	/// Upper bound of the weight of `open_check`.
	fn open_check_weight() -> Weight;
}

/// What the proofs pallet needs from the pallet that holds workers' stake, declared here and
/// implemented by the runtime (over the inference pallet).
pub trait WorkerStakes<AccountId, Balance> {
	/// The worker's registered receipt-signing key, if the account is a registered worker.
	fn signing_key(worker: &AccountId) -> Option<SigningKey>;
	/// The worker's bonded stake (zero for an unknown account).
	fn stake(worker: &AccountId) -> Balance;
	/// The worker is registered and not unbonding.
	fn is_active(worker: &AccountId) -> bool;
	/// Moves up to `amount` of the worker's stake to `to`; returns the amount moved.
	fn slash(worker: &AccountId, amount: Balance, to: &AccountId) -> Balance;
}

/// The verified-certificate cache as the attestation verifier sees it: a bounded list in one
/// storage value, read once per verification, written back only when it changed.
pub(crate) struct StorageCertCache<T: crate::Config> {
	pub(crate) entries: BoundedVec<(Digest32, u64), T::MaxCachedCertificates>,
	pub(crate) now_ms: u64,
	pub(crate) changed: bool,
}

impl<T: crate::Config> CertCache for StorageCertCache<T> {
	fn verified_until(&self, cert_sha256: &[u8; 32]) -> Option<u64> {
		self.entries.iter().find(|(hash, _)| hash == cert_sha256).map(|(_, until)| *until)
	}

	fn insert(&mut self, cert_sha256: [u8; 32], not_after_ms: u64) {
		let now = self.now_ms;
		let before = self.entries.len();
		self.entries.retain(|(hash, until)| *until >= now && *hash != cert_sha256);
		let pushed = self.entries.try_push((cert_sha256, not_after_ms)).is_ok();
		self.changed |= pushed || self.entries.len() != before;
	}
}

/// Sets up what the benchmarks need from the rest of the runtime.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId> {
	/// Makes `worker` a registered worker with `signing_key` (and `key_proof`, the key's
	/// signature over `verity_primitives::key_possession_payload`) and some stake.
	fn register_worker(
		worker: &AccountId,
		signing_key: SigningKey,
		key_proof: verity_primitives::ReceiptSignature,
	);
	/// Sets the block's wall-clock time (unix ms).
	fn set_now_ms(now_ms: u64);
	/// A settled original result of a deterministic model that another worker can re-execute,
	/// and `disputer` funded to pay for checks; returns the request id and its input.
	fn settled_deterministic_result(disputer: &AccountId) -> (RequestId, RequestInput);
	/// Records a ZKML answer by `worker` (registered with `signing_key`) awaiting its proof,
	/// for a version with this verifying key, input and output, and returns its request. The
	/// runtime derives the binding from the answer's receipt, so it may differ from `binding`
	/// (the proof then fails, after a full verification: the slash-and-refund path).
	fn awaiting_zk_proof(
		worker: &AccountId,
		signing_key: SigningKey,
		verifying_key: &[u8],
		binding: [u8; 32],
		input: &[u8],
		output: &[u8],
	) -> RequestId;
}
