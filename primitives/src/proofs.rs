//! Verification-path types shared by the proofs pallet, workers and clients: TEE kinds and PCR
//! sets, the attestation challenge, and batch receipts with their Merkle proofs.
//!
//! A **batch** commits to many receipts at once: the worker posts the root of a binary Merkle
//! tree (BLAKE2b-256, the `binary-merkle-tree` construction: leaves hashed, pairs concatenated
//! and hashed, an odd last node promoted) over the SCALE encodings of [`BatchLeaf`]s. Anyone who
//! holds the leaves can prove one of them to the chain with [`batch_proof`]; the chain checks it
//! with [`verify_batch_proof`].

use crate::{
	digest::ArtifactDigest,
	inference::{
		blake2_256, Digest32, ExpectedReceipt, Receipt, ReceiptContext, ReceiptMismatch,
		ReceiptSignature, SigningKey, WorkerAnswer,
	},
	VerificationMode,
};
use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

/// Length of one PCR value with the SHA-384 digest Nitro uses.
pub const PCR_LEN: usize = 48;

/// Deepest Merkle proof a batch challenge may carry (the deepest tree of [`MAX_BATCH_LEAVES`]).
pub const MAX_BATCH_PROOF_DEPTH: u32 = 16;

/// Most leaves a batch may have: its leaves file (about 300 bytes a leaf, 20 MiB at most)
/// stays small enough for any challenger to fetch and check whole.
pub const MAX_BATCH_LEAVES: u32 = 1 << MAX_BATCH_PROOF_DEPTH;

/// Domain tag of the nonce a TEE worker's attestation must carry.
pub const TEE_NONCE_DOMAIN: &[u8; 16] = b"verity/tee-nonce";

/// What a trusted-execution worker runs, each with its own approved enclave images.
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
pub enum TeeKind {
	/// Forwards chat requests to a hosted LLM provider from inside the enclave.
	LlmProxy,
	/// Runs models itself inside the enclave.
	LocalInference,
	/// Serves data (memories, embeddings) from inside the enclave.
	DataNode,
}

/// The enclave image measurements governance approves: PCR0 (image), PCR1 (kernel and
/// boot), PCR2 (application).
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct PcrSet {
	/// PCR0: the enclave image file.
	pub pcr0: [u8; PCR_LEN],
	/// PCR1: the Linux kernel and bootstrap.
	pub pcr1: [u8; PCR_LEN],
	/// PCR2: the application.
	pub pcr2: [u8; PCR_LEN],
}

impl PcrSet {
	/// The set's id: BLAKE2b-256 of PCR0 ‖ PCR1 ‖ PCR2.
	pub fn id(&self) -> Digest32 {
		let mut bytes = Vec::with_capacity(3 * PCR_LEN);
		bytes.extend_from_slice(&self.pcr0);
		bytes.extend_from_slice(&self.pcr1);
		bytes.extend_from_slice(&self.pcr2);
		blake2_256(&bytes)
	}

	/// All three are zero: what an enclave started in debug mode reports (its memory can be
	/// read from the host, so it proves nothing).
	pub fn is_debug(&self) -> bool {
		[&self.pcr0, &self.pcr1, &self.pcr2].iter().all(|pcr| pcr.iter().all(|byte| *byte == 0))
	}
}

/// The nonce a worker's next attestation document must carry: BLAKE2b-256 of
/// `TEE_NONCE_DOMAIN ‖ genesis hash ‖ SCALE(worker) ‖ SCALE(counter)`, where `counter` counts the
/// worker's accepted attestations. It binds the document to this chain and this worker, and an
/// accepted document can never be replayed, because the counter moves on.
pub fn tee_nonce<AccountId: Encode>(
	genesis_hash: &[u8; 32],
	worker: &AccountId,
	counter: u64,
) -> Digest32 {
	let mut bytes = TEE_NONCE_DOMAIN.to_vec();
	bytes.extend_from_slice(genesis_hash);
	worker.encode_to(&mut bytes);
	counter.encode_to(&mut bytes);
	blake2_256(&bytes)
}

/// One receipt of a batch, as the worker committed to it.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct BatchLeaf<AccountId> {
	/// The receipt. Batched receipts answer requests made off chain (through a gateway), so
	/// `request_id` numbers the worker's off-chain requests.
	pub receipt: Receipt<AccountId>,
	/// The worker's signature over [`Receipt::signing_payload`].
	pub signature: ReceiptSignature,
}

