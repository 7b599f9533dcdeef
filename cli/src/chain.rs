//! Talking to a Verity node: connection, signing, submitting calls, reading storage.
//!
//! Call arguments and storage values are SCALE-encoded and decoded with the very types of
//! `verity-primitives` that the runtime uses, so the CLI and the chain cannot disagree on a
//! field; subxt supplies the transport, the metadata and the transaction format.

use codec::{Decode, Encode};
use subxt::rpcs::RpcClient;
use subxt::{
	dynamic::{self, Value},
	ext::scale_encode::{self, EncodeAsType, TypeResolver},
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

/// A call argument, SCALE-encoded from the runtime's own type (see [`Scale::of`]).
pub struct Scale(Vec<u8>);

impl Scale {
	/// The argument `value`, encoded.
	pub fn of(value: &impl Encode) -> Self {
		Self(value.encode())
	}
}

impl EncodeAsType for Scale {
	fn encode_as_type_to<R: TypeResolver>(
		&self,
		_type_id: R::TypeId,
		_types: &R,
		out: &mut Vec<u8>,
	) -> Result<(), scale_encode::Error> {
		out.extend_from_slice(&self.0);
		Ok(())
	}
}

/// An event of a successful call.
pub struct Event {
	/// `Pallet.Event`.
	pub name: String,
	/// The event's fields, SCALE-encoded.
	pub fields: Vec<u8>,
	/// For `System.ExtrinsicFailed`, the module error as `Pallet::Error` (when it is one).
	pub failure: Option<String>,
}

/// The outcome of a successful call.
pub struct Included {
	/// The finalized block that holds it.
	pub block: String,
	/// Its events.
	pub events: Vec<Event>,
}

impl Included {
	/// The first `name` event (`Pallet.Event`), its fields decoded as `V` (a prefix of them
	/// is enough: trailing fields are ignored).
	pub fn event<V: Decode>(&self, name: &str) -> Result<V, Failure> {
		let event = self
			.events
			.iter()
			.find(|event| event.name == name)
			.ok_or_else(|| format!("no {name} event"))?;
		V::decode(&mut &event.fields[..]).map_err(|e| format!("decoding {name}: {e}"))
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

	/// Signs `call` (pallet, call name, SCALE-encoded arguments) with `signer`, submits it and
	/// waits until it is finalized. A failed dispatch becomes `Pallet::Error: its doc line`.
	pub async fn submit(
		&self,
		pallet: &str,
		call: &str,
		arguments: Vec<Scale>,
		signer: &Keypair,
	) -> Result<Included, Failure> {
		let transaction = dynamic::transaction(pallet, call, arguments);
		let at = self.api.at_current_block().await.map_err(|e| e.to_string())?;
		let progress = at
			.transactions()
			.sign_and_submit_then_watch_default(&transaction, signer)
			.await
			.map_err(|e| format!("{pallet}.{call} was not accepted: {e}"))?;
		let in_block =
			progress.wait_for_finalized().await.map_err(|e| format!("{pallet}.{call}: {e}"))?;
		let block = format!("{:?}", in_block.block_hash());
		let events = in_block.wait_for_success().await.map_err(|e| explain(pallet, call, &e))?;
		Ok(Included { block, events: named(events.iter(), at.metadata_ref())? })
	}

	/// Signs `call` with `signer` and hands it to the node's pool without waiting for a block
	/// (for chains whose blocks the caller seals itself). Returns the transaction's hash.
	pub async fn submit_unwatched(
		&self,
		pallet: &str,
		call: &str,
		arguments: Vec<Scale>,
		signer: &Keypair,
	) -> Result<[u8; 32], Failure> {
		let transaction = dynamic::transaction(pallet, call, arguments);
		let at = self.api.at_current_block().await.map_err(|e| e.to_string())?;
		let hash = at
			.transactions()
			.sign_and_submit_default(&transaction, signer)
			.await
			.map_err(|e| format!("{pallet}.{call} was not accepted: {e}"))?;
		Ok(hash.0)
	}

	/// The events of the best chain's block `number`, in order.
	pub async fn events_at(&self, number: u64) -> Result<Vec<Event>, Failure> {
		let at = self.api.at_block(number).await.map_err(|e| e.to_string())?;
		let events = at.events().fetch().await.map_err(|e| e.to_string())?;
		named(events.iter(), at.metadata_ref())
	}

	/// The value at `pallet.entry(keys)` in the latest block, decoded as `V`.
	pub async fn read<V: Decode>(
		&self,
		pallet: &str,
		entry: &str,
		keys: Vec<Value>,
	) -> Result<Option<V>, Failure> {
		let at = self.api.at_current_block().await.map_err(|e| e.to_string())?;
		let address = dynamic::storage::<Vec<Value>, Value>(pallet, entry);
		let Some(value) = at
			.storage()
			.try_fetch(address, keys)
			.await
			.map_err(|e| format!("reading {pallet}.{entry}: {e}"))?
		else {
			return Ok(None);
		};
		V::decode(&mut value.bytes())
			.map(Some)
			.map_err(|e| format!("decoding {pallet}.{entry}: {e}"))
	}

	/// Every value under `pallet.entry(prefix..)` in the latest block, with its full key
	/// decoded as dynamic values.
	pub async fn read_all<V: Decode>(
		&self,
		pallet: &str,
		entry: &str,
		prefix: Vec<Value>,
	) -> Result<Vec<(Vec<Value>, V)>, Failure> {
		let at = self.api.at_current_block().await.map_err(|e| e.to_string())?;
		let address = dynamic::storage::<Vec<Value>, Value>(pallet, entry);
		let mut entries = at
			.storage()
			.iter(address, prefix)
			.await
			.map_err(|e| format!("reading {pallet}.{entry}: {e}"))?;
		let mut found = Vec::new();
		while let Some(entry_value) = entries.next().await {
			let entry_value = entry_value.map_err(|e| format!("reading {pallet}.{entry}: {e}"))?;
			let key = entry_value
				.key()
				.map_err(|e| e.to_string())?
				.decode()
				.map_err(|e| e.to_string())?;
			let value = V::decode(&mut entry_value.value().bytes())
				.map_err(|e| format!("decoding {pallet}.{entry}: {e}"))?;
			found.push((key, value));
		}
		Ok(found)
	}

	/// The chain's genesis hash.
	pub fn genesis_hash(&self) -> [u8; 32] {
		self.api.genesis_hash().0
	}

	/// A constant of the runtime, decoded as `V`.
	pub async fn constant<V: Decode>(&self, pallet: &str, name: &str) -> Result<V, Failure> {
		let at = self.api.at_current_block().await.map_err(|e| e.to_string())?;
		let bytes = at
			.constants()
			.entry_bytes(dynamic::constant::<Value>(pallet, name))
			.map_err(|e| format!("constant {pallet}.{name}: {e}"))?;
		V::decode(&mut &bytes[..]).map_err(|e| format!("decoding {pallet}.{name}: {e}"))
	}
}

/// Events as `Pallet.Event` names with their SCALE-encoded fields.
fn named<'a>(
	events: impl Iterator<
		Item = Result<subxt::events::Event<'a, PolkadotConfig>, subxt::error::EventsError>,
	>,
	metadata: &subxt::Metadata,
) -> Result<Vec<Event>, Failure> {
	events
		.map(|event| {
			let event = event.map_err(|e| e.to_string())?;
			let name = format!("{}.{}", event.pallet_name(), event.event_name());
			let fields = event.field_bytes().to_vec();
			let failure = (name == "System.ExtrinsicFailed")
				.then(|| module_error(&fields, metadata))
				.flatten();
			Ok(Event { name, fields, failure })
		})
		.collect()
}

/// A `DispatchError::Module` (variant 3: pallet index, then the error's first byte) named
/// `Pallet::Error` from the metadata.
fn module_error(dispatch_error: &[u8], metadata: &subxt::Metadata) -> Option<String> {
	let [3, pallet, error, ..] = dispatch_error else { return None };
	let pallet = metadata.pallet_by_error_index(*pallet)?;
	let variant = pallet.error_variant_by_index(*error)?;
	Some(format!("{}::{}", pallet.name(), variant.name))
}

/// Whether `url`'s host is a loopback address or `localhost`.
fn is_loopback_url(url: &str) -> bool {
	let Some((_, rest)) = url.split_once("://") else { return false };
	let authority = rest.split(['/', '?']).next().unwrap_or_default();
	let host = match authority.strip_prefix('[') {
		Some(bracketed) => bracketed.split(']').next().unwrap_or_default(),
		None => authority.rsplit_once(':').map_or(authority, |(host, _)| host),
	};
	host == "localhost" || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// A dispatch failure as `Pallet::Error: doc line`.
fn explain(pallet: &str, call: &str, error: &subxt::error::TransactionEventsError) -> Failure {
	use subxt::error::{DispatchError, TransactionEventsError};
	if let TransactionEventsError::ExtrinsicFailed(DispatchError::Module(module)) = error {
		if let Ok(details) = module.details() {
			return format!(
				"{pallet}.{call} failed: {}::{}: {}",
				details.pallet.name(),
				details.variant.name,
				details.variant.docs.join(" ").trim()
			);
		}
	}
	format!("{pallet}.{call} failed: {error}")
}
