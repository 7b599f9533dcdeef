//! The validator set changes by referendum on the running 4-validator network: Eve runs a node,
//! takes session keys from it (`author_rotateKeysWithOwner`) and registers them
//! (`session.set_keys`, with the ownership proof), as `verity_client::validators` does; a
//! `root` referendum adds her, and from the session after next she authors blocks and votes
//! (Charlie is then stopped: five validators finalize only with four votes, so finality going
//! on shows hers); a second referendum removes Dave, leaving four with one down. Finality never
//! stops meanwhile (the longest pause is asserted).
//!
//! Prints the time from the referendum's enactment to Eve's first block.

use codec::Decode;
use sp_core::bytes::{from_hex, to_hex};
use sp_io::hashing::twox_128;
use std::{
	sync::{
		atomic::{AtomicBool, Ordering},
		Arc,
	},
	time::{Duration, Instant},
};
use subxt_signer::sr25519::dev;
use verity_client::{
	api, governance,
	validators::{self, SessionKeys},
	Chain,
};
use verity_network_tests::*;
use verity_node_harness::{Node, NodeBuilder};

const UNIT: u128 = 1_000_000_000_000_000_000;
const MINUTE: Duration = Duration::from_secs(60);

/// Samples the finalized height every half second; reports the longest time it stood still.
struct FinalityWatch {
	stop: Arc<AtomicBool>,
	thread: std::thread::JoinHandle<Duration>,
}

impl FinalityWatch {
	fn start(port: u16) -> Self {
		let stop = Arc::new(AtomicBool::new(false));
		let flag = stop.clone();
		let thread = std::thread::spawn(move || {
			let (mut last, mut since, mut longest) = (0, Instant::now(), Duration::ZERO);
			while !flag.load(Ordering::Relaxed) {
				if let Ok((_, finalized)) = heights(port) {
					if finalized > last {
						(last, since) = (finalized, Instant::now());
					}
					longest = longest.max(since.elapsed());
				}
				std::thread::sleep(Duration::from_millis(500));
			}
			longest
		});
		Self { stop, thread }
	}

	fn longest_pause(self) -> Duration {
		self.stop.store(true, Ordering::Relaxed);
		self.thread.join().unwrap()
	}
}

/// A fifth validator node on the network's spec, booting from Alice, with an empty keystore.
fn start_validator(network: &Network, name: &str) -> Node {
	let spec = network.raw_spec().display().to_string();
	NodeBuilder::new(node_binary())
		.name(name)
		.args(["--chain", &spec, "--validator", "--no-artifact-store", "--rpc-methods", "unsafe"])
		.arg("--unsafe-force-node-key-generation")
		.args(["--bootnodes", &network.bootnode()])
		.spawn()
		.unwrap()
}

/// Passes a `root` referendum on `call`, Alice (40% of the supply) voting aye.
async fn pass<C: subxt::transactions::Payload>(chain: &Chain, call: &C) {
	let alice = dev::alice();
	let index = governance::propose_root(chain, call, &alice).await.unwrap();
	governance::vote_aye(chain, index, 390_000_000 * UNIT, &alice).await.unwrap();
}

/// The Aura key that authored block `number` on the node at `port`: the slot in its
/// pre-runtime digest, modulo its parent's authorities.
fn author_key(port: u16, number: u64) -> Option<[u8; 32]> {
	let header =
		rpc(port, "chain_getHeader", serde_json::json!([block_hash(port, number)])).ok()?;
	let slot = header["digest"]["logs"].as_array()?.iter().find_map(|log| {
		let bytes = from_hex(log.as_str()?).ok()?;
		// PreRuntime (6), engine `aura`, compact length 8, the slot (u64, little endian).
		let aura = bytes.len() == 14 && bytes[0] == 6 && &bytes[1..5] == b"aura";
		aura.then(|| u64::from_le_bytes(bytes[6..14].try_into().unwrap()))
	})?;
	let key = [twox_128(b"Aura"), twox_128(b"Authorities")].concat();
	let parent = header["parentHash"].clone();
	let raw =
		rpc(port, "state_getStorage", serde_json::json!([to_hex(&key, false), parent])).ok()?;
	let authorities = Vec::<[u8; 32]>::decode(&mut &from_hex(raw.as_str()?).ok()?[..]).ok()?;
	authorities.get((slot % authorities.len() as u64) as usize).copied()
}

/// Waits for a block authored with `aura_key`; returns its number.
fn wait_for_block_by(port: u16, aura_key: [u8; 32], within: Duration) -> u64 {
	let deadline = Instant::now() + within;
	let mut next = heights(port).unwrap().0;
	loop {
		let (best, _) = heights(port).unwrap();
		while next <= best {
			if author_key(port, next) == Some(aura_key) {
				return next;
			}
			next += 1;
		}
		assert!(Instant::now() < deadline, "no block authored by the new validator");
		std::thread::sleep(Duration::from_millis(500));
	}
}

#[tokio::test(flavor = "multi_thread")]
async fn a_referendum_adds_a_fifth_validator_and_another_removes_one_while_finality_goes_on() {
	let _serial = super::serial_async().await;
	let mut network = spawn_network();
	let nodes = network.validators();
	let alice = nodes[0].rpc_port;
	wait_for(alice, 2 * MINUTE, "4/4 finalize", |_, finalized| finalized >= 4);
	let finality = FinalityWatch::start(alice);
	let chain = Chain::connect(&format!("ws://127.0.0.1:{alice}")).await.unwrap();

	// Eve's operator starts a node and registers its session keys.
	let eve_node = start_validator(&network, "eve");
	let eve = dev::eve().public_key().to_account_id();
	let generated = validators::rotate_keys(&eve_node.ws_url(), &eve).await.unwrap();
	validators::set_keys(&chain, &generated, &dev::eve()).await.unwrap();
	let SessionKeys { aura, .. } = generated.keys;

	// Governance adds her.
	pass(&chain, &api::tx().validator_set().add_validator(eve)).await;
	wait_for_set(&chain, true, "the referendum adds Eve", |set| set.contains(&eve)).await;
	let enacted = Instant::now();
	let first = wait_for_block_by(alice, aura, 3 * MINUTE);
	let to_first_block = enacted.elapsed();
	// She votes: with Charlie down, five validators finalize only with four votes, hers among
	// them.
	kill(&nodes[2]);
	let (_, finalized) = heights(alice).unwrap();
	wait_for(alice, MINUTE, "finality with Eve's votes", |_, now| now >= finalized + 3);

	// Governance removes Dave.
	let dave = dev::dave().public_key().to_account_id();
	pass(&chain, &api::tx().validator_set().remove_validator(dave)).await;
	wait_for_set(&chain, false, "Dave leaves the session", |set| !set.contains(&dave)).await;
	let (_, finalized) = heights(alice).unwrap();
	wait_for(alice, MINUTE, "finality goes on without Dave", |_, now| now >= finalized + 3);

	let pause = finality.longest_pause();
	assert!(pause < Duration::from_secs(30), "finality stood still for {pause:?}");
	eprintln!(
		"figures: Eve authored block #{first} {:.1} s after the referendum adding her was \
		 enacted; the longest finality pause during both changes was {:.1} s",
		to_first_block.as_secs_f64(),
		pause.as_secs_f64()
	);
	drop(eve_node);
}
