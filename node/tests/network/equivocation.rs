//! A validator that equivocates is reported and punished on the running 4-validator network:
//! a second node runs with Dave's keys (a misconfigured failover, the usual cause), so Dave
//! authors two blocks in his slots and casts two different GRANDPA votes in a round. The
//! honest validators' GRANDPA voters see the conflicting votes and submit an equivocation
//! report with a key-ownership proof from historical sessions; the chain accepts it
//! (`Offences.Offence`), disables Dave for the rest of the session and removes him from the
//! validator set, and finality goes on with the other three.
//!
//! Prints the time from the twin's start to the offender's removal.

use super::zombie::*;
use sp_core::{bytes::to_hex, crypto::Pair};
use std::time::{Duration, Instant};
use subxt_signer::sr25519::dev;
use verity_client::{api, Chain};
use verity_node_harness::NodeBuilder;

const MINUTE: Duration = Duration::from_secs(60);

#[tokio::test(flavor = "multi_thread")]
async fn a_validator_whose_keys_run_twice_is_reported_disabled_and_removed() {
	let _serial = super::serial_async().await;
	let mut network = spawn_network();
	let alice = network.validators()[0].rpc_port;
	wait_for(alice, 2 * MINUTE, "4/4 finalize", |_, finalized| finalized >= 4);
	let chain = Chain::connect(&format!("ws://127.0.0.1:{alice}")).await.unwrap();

	// Dave's twin: Dave's Aura and GRANDPA keys in a second node's keystore.
	let spec = network.raw_spec().display().to_string();
	let twin = NodeBuilder::new(NODE)
		.name("dave-twin")
		.args(["--chain", &spec, "--validator", "--no-artifact-store", "--rpc-methods", "unsafe"])
		.arg("--unsafe-force-node-key-generation")
		.args(["--bootnodes", &network.bootnode()])
		.spawn()
		.unwrap();
	let aura = sp_core::sr25519::Pair::from_string("//Dave", None).unwrap().public();
	let grandpa = sp_core::ed25519::Pair::from_string("//Dave", None).unwrap().public();
	for (kind, public) in [("aura", to_hex(&aura.0, false)), ("gran", to_hex(&grandpa.0, false))] {
		twin.rpc("author_insertKey", serde_json::json!([kind, "//Dave", public])).unwrap();
	}
	let started = Instant::now();

	// The report lands, Dave leaves the planned set.
	let dave = dev::dave().public_key().to_account_id();
	let deadline = started + 6 * MINUTE;
	loop {
		let set = chain.fetch(api::storage().validator_set().validators(), ()).await.unwrap();
		if !set.unwrap_or_default().contains(&dave) {
			break;
		}
		assert!(
			Instant::now() < deadline,
			"no equivocation report removed Dave within 6 minutes:\n{}",
			twin.log_tail(20)
		);
		tokio::time::sleep(Duration::from_secs(1)).await;
	}
	let removed = started.elapsed();
	let reports = chain.fetch_all(api::storage().offences().reports(), ()).await.unwrap();
	assert!(!reports.is_empty(), "the offence is on record");
	drop(twin);

	// The other three finalize on.
	let (_, finalized) = heights(alice).unwrap();
	wait_for(alice, 2 * MINUTE, "3 honest validators finalize", |_, now| now >= finalized + 3);
	eprintln!(
		"figures: Dave's equivocation was reported and he was removed from the set {:.1} s \
		 after his keys started running twice",
		removed.as_secs_f64()
	);
}