/// Why a batch leaf (or an individually recorded direct receipt) is a fault of the worker that
/// answers for it. The one rule, used by the proofs pallet and by every client that checks a
/// batch.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum LeafFault {
	/// It names another worker.
	ForeignLeaf,
	/// It is a receipt for another chain.
	WrongChain,
	/// It is an on-chain request's receipt, not a direct one.
	WrongContext,
	/// Its spec hash is not the version's.
	WrongSpec,
	/// Its signature is not by the worker's key.
	BadLeafSignature,
	/// It claims TEE mode, but the worker's key was not attested when it was signed.
	UnattestedTeeLeaf,
}

impl LeafFault {
	/// A short description, for clients.
	pub fn describe(self) -> &'static str {
		match self {
			LeafFault::ForeignLeaf => "names another worker",
			LeafFault::WrongChain => "is for another chain",
			LeafFault::WrongContext => "is an on-chain request's receipt",
			LeafFault::WrongSpec => "binds another version spec",
			LeafFault::BadLeafSignature => "has a bad signature",
			LeafFault::UnattestedTeeLeaf => "claims TEE mode without a live attestation",
		}
	}
}

/// A span of time (unix ms) in which a worker's key was attested: from a document's time to
/// the end of its liveness. The proofs pallet keeps a worker's last [`MAX_ATTESTED_SPANS`]
/// (contiguous heartbeats merge into one), so a TEE receipt is judged by the attestation that
/// was live when it was signed, not when its batch was posted.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct AttestedSpan {
	/// The key the attestation bound.
	pub signing_key: SigningKey,
	/// Start (the document's time, never later than the block that accepted it).
	pub from_ms: u64,
	/// End (the attestation's `live_until_ms`).
	pub until_ms: u64,
}

/// Most attested spans kept per worker.
pub const MAX_ATTESTED_SPANS: u32 = 16;

/// Whether `key` was attested at `at_ms` by one of `spans`.
pub fn attested_at(spans: &[AttestedSpan], key: &SigningKey, at_ms: u64) -> bool {
	spans
		.iter()
		.any(|span| span.signing_key == *key && span.from_ms <= at_ms && at_ms <= span.until_ms)
}

/// What a leaf is judged against: facts from the chain.
pub struct LeafContext<'a, AccountId> {
	/// The worker that answers for the leaf.
	pub worker: &'a AccountId,
	/// Its signing key (when it posted the batch).
	pub signing_key: &'a SigningKey,
	/// The chain's genesis hash.
	pub genesis_hash: &'a [u8; 32],
	/// The spec hash of the leaf's model version, if the version still exists.
	pub spec_hash: Option<&'a Digest32>,
	/// The worker's recent attested spans (a TEE leaf must be dated inside one, for its key).
	pub attested: &'a [AttestedSpan],
}

impl<AccountId: PartialEq + Encode> BatchLeaf<AccountId> {
	/// What is wrong with this leaf, if anything: the receipt rules of [`Receipt::mismatch`]
	/// for a direct receipt, the signature (`verify(signature, payload, key)`, each side with its
	/// own sr25519), and TEE mode only with a live attestation. The cheap checks come first.
	pub fn fault(
		&self,
		context: &LeafContext<'_, AccountId>,
		verify: impl FnOnce(&ReceiptSignature, &[u8], &SigningKey) -> bool,
	) -> Option<LeafFault> {
		let expected = ExpectedReceipt {
			genesis_hash: context.genesis_hash,
			context: ReceiptContext::Direct,
			spec_hash: context.spec_hash,
			worker: context.worker,
		};
		if let Some(mismatch) = self.receipt.mismatch(&expected) {
			return Some(match mismatch {
				ReceiptMismatch::WrongChain => LeafFault::WrongChain,
				ReceiptMismatch::WrongContext => LeafFault::WrongContext,
				ReceiptMismatch::WrongSpec => LeafFault::WrongSpec,
				ReceiptMismatch::ForeignWorker => LeafFault::ForeignLeaf,
			});
		}
		if !verify(&self.signature, &self.receipt.signing_payload(), context.signing_key) {
			return Some(LeafFault::BadLeafSignature);
		}
		let tee_live =
			|| attested_at(context.attested, context.signing_key, self.receipt.timestamp_ms);
		if self.receipt.mode == VerificationMode::Tee && !tee_live() {
			return Some(LeafFault::UnattestedTeeLeaf);
		}
		None
	}
}

/// Where a batch stands.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen)]
pub enum BatchStatus {
	/// Inside its challenge window.
	Open,
	/// A leaf was proven invalid and the worker slashed.
	Faulted,
}

