//! The chain's records of model versions, as the worker reads them.
//!
//! Direct (off-chain) jobs are built from these records, never from the client's word: the
//! schema the input and output are read with, the artifact, its format and the version's spec
//! hash all come from the chain, so a client cannot make the worker sign a receipt for a job the
//! chain would not recognise. A version's spec never changes once published; its status
//! (active, deprecated, removed) can, so records are cached for a short time only.

use codec::{Decode, Encode};
use std::{
	collections::BTreeMap,
	sync::Mutex,
	time::{Duration, Instant},
};
use verity_primitives::{ModelVersionRef, VersionSpec};

/// The chain's balance type (VRT has 18 decimals).
pub type Balance = u128;

/// A version as the chain records it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionView {
	/// What its publisher submitted.
	pub spec: VersionSpec<Balance>,
	/// Whether it may be served to new requests.
	pub active: bool,
}

/// Read access to the chain's Model Hub: [`RpcChain`] over a node's RPC, [`StaticChain`] for
/// tests.
pub trait ChainView: Send + Sync {
	/// The version's record, `None` if it does not exist.
	fn version(&self, model: &ModelVersionRef) -> Result<Option<VersionView>, String>;
}

/// A fixed set of versions (tests, and a worker pinned to known versions).
#[derive(Default)]
pub struct StaticChain(pub BTreeMap<ModelVersionRef, VersionView>);

impl ChainView for StaticChain {
	fn version(&self, model: &ModelVersionRef) -> Result<Option<VersionView>, String> {
		Ok(self.0.get(model).cloned())
	}
}

/// How long a version's record is trusted before it is read again.
pub const VERSION_CACHE_TTL: Duration = Duration::from_secs(30);

/// A [`ChainView`] with a short-lived cache in front.
pub struct CachedChain<C> {
	inner: C,
	cache: Mutex<BTreeMap<ModelVersionRef, (Instant, Option<VersionView>)>>,
}

impl<C: ChainView> CachedChain<C> {
	/// Caches `inner`'s answers for [`VERSION_CACHE_TTL`].
	pub fn new(inner: C) -> Self {
		Self { inner, cache: Mutex::new(BTreeMap::new()) }
	}
}

impl<C: ChainView> ChainView for CachedChain<C> {
	fn version(&self, model: &ModelVersionRef) -> Result<Option<VersionView>, String> {
		let lock = || self.cache.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
		if let Some((read_at, view)) = lock().get(model) {
			if read_at.elapsed() < VERSION_CACHE_TTL {
				return Ok(view.clone());
			}
		}
		let view = self.inner.version(model)?;
		lock().insert(*model, (Instant::now(), view.clone()));
		Ok(view)
	}
}

/// The Model Hub's version records read from a node's latest finalized block over its RPC (a
/// version seen on a fork that is later dropped is never signed for).
///
/// [`ChainView::version`] blocks the calling thread on the RPC call: call it off the async
/// executor (the worker does, with `spawn_blocking`).
pub struct RpcChain {
	rpc: crate::node_rpc::NodeRpc,
	runtime: tokio::runtime::Handle,
}

impl RpcChain {
	/// Reads through `rpc`, running its calls on `runtime`.
	pub fn new(rpc: crate::node_rpc::NodeRpc, runtime: tokio::runtime::Handle) -> Self {
		Self { rpc, runtime }
	}
}

impl ChainView for RpcChain {
	fn version(&self, model: &ModelVersionRef) -> Result<Option<VersionView>, String> {
		let key = version_storage_key(model);
		let Some(bytes) = self.runtime.block_on(self.rpc.finalized_storage(&key))? else {
			return Ok(None);
		};
		let record = verity_primitives::ModelVersion::<Balance, u32>::decode(&mut &bytes[..])
			.map_err(|e| format!("the version record does not decode: {e}"))?;
		Ok(Some(VersionView {
			active: record.status == verity_primitives::VersionStatus::Active,
			spec: record.spec,
		}))
	}
}

/// The storage key of `ModelRegistry::Versions(model, version)`: a double map hashed with
/// `Blake2_128Concat` on both keys.
pub fn version_storage_key(model: &ModelVersionRef) -> Vec<u8> {
	use sp_crypto_hashing::{blake2_128, twox_128};
	let mut key = twox_128(b"ModelRegistry").to_vec();
	key.extend(twox_128(b"Versions"));
	for part in [model.model.encode(), model.version.encode()] {
		key.extend(blake2_128(&part));
		key.extend(part);
	}
	key
}
