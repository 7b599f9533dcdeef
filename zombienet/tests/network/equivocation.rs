//! A validator equivocates the way operators do by mistake: its keys run on two nodes at once.
//!
//! Two copies of Dave on one machine almost never sign different votes: GRANDPA votes for the
//! best block less two, and both copies see the same blocks within a millisecond. A network
//! partition gives them different views, as distance and lag do on a real network. The four
//! validators run with `--reserved-only`, their links set over RPC (`system_addReservedPeer`,
//! `system_removeReservedPeer`):
//!
//! 1. all four linked: blocks are produced and finalized;
//! 2. split into {Alice, Dave}, {Bob} and {Charlie}: no side has three votes, so every side
//!    stops in the same GRANDPA round, having voted in it; each side authors its own fork;
//! 3. Dave's second node (`--dave`) starts linked to Charlie alone. It follows Charlie's fork
//!    and his round, and votes in it for a block of that fork: a vote that differs from the one
//!    Dave's first node cast in the same round;
//! 4. the links return: the validators that hold both votes report the equivocation
//!    (`Grandpa.report_equivocation_unsigned`, with a key-ownership proof from the historical
//!    sessions); the chain records the offence, disables Dave for the rest of the session and
//!    removes him at the next session boundary; finality goes on with Alice, Bob and Charlie.
//!
//! Aura's duplicate blocks in Dave's slots are not reported: polkadot-sdk's Aura has no
//! equivocation reports (BABE and GRANDPA have), so GRANDPA's report is what punishes a twin.
//!
//! Prints the time from the partition's healing to the report's finalization.

use std::time::{Duration, Instant};
use subxt_signer::sr25519::dev;
use verity_client::{
	api::{self, offences::events::Offence, validator_set::events::OffenderRemoved},
	Chain,
};
use verity_network_tests::*;
use verity_node_harness::{workspace_root, Node, NodeBuilder};

const MINUTE: Duration = Duration::from_secs(60);

/// The offence kind GRANDPA's equivocation reports carry (`pallet_grandpa`).
const GRANDPA_EQUIVOCATION: &[u8; 16] = b"grandpa:equivoca";

/// A validator node on the `local` spec that talks only to the peers it is linked with.
struct Peer {
	node: Node,
	id: String,
	address: String,
}

impl Peer {
	/// Starts `--<key>` (alice, ..., dave) as a validator with its dev keys, linked to nobody.
	fn start(key: &str, name: &str) -> Peer {
		let spec = workspace_root().join("chain-specs/local.json").display().to_string();
		let node = NodeBuilder::new(node_binary())
			.name(name)
			.args(["--chain", &spec, &format!("--{key}"), "--reserved-only"])
			// libp2p: litep2p (the default backend) keeps a removed reserved peer connected as a
			// regular one while it has free slots, even with `--reserved-only`.
			.args(["--network-backend", "libp2p"])
			// A validator cut off from every peer authors on (its own fork) all the same.
			.arg("--force-authoring")
			.args(["--no-artifact-store", "--rpc-methods", "unsafe"])
			.arg("--unsafe-force-node-key-generation")
			.spawn()
			.unwrap();
		let id = node.rpc("system_localPeerId", serde_json::json!([])).unwrap();
		let id = id.as_str().unwrap().to_owned();
		let address = format!("/ip4/127.0.0.1/tcp/{}/p2p/{id}", node.p2p_port());
		Peer { node, id, address }
	}

	fn port(&self) -> u16 {
		self.node.rpc_port()
	}
}

/// Links `a` and `b` (each a reserved peer of the other).
fn link(a: &Peer, b: &Peer) {
	for (from, to) in [(a, b), (b, a)] {
		from.node.rpc("system_addReservedPeer", serde_json::json!([to.address])).unwrap();
	}
}

/// Cuts the link between `a` and `b`.
fn unlink(a: &Peer, b: &Peer) {
	for (from, to) in [(a, b), (b, a)] {
		from.node.rpc("system_removeReservedPeer", serde_json::json!([to.id])).unwrap();
	}
}

/// Every pair of `peers`, once.
fn pairs(peers: &[&Peer]) -> Vec<(usize, usize)> {
	(0..peers.len()).flat_map(|i| (i + 1..peers.len()).map(move |j| (i, j))).collect()
}