/// A posted batch of receipts, kept until its challenge window ends.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen)]
pub struct BatchRecord<AccountId, BlockNumber> {
	/// The worker that posted it and answers for every leaf.
	pub worker: AccountId,
	/// The worker's signing key when it posted the batch (leaves must be signed with it).
	pub signing_key: SigningKey,
	/// Whether the worker held a live TEE attestation for that key when it posted the batch
	/// (TEE-mode leaves require it).
	pub tee_live: bool,
	/// Merkle root over the SCALE-encoded leaves.
	pub root: Digest32,
	/// Number of leaves.
	pub leaf_count: u32,
	/// BLAKE2b-256 of the leaves file in the artifact store (SCALE `Vec<BatchLeaf>`), from
	/// which anyone can take leaves to check.
	pub leaves_digest: Digest32,
	/// Where anyone can fetch the leaves file (checked well formed when posted).
	pub leaves_at: crate::StorageLocation,
	/// Block in which it was posted.
	pub submitted_at: BlockNumber,
	/// Last block in which a leaf can be challenged; the record is removed after it.
	pub challenge_until: BlockNumber,
	/// Open or faulted.
	pub status: BatchStatus,
}

/// How the receipt of a request made directly to a worker (off chain) reaches the chain.
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
pub enum SettlementMode {
	/// The receipt is recorded on chain by itself, checked at once.
	Individual,
	/// The receipt becomes a leaf of the worker's next batch: only the Merkle root goes on chain,
	/// and any leaf can be challenged there during the challenge window.
	Batch,
	/// Nothing goes on chain; the requester keeps the signed receipt.
	Private,
}

/// A request made directly to a worker (off chain). The client names only what it wants run;
/// the worker builds the job from the version as the chain records it (artifact, format,
/// schema, spec hash) and from its own identity (chain, account), never from the client's word.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo)]
pub struct DirectJob {
	/// The requester's own number for it (receipts of direct requests live in their own id
	/// namespace, [`crate::ReceiptContext::Direct`]).
	pub request_id: crate::RequestId,
	/// The model version to run.
	pub model: crate::ModelVersionRef,
	/// The input.
	pub input: crate::RequestInput,
	/// The verification mode (Vanilla; TEE only on an enclave worker).
	pub mode: crate::VerificationMode,
	/// How its receipt settles.
	pub settlement: SettlementMode,
}

/// Where a receipt sits in a worker's batches.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, Debug, TypeInfo)]
pub struct BatchPosition {
	/// The worker's own sequence number of the batch.
	pub sequence: u64,
	/// The leaf's index in it.
	pub index: u32,
}

/// The answer to a [`DirectJob`].
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo)]
pub struct DirectAnswer<AccountId> {
	/// The output and signed receipt.
	pub answer: WorkerAnswer<AccountId>,
	/// For [`SettlementMode::Batch`], where the receipt will be.
	pub batch: Option<BatchPosition>,
}

/// A batch a worker closed and has not seen posted yet.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo)]
pub struct SealedBatch {
	/// The worker's sequence number of the batch.
	pub sequence: u64,
	/// Merkle root over the SCALE-encoded leaves ([`batch_root`]).
	pub root: Digest32,
	/// Number of leaves.
	pub leaf_count: u32,
	/// Digests of the leaves file (SCALE `Vec<BatchLeaf>`) in the artifact store.
	pub leaves: ArtifactDigest,
	/// Where anyone can fetch the leaves file (the operator's public store, Walrus, IPFS):
	/// recorded on chain with the batch so that any challenger finds it.
	pub leaves_at: crate::StorageLocation,
}

/// BLAKE2b-256 as a `hash_db::Hasher`, for `binary-merkle-tree`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Blake2Hasher;

impl hash_db::Hasher for Blake2Hasher {
	type Out = [u8; 32];
	type StdHasher = hash256_std_hasher::Hash256StdHasher;
	const LENGTH: usize = 32;

	fn hash(bytes: &[u8]) -> Self::Out {
		blake2_256(bytes)
	}
}

/// The root over encoded leaves (the all-zero hash for no leaves).
pub fn batch_root<I>(leaves: I) -> Digest32
where
	I: IntoIterator,
	I::Item: AsRef<[u8]>,
{
	binary_merkle_tree::merkle_root::<Blake2Hasher, _>(leaves)
}

/// The proof (sibling hashes from the leaf up) for leaf `index`, or `None` when out of range.
pub fn batch_proof(leaves: &[Vec<u8>], index: u32) -> Option<Vec<Digest32>> {
	if index as usize >= leaves.len() {
		return None;
	}
	Some(binary_merkle_tree::merkle_proof::<Blake2Hasher, _, _>(leaves.iter(), index).proof)
}

