//! End to end: the built `verity-node` in `--dev`, driven by a real client (subxt over
//! WebSocket).

use std::time::Duration;

use subxt::{
	utils::{AccountId32, MultiAddress},
	OnlineClient, PolkadotConfig,
};
use subxt_signer::{sr25519::dev, sr25519::Keypair, SecretUri};
use verity_client::api::{
	self, balances::events::Transfer, transaction_payment::events::TransactionFeePaid,
};
use verity_node_harness::{Node, NodeBuilder};

const NODE: &str = env!("CARGO_BIN_EXE_verity-node");
/// One token: 18 decimals.
const UNIT: u128 = 1_000_000_000_000_000_000;

fn dev_node(extra: &[&str]) -> Node {
	NodeBuilder::new(NODE)
		.name("dev")
		.arg("--dev")
		.args(extra.iter().copied())
		.spawn()
		.unwrap_or_else(|e| panic!("{e}"))
}

fn newcomer() -> Keypair {
	let uri: SecretUri = "//VerityEndToEndNewcomer".parse().unwrap();
	Keypair::from_uri(&uri).unwrap()
}

async fn free_balance(
	api: &OnlineClient<PolkadotConfig>,
	at: subxt::utils::H256,
	who: [u8; 32],
) -> u128 {
	let at = api.at_block(at).await.unwrap();
	let address = api::storage().system().account();
	let account = at.storage().try_fetch(address, (AccountId32(who),)).await.unwrap();
	account.map_or(0, |account| account.decode().unwrap().data.free)
}

async fn total_issuance(api: &OnlineClient<PolkadotConfig>, at: subxt::utils::H256) -> u128 {
	let at = api.at_block(at).await.unwrap();
	let address = api::storage().balances().total_issuance();
	at.storage().fetch(address, ()).await.unwrap().decode().unwrap()
}

/// Transfers 10 tokens from Alice to a new account, waits for finality, and checks both
/// balances, the fee, and that the fee was burned from the total issuance.
async fn transfer_and_check(node: &Node) {
	tokio::time::timeout(Duration::from_secs(120), transfer_and_check_unbounded(node))
		.await
		.expect("the transfer is finalized within two minutes");
}

async fn transfer_and_check_unbounded(node: &Node) {
	let api = OnlineClient::<PolkadotConfig>::from_insecure_url(node.ws_url())
		.await
		.expect("subxt connects over WebSocket");
	let alice = dev::alice();
	let alice_id = alice.public_key().0;
	let newcomer_id = newcomer().public_key().0;
	let amount = 10 * UNIT;

	let before = api.at_current_block().await.unwrap();
	let before_hash = before.block_hash();
	let alice_before = free_balance(&api, before_hash, alice_id).await;
	let issuance_before = total_issuance(&api, before_hash).await;
	assert_eq!(free_balance(&api, before_hash, newcomer_id).await, 0, "the newcomer is new");

	let transfer = api::tx()
		.balances()
		.transfer_allow_death(MultiAddress::Id(AccountId32(newcomer_id)), amount);
	let events = before
		.transactions()
		.sign_and_submit_then_watch_default(&transfer, &alice)
		.await
		.expect("submitted")
		.wait_for_finalized_success()
		.await
		.expect("finalized and successful");

	let fee = events.find_first::<TransactionFeePaid>().map(Result::unwrap);
	let transferred = events.find_first::<Transfer>().map(Result::unwrap);
	let fee = fee.expect("a TransactionFeePaid event");
	let transferred = transferred.expect("a Transfer event");
	assert_eq!(fee.who.0, alice_id);
	assert_eq!(fee.tip, 0);
	assert_eq!(
		(transferred.from.0, transferred.to.0, transferred.amount),
		(alice_id, newcomer_id, amount)
	);
	// A plain transfer costs about a thousandth of a token with the runtime's fee constants.
	assert!(
		fee.actual_fee > UNIT / 100_000 && fee.actual_fee < UNIT / 10,
		"fee {} out of the expected range",
		fee.actual_fee
	);

	// The transaction's block is finalized: read the state there.
	let finalized_hash = node.rpc("chain_getFinalizedHead", serde_json::json!([])).unwrap();
	let finalized: subxt::utils::H256 =
		serde_json::from_value(finalized_hash).expect("a block hash");
	assert_eq!(free_balance(&api, finalized, newcomer_id).await, amount);
	assert_eq!(
		free_balance(&api, finalized, alice_id).await,
		alice_before - amount - fee.actual_fee
	);
	assert_eq!(
		total_issuance(&api, finalized).await,
		issuance_before - fee.actual_fee,
		"fees are burned"
	);
}

#[tokio::test(flavor = "multi_thread")]
async fn aura_grandpa_dev_chain_transfers_and_finalizes() {
	let node = dev_node(&[]);
	transfer_and_check(&node).await;
	// Blocks keep coming and being finalized after the transfer.
	let (best, finalized) = node.heights().unwrap();
	node.wait_for_heights(Duration::from_secs(60), |b, f| b > best + 1 && f > finalized).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn instant_seal_dev_chain_transfers_and_finalizes() {
	let node = dev_node(&["--sealing", "instant"]);
	transfer_and_check(&node).await;
}

#[test]
fn manual_seal_makes_blocks_on_request() {
	let node = dev_node(&["--sealing", "manual"]);
	assert_eq!(node.heights().unwrap(), (0, 0));
	for expected in 1..=3u64 {
		node.rpc("engine_createBlock", serde_json::json!([true, false, null])).unwrap();
		assert_eq!(node.heights().unwrap().0, expected);
	}
	let best = node.rpc("chain_getBlockHash", serde_json::json!([3])).unwrap();
	node.rpc("engine_finalizeBlock", serde_json::json!([best, null])).unwrap();
	assert_eq!(node.heights().unwrap(), (3, 3));
}

#[test]
fn dev_chain_reports_token_properties_and_metrics() {
	let node = dev_node(&[]);
	let properties = node.rpc("system_properties", serde_json::json!([])).unwrap();
	assert_eq!(properties["tokenDecimals"], 18);
	assert_eq!(properties["tokenSymbol"], "VRT");
	let version = node.rpc("state_getRuntimeVersion", serde_json::json!([])).unwrap();
	assert_eq!(version["specName"], "verity");
	// The node refreshes its Prometheus gauges every few seconds.
	let deadline = std::time::Instant::now() + Duration::from_secs(45);
	let mut best = 0.0;
	while best < 2.0 && std::time::Instant::now() < deadline {
		std::thread::sleep(Duration::from_millis(500));
		best = node.metric("substrate_block_height", "status=\"best\"").unwrap();
	}
	assert!(best >= 2.0, "Prometheus reports best block {best}");
	let finalized = node.metric("substrate_block_height", "status=\"finalized\"").unwrap();
	assert!(finalized <= best);
}