/// Scans the finalized blocks from `from` on for a `ValidatorSet.OffenderRemoved` event;
/// returns the block's number, that event and the block's `Offences.Offence` events.
async fn wait_for_removal(
	chain: &Chain,
	port: u16,
	from: u64,
	within: Duration,
) -> (u64, OffenderRemoved, Vec<Offence>) {
	let deadline = Instant::now() + within;
	let mut next = from;
	loop {
		let (_, finalized) = heights(port).unwrap();
		while next <= finalized {
			let events = chain.events_at(next).await.unwrap();
			if let Some(removed) = events.find_first::<OffenderRemoved>() {
				let offences = events.find::<Offence>().map(Result::unwrap).collect();
				return (next, removed.unwrap(), offences);
			}
			next += 1;
		}
		assert!(Instant::now() < deadline, "no equivocation was reported within {within:?}");
		tokio::time::sleep(Duration::from_millis(500)).await;
	}
}

/// Waits until the finalized height on `port` stood still for `quiet`; returns it.
fn wait_for_stall(port: u16, quiet: Duration, what: &str) -> u64 {
	let deadline = Instant::now() + 2 * MINUTE;
	let (mut last, mut since) = (heights(port).unwrap().1, Instant::now());
	while since.elapsed() < quiet {
		assert!(Instant::now() < deadline, "{what}: finality did not stop");
		std::thread::sleep(Duration::from_millis(250));
		let (_, finalized) = heights(port).unwrap();
		if finalized != last {
			(last, since) = (finalized, Instant::now());
		}
	}
	last
}

#[tokio::test(flavor = "multi_thread")]
async fn a_validator_running_on_two_nodes_is_reported_disabled_and_removed() {
	let _serial = super::serial_async().await;
	let [alice, bob, charlie, dave] =
		["alice", "bob", "charlie", "dave"].map(|key| Peer::start(key, key));
	let all = [&alice, &bob, &charlie, &dave];

	// 1. All four linked: 4/4 produce and finalize.
	for (i, j) in pairs(&all) {
		link(all[i], all[j]);
	}
	wait_for(alice.port(), 2 * MINUTE, "4/4 finalize", |_, finalized| finalized >= 3);

	// 2. {Alice, Dave}, {Bob}, {Charlie}: finality stops everywhere, forks grow.
	for (i, j) in pairs(&all) {
		if (i, j) != (0, 3) {
			unlink(all[i], all[j]);
		}
	}
	let stalled = wait_for_stall(alice.port(), Duration::from_secs(8), "the partition");
	let (charlie_best, _) = heights(charlie.port()).unwrap();
	wait_for(charlie.port(), MINUTE, "Charlie's fork grows", |best, _| best >= charlie_best + 2);

	// 3. Dave's second node follows Charlie's fork and votes in his round.
	let twin = Peer::start("dave", "dave-twin");
	link(&twin, &charlie);
	let (charlie_best, _) = heights(charlie.port()).unwrap();
	wait_for(twin.port(), MINUTE, "the twin follows Charlie", |best, _| best >= charlie_best);
	std::thread::sleep(Duration::from_secs(5));

	// 4. The partition heals; the others hold both of Dave's votes.
	for (i, j) in pairs(&all) {
		if (i, j) != (0, 3) {
			link(all[i], all[j]);
		}
	}
	let healed = Instant::now();
	let chain = Chain::connect(&alice.node.ws_url()).await.unwrap();
	let dave_account = dev::dave().public_key().to_account_id();
	let session = chain.fetch(api::storage().session().validators(), ()).await.unwrap();
	let dave_index = session.unwrap_or_default().iter().position(|v| *v == dave_account).unwrap();
	let (block, removed, offences) =
		wait_for_removal(&chain, alice.port(), stalled, 3 * MINUTE).await;
	let to_report = healed.elapsed();
	drop(twin);
	assert_eq!(removed.validator, dave_account);
	assert!(
		offences.iter().any(|offence| &offence.kind == GRANDPA_EQUIVOCATION),
		"block #{block} removed Dave without a GRANDPA equivocation offence"
	);

	// Disabled at once: he may not author for the rest of the session.
	let at = chain.online().at_block(block).await.unwrap();
	let disabled =
		at.storage().try_fetch(api::storage().session().disabled_validators(), ()).await.unwrap();
	let disabled: Vec<(u32, _)> = disabled.map(|value| value.decode().unwrap()).unwrap_or_default();
	assert!(
		disabled.iter().any(|(index, _)| *index as usize == dave_index),
		"Dave (validator #{dave_index}) is not disabled at block #{block}"
	);

	// Removed at the next session boundary; finality goes on with the other three.
	wait_for_set(&chain, false, "the offender leaves the session", |set| {
		set.len() == 3 && !set.contains(&dave_account)
	})
	.await;
	let (_, finalized) = heights(alice.port()).unwrap();
	wait_for(alice.port(), MINUTE, "finality goes on without Dave", |_, now| now >= finalized + 3);
	eprintln!(
		"figures: the partition healed; the GRANDPA equivocation report was included and \
		 finalized in block #{block}, {:.1} s later",
		to_report.as_secs_f64()
	);
	drop([alice, bob, charlie, dave]);
}