/// How many sibling hashes prove leaf `index` of a tree of `count` leaves (a promoted last node
/// has no sibling on that level), or `None` when `index` is out of range.
pub fn batch_proof_depth(count: u32, index: u32) -> Option<u32> {
	if index >= count {
		return None;
	}
	let (mut position, mut width, mut depth) = (index, count, 0);
	while width > 1 {
		let promoted = width % 2 == 1 && position + 1 == width;
		if !promoted {
			depth += 1;
		}
		position /= 2;
		width = width.div_ceil(2);
	}
	Some(depth)
}

/// Why a batch proof does not hold.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum BatchProofError {
	/// The index is not below the batch's leaf count.
	IndexOutOfRange,
	/// The proof has more or fewer hashes than the tree's depth at that index.
	WrongDepth,
	/// The hashes do not lead to the batch's root.
	RootMismatch,
}

/// Checks that `leaf` (its encoding) is leaf `index` of the batch with `root` and `count` leaves.
pub fn verify_batch_proof(
	root: &Digest32,
	count: u32,
	index: u32,
	leaf: &[u8],
	proof: &[Digest32],
) -> Result<(), BatchProofError> {
	let depth = batch_proof_depth(count, index).ok_or(BatchProofError::IndexOutOfRange)?;
	if proof.len() != depth as usize {
		return Err(BatchProofError::WrongDepth);
	}
	if binary_merkle_tree::verify_proof::<Blake2Hasher, _, _>(
		root,
		proof.iter().copied(),
		count,
		index,
		binary_merkle_tree::Leaf::Value(leaf),
	) {
		Ok(())
	} else {
		Err(BatchProofError::RootMismatch)
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn leaves(count: usize) -> Vec<Vec<u8>> {
		(0..count).map(|i| (i as u64).encode()).collect()
	}

	#[test]
	fn every_leaf_of_every_small_tree_proves_and_nothing_else_does() {
		for count in 1..=33u32 {
			let leaves = leaves(count as usize);
			let root = batch_root(&leaves);
			for index in 0..count {
				let proof = batch_proof(&leaves, index).unwrap();
				assert_eq!(proof.len() as u32, batch_proof_depth(count, index).unwrap());
				assert_eq!(
					verify_batch_proof(&root, count, index, &leaves[index as usize], &proof),
					Ok(())
				);
				// Another leaf's bytes, another index or a cut proof all fail.
				let other = 999u64.encode();
				assert_eq!(
					verify_batch_proof(&root, count, index, &other, &proof),
					Err(BatchProofError::RootMismatch)
				);
				if count > 1 {
					let wrong = (index + 1) % count;
					assert!(verify_batch_proof(
						&root,
						count,
						wrong,
						&leaves[index as usize],
						&proof
					)
					.is_err());
				}
				if let Some((_, shorter)) = proof.split_last() {
					assert_eq!(
						verify_batch_proof(&root, count, index, &leaves[index as usize], shorter),
						Err(BatchProofError::WrongDepth)
					);
				}
			}
			assert_eq!(
				verify_batch_proof(&root, count, count, &leaves[0], &[]),
				Err(BatchProofError::IndexOutOfRange)
			);
		}
	}

	#[test]
	fn depth_of_a_ten_thousand_leaf_batch() {
		assert_eq!(batch_proof_depth(10_000, 0), Some(14));
		assert_eq!(batch_proof_depth(1, 0), Some(0));
		assert!((0..10_000).all(|i| batch_proof_depth(10_000, i).unwrap() <= 14));
	}

	#[test]
	fn debug_pcrs_and_set_ids() {
		let zero = PcrSet { pcr0: [0; PCR_LEN], pcr1: [0; PCR_LEN], pcr2: [0; PCR_LEN] };
		assert!(zero.is_debug());
		let mut real = zero.clone();
		real.pcr2[0] = 1;
		assert!(!real.is_debug());
		assert_ne!(zero.id(), real.id());
	}

	#[test]
	fn nonces_differ_by_chain_worker_and_counter() {
		let a = tee_nonce(&[0; 32], &1u64, 0);
		assert_ne!(a, tee_nonce(&[1; 32], &1u64, 0));
		assert_ne!(a, tee_nonce(&[0; 32], &2u64, 0));
		assert_ne!(a, tee_nonce(&[0; 32], &1u64, 1));
	}
}
