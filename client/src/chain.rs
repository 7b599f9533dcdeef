//! A connection to a Verity node: signing and submitting typed calls, reading typed storage,
//! constants and events (the types are [`crate::api`]'s).

use subxt::{
	constants::Address as ConstantAddress,
	events::Events,
	extrinsics::ExtrinsicEvents,
	rpcs::RpcClient,
	storage::{Address as StorageAddress, PrefixOf},
	transactions::Payload,
	utils::AccountId32,
	OnlineClient, PolkadotConfig,
};
use subxt_signer::{sr25519::Keypair, SecretUri};
use verity_artifact_store::AddressPolicy;

/// A failure, as one line for the user.
pub type Failure = String;

/// A connected client.
pub struct Chain {
	api: OnlineClient<PolkadotConfig>,
	/// `Development`, `Local`, `Live` or `{"Custom": ..}` (the node's `system_chainType`).
	chain_type: serde_json::Value,
	/// Whether the RPC endpoint is on this machine.
	local_rpc: bool,
}

/// A finalized, successful transaction.
pub struct Included {
	/// The finalized block that holds it, `0x`-hex.
	pub block: String,
	/// Its events.
	pub events: ExtrinsicEvents<PolkadotConfig>,
}

impl Included {
	/// Its first event of type `E` (e.g. `api::inference::events::InferenceRequested`).
	pub fn event<E: subxt::events::DecodeAsEvent>(&self) -> Result<E, Failure> {
		first(self.events.find_first::<E>())
	}
}

/// The first event of a search, or why there is none.
fn first<E>(found: Option<Result<E, subxt::error::EventsError>>) -> Result<E, Failure> {
	match found {
		Some(event) => event.map_err(|e| format!("decoding {}: {e}", std::any::type_name::<E>())),
		None => Err(format!("no {} event", std::any::type_name::<E>())),
	}
}

/// The signer named by a secret URI (`//Alice`, a mnemonic, a hex seed).
pub fn signer(suri: Option<&str>) -> Result<Keypair, Failure> {
	let suri = suri.ok_or(
		"this command signs a transaction: pass --suri (e.g. --suri //Alice on a dev chain)",
	)?;
	let uri: SecretUri = suri.parse().map_err(|e| format!("--suri is not a secret URI: {e}"))?;
	Keypair::from_uri(&uri).map_err(|e| format!("--suri: {e}"))
}

/// The account of a signer.
pub fn account_of(signer: &Keypair) -> AccountId32 {
	signer.public_key().to_account_id()
}

impl Chain {
	/// Connects to the node at `url` (`ws://` or `wss://`).
	pub async fn connect(url: &str) -> Result<Self, Failure> {
		let rpc = if url.starts_with("ws://") {
			RpcClient::from_insecure_url(url).await
		} else {
			RpcClient::from_url(url).await
		}
		.map_err(|e| format!("cannot connect to {url}: {e}"))?;
		let chain_type = rpc
			.request::<serde_json::Value>("system_chainType", subxt::rpcs::rpc_params![])
			.await
			.map_err(|e| format!("{url}: system_chainType: {e}"))?;
		let api = OnlineClient::<PolkadotConfig>::from_rpc_client(rpc)
			.await
			.map_err(|e| format!("cannot connect to {url}: {e}"))?;
		Ok(Self { api, chain_type, local_rpc: is_loopback_url(url) })
	}

	/// The subxt client underneath, for what this type does not wrap.
	pub fn online(&self) -> &OnlineClient<PolkadotConfig> {
		&self.api
	}

	/// Where downloads from locations this chain names may go: anywhere on a development or
	/// local chain served from this machine (its stores listen on loopback), public addresses
	/// only otherwise (anyone can name a location; it must not make this machine reach its
	/// private network, and a remote RPC node's word that its chain is a test one is not
	/// enough).
	pub fn download_policy(&self) -> AddressPolicy {
		let test_chain = matches!(self.chain_type.as_str(), Some("Development" | "Local"));
		if test_chain && self.local_rpc {
			AddressPolicy::Any
		} else {
			AddressPolicy::PublicOnly
		}
	}

	/// The chain's genesis hash.
	pub fn genesis_hash(&self) -> [u8; 32] {
		self.api.genesis_hash().0
	}

	/// Signs `call` (from `api::tx()`) with `signer`, submits it and waits until it is
	/// finalized. A failed dispatch becomes `Pallet.call failed: Pallet::Error: its doc line`.
	pub async fn submit<C: Payload>(
		&self,
		call: &C,
		signer: &Keypair,
	) -> Result<Included, Failure> {
		let name = call_name(call);
		let at = self.api.at_current_block().await.map_err(|e| e.to_string())?;
		let progress = at
			.transactions()
			.sign_and_submit_then_watch_default(call, signer)
			.await
			.map_err(|e| format!("{name} was not accepted: {e}"))?;
		let in_block = progress.wait_for_finalized().await.map_err(|e| format!("{name}: {e}"))?;
		let block = format!("{:?}", in_block.block_hash());
		let events = in_block.wait_for_success().await.map_err(|e| explain(&name, &e))?;
		Ok(Included { block, events })
	}

