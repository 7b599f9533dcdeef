//! The node's RPC methods beyond the standard Substrate set (which `sc-service` adds).

use std::sync::Arc;

use futures::channel::mpsc;
use jsonrpsee::RpcModule;
use sc_consensus_manual_seal::{
	rpc::{ManualSeal, ManualSealApiServer},
	EngineCommand,
};
use sc_transaction_pool_api::TransactionPool;
use sp_api::ProvideRuntimeApi;
use sp_block_builder::BlockBuilder;
use sp_blockchain::{Error as BlockChainError, HeaderBackend, HeaderMetadata};
use verity_runtime::{opaque::Block, AccountId, Balance, Hash, Nonce};

/// What the RPC methods need.
pub struct FullDeps<C, P> {
	/// The client.
	pub client: Arc<C>,
	/// The transaction pool.
	pub pool: Arc<P>,
	/// Where `engine_createBlock`/`engine_finalizeBlock` send their commands, when the node
	/// runs with `--sealing manual`.
	pub manual_seal: Option<mpsc::Sender<EngineCommand<Hash>>>,
}

/// Builds the RPC module: account nonces, fee queries, and manual sealing when enabled.
pub fn create_full<C, P>(
	deps: FullDeps<C, P>,
) -> Result<RpcModule<()>, Box<dyn std::error::Error + Send + Sync>>
where
	C: ProvideRuntimeApi<Block>,
	C: HeaderBackend<Block> + HeaderMetadata<Block, Error = BlockChainError> + 'static,
	C: Send + Sync + 'static,
	C::Api: substrate_frame_rpc_system::AccountNonceApi<Block, AccountId, Nonce>,
	C::Api: pallet_transaction_payment_rpc::TransactionPaymentRuntimeApi<Block, Balance>,
	C::Api: BlockBuilder<Block>,
	P: TransactionPool + 'static,
{
	use pallet_transaction_payment_rpc::{TransactionPayment, TransactionPaymentApiServer};
	use substrate_frame_rpc_system::{System, SystemApiServer};

	let FullDeps { client, pool, manual_seal } = deps;
	let mut module = RpcModule::new(());
	module.merge(System::new(client.clone(), pool).into_rpc())?;
	module.merge(TransactionPayment::new(client).into_rpc())?;
	if let Some(commands) = manual_seal {
		module.merge(ManualSeal::new(commands).into_rpc())?;
	}
	Ok(module)
}
