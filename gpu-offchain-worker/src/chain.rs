//! The chain's records of model versions, as the worker reads them.
//!
//! Direct (off-chain) jobs are built from these records, never from the client's word: the
//! schema the input and output are read with, the artifact, its format and the version's spec
//! hash all come from the chain, so a client cannot make the worker sign a receipt for a job the
//! chain would not recognise. A version's spec never changes once published; its status
//! (active, deprecated, removed) can, so records are cached for a short time only.

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

/// Read access to the chain's Model Hub. The node implements it over its own client; a
/// standalone worker would implement it over the node's RPC.
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