	/// The SCALE encoding of `call` as the runtime's `RuntimeCall` (what a referendum or a
	/// batch carries).
	pub async fn call_data<C: Payload>(&self, call: &C) -> Result<Vec<u8>, Failure> {
		let at = self.api.at_current_block().await.map_err(|e| e.to_string())?;
		at.transactions().call_data(call).map_err(|e| format!("{}: {e}", call_name(call)))
	}

	/// Signs `call` with `signer` and hands it to the node's pool without waiting for a block
	/// (for chains whose blocks the caller seals itself). Returns the transaction's hash.
	pub async fn submit_unwatched<C: Payload>(
		&self,
		call: &C,
		signer: &Keypair,
	) -> Result<[u8; 32], Failure> {
		let at = self.api.at_current_block().await.map_err(|e| e.to_string())?;
		let hash = at
			.transactions()
			.sign_and_submit_default(call, signer)
			.await
			.map_err(|e| format!("{} was not accepted: {e}", call_name(call)))?;
		Ok(hash.0)
	}

	/// The value at `address` (from `api::storage()`) under `keys` in the latest block.
	pub async fn fetch<A: StorageAddress>(
		&self,
		address: A,
		keys: A::KeyParts,
	) -> Result<Option<A::Value>, Failure> {
		let name = format!("{}.{}", address.pallet_name(), address.entry_name());
		let at = self.api.at_current_block().await.map_err(|e| e.to_string())?;
		let value = at
			.storage()
			.try_fetch(address, keys)
			.await
			.map_err(|e| format!("reading {name}: {e}"))?;
		value.map(|value| value.decode().map_err(|e| format!("decoding {name}: {e}"))).transpose()
	}

	/// Every value under `address` whose keys start with `prefix`, in the latest block, with
	/// its full key.
	pub async fn fetch_all<A, P>(
		&self,
		address: A,
		prefix: P,
	) -> Result<Vec<(A::KeyParts, A::Value)>, Failure>
	where
		A: StorageAddress,
		P: PrefixOf<A::KeyParts>,
	{
		let name = format!("{}.{}", address.pallet_name(), address.entry_name());
		let at = self.api.at_current_block().await.map_err(|e| e.to_string())?;
		let mut entries =
			at.storage().iter(address, prefix).await.map_err(|e| format!("reading {name}: {e}"))?;
		let mut found = Vec::new();
		while let Some(entry) = entries.next().await {
			let entry = entry.map_err(|e| format!("reading {name}: {e}"))?;
			let key = entry.key().and_then(|key| key.decode()).map_err(|e| e.to_string())?;
			let value = entry.value().decode().map_err(|e| format!("decoding {name}: {e}"))?;
			found.push((key, value));
		}
		Ok(found)
	}

	/// A constant of the runtime (from `api::constants()`).
	pub async fn constant<A: ConstantAddress>(&self, address: A) -> Result<A::Target, Failure> {
		let at = self.api.at_current_block().await.map_err(|e| e.to_string())?;
		at.constants().entry(address).map_err(|e| format!("constant: {e}"))
	}

	/// The events of the best chain's block `number`, in order.
	pub async fn events_at(&self, number: u64) -> Result<Events<PolkadotConfig>, Failure> {
		let at = self.api.at_block(number).await.map_err(|e| e.to_string())?;
		at.events().fetch().await.map_err(|e| e.to_string())
	}
}

/// `Pallet.call` of a transaction payload.
fn call_name<C: Payload>(call: &C) -> String {
	match call.validation_details() {
		Some(details) => format!("{}.{}", details.pallet_name, details.call_name),
		None => "the call".into(),
	}
}

/// Whether `url`'s host is a loopback address or `localhost`.
pub fn is_loopback_url(url: &str) -> bool {
	let Some((_, rest)) = url.split_once("://") else { return false };
	let authority = rest.split(['/', '?']).next().unwrap_or_default();
	let host = match authority.strip_prefix('[') {
		Some(bracketed) => bracketed.split(']').next().unwrap_or_default(),
		None => authority.rsplit_once(':').map_or(authority, |(host, _)| host),
	};
	host == "localhost" || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// A dispatch failure as `Pallet.call failed: Pallet::Error: doc line`.
fn explain(call: &str, error: &subxt::error::TransactionEventsError) -> Failure {
	use subxt::error::{DispatchError, TransactionEventsError};
	if let TransactionEventsError::ExtrinsicFailed(DispatchError::Module(module)) = error {
		if let Ok(details) = module.details() {
			return format!(
				"{call} failed: {}::{}: {}",
				details.pallet.name(),
				details.variant.name,
				details.variant.docs.join(" ").trim()
			);
		}
	}
	format!("{call} failed: {error}")
}
