//! Settlement queues: batches close at their limits and prove every leaf.

use codec::{Decode, Encode};
use std::time::Duration;
use verity_primitives::{
	batch_proof, verify_batch_proof, ModelVersionRef, Receipt, VerificationMode, VersionNumber,
};
use verity_primitives::{ArtifactDigest, BatchLeaf, BatchPosition, StorageLocation};
use verity_worker::settlement::*;

fn leaf(request: u64) -> Leaf {
	BatchLeaf {
		receipt: Receipt {
			genesis_hash: [0; 32],
			context: verity_primitives::ReceiptContext::Direct,
			request_id: request,
			model: ModelVersionRef { model: 0, version: VersionNumber { major: 1, minor: 0 } },
			spec_hash: [6; 32],
			model_digest: [1; 32],
			input_digest: [2; 32],
			output_digest: [3; 32],
			mode: VerificationMode::Vanilla,
			worker: [4; 32],
			usage: None,
			generation: None,
			timestamp_ms: 1,
		},
		signature: [5; 64],
	}
}

#[test]
fn batches_close_at_the_leaf_limit_and_prove_every_leaf() {
	let mut settlements =
		Settlements::new(BatchPolicy { max_leaves: 3, max_age: Duration::from_secs(3600) });
	assert!(settlements.add_to_batch(leaf(0)).1.is_none());
	assert!(settlements.add_to_batch(leaf(1)).1.is_none());
	let (position, closed) = settlements.add_to_batch(leaf(2));
	assert_eq!(position, BatchPosition { sequence: 0, index: 2 });
	let closed = closed.expect("the third leaf closes it");
	assert_eq!(closed.leaf_count, 3);
	let leaves = Vec::<Leaf>::decode(&mut &closed.leaves_file[..]).unwrap();
	let encoded: Vec<Vec<u8>> = leaves.iter().map(Encode::encode).collect();
	for index in 0..3 {
		let proof = batch_proof(&encoded, index).unwrap();
		assert!(
			verify_batch_proof(&closed.root, 3, index, &encoded[index as usize], &proof).is_ok()
		);
	}
	assert_eq!(settlements.add_to_batch(leaf(3)).0, BatchPosition { sequence: 1, index: 0 });
	let at = StorageLocation::Https(b"https://store.example/leaves".to_vec().try_into().unwrap());
	let sealed = closed.sealed(at.clone());
	assert_eq!(sealed.leaves, ArtifactDigest::of(&closed.leaves_file));
	assert_eq!(sealed.leaves_at, at);
	settlements.queue(sealed.clone());
	settlements.add_individual(leaf(9));
	assert_eq!(settlements.pending().batches, vec![sealed]);
	settlements.posted(&Posted {
		batches: vec![0],
		receipts: vec![verity_primitives::blake2_256(&leaf(9).encode())],
	});
	assert_eq!(settlements.pending(), Pending::default());
}

#[test]
fn an_old_batch_closes_when_polled() {
	let mut settlements =
		Settlements::new(BatchPolicy { max_leaves: 100, max_age: Duration::ZERO });
	assert!(settlements.close_if_old().is_none(), "nothing to close");
	settlements.add_to_batch(leaf(0));
	let closed = settlements.close_if_old().expect("past its age");
	assert_eq!(closed.leaf_count, 1);
	assert!(settlements.close_if_old().is_none());
}
