//! Validators' session keys, as an operator registers them: generated in the keystore of the
//! validator's own node for its account, then set on chain with the proof of ownership that
//! `session.set_keys` checks.

use crate::{api, Chain, Failure, Static};
use subxt::{rpcs::RpcClient, utils::AccountId32};
use subxt_signer::sr25519::Keypair;

/// A validator's session keys as the runtime encodes them (`SessionKeys`): Aura's sr25519
/// key, then GRANDPA's ed25519 key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, codec::Encode, codec::Decode)]
pub struct SessionKeys {
	/// Block production (sr25519).
	pub aura: [u8; 32],
	/// Finality votes (ed25519).
	pub grandpa: [u8; 32],
}

/// Keys a node generated for an owner, with their proof of ownership.
#[derive(Clone, Debug)]
pub struct GeneratedKeys {
	/// The public keys.
	pub keys: SessionKeys,
	/// Each key's signature over the owner's account, as `session.set_keys` checks it.
	pub proof: Vec<u8>,
}

/// Asks the node at `node_url` (`ws://`; the validator's own node, which must allow unsafe RPC
/// methods) to generate new session keys in its keystore for `owner`
/// (`author_rotateKeysWithOwner`).
pub async fn rotate_keys(node_url: &str, owner: &AccountId32) -> Result<GeneratedKeys, Failure> {
	let rpc = RpcClient::from_insecure_url(node_url)
		.await
		.map_err(|e| format!("cannot connect to {node_url}: {e}"))?;
	let owner = format!("0x{}", hex::encode(owner.0));
	let generated: serde_json::Value = rpc
		.request("author_rotateKeysWithOwner", subxt::rpcs::rpc_params![owner])
		.await
		.map_err(|e| format!("{node_url}: author_rotateKeysWithOwner: {e}"))?;
	let field = |name: &str| -> Result<Vec<u8>, Failure> {
		let text = generated[name].as_str().ok_or(format!("the node returned no {name}"))?;
		hex::decode(text.trim_start_matches("0x")).map_err(|e| format!("{name}: {e}"))
	};
	let keys = <SessionKeys as codec::Decode>::decode(&mut &field("keys")?[..])
		.map_err(|e| format!("the node's session keys are not Aura + GRANDPA keys: {e}"))?;
	Ok(GeneratedKeys { keys, proof: field("proof")? })
}

/// Registers `generated` as `owner`'s session keys (`session.set_keys`; holds the key deposit).
pub async fn set_keys(
	chain: &Chain,
	generated: &GeneratedKeys,
	owner: &Keypair,
) -> Result<(), Failure> {
	let call = api::tx().session().set_keys(Static(generated.keys), generated.proof.clone());
	chain.submit(&call, owner).await.map(|_| ())
}
