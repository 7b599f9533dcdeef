//! Governance by referendum, as a token holder does it from polkadot-js or the CLI: propose a
//! call on the `root` track (carried inline: calls up to 128 bytes, such as a validator-set
//! change or an upgrade authorization) and vote on it.

use crate::{api, Chain, Failure};
use api::runtime_types::{
	frame_support::{
		dispatch::RawOrigin,
		traits::{preimages::Bounded, schedule::DispatchTime},
	},
	pallet_conviction_voting::vote::{AccountVote, Vote},
	verity_runtime::OriginCaller,
};
use subxt::transactions::Payload;
use subxt_signer::sr25519::Keypair;

/// Proposes `call` (from `api::tx()`) as a referendum dispatched as Root, places its decision
/// deposit, and returns the referendum's index.
pub async fn propose_root<C: Payload>(
	chain: &Chain,
	call: &C,
	proposer: &Keypair,
) -> Result<u32, Failure> {
	let proposal = api::tx().referenda().submit(
		OriginCaller::system(RawOrigin::Root),
		Bounded::Inline(chain.call_data(call).await?),
		DispatchTime::After(0),
	);
	let index = chain
		.submit(&proposal, proposer)
		.await?
		.event::<api::referenda::events::Submitted>()?
		.index;
	chain.submit(&api::tx().referenda().place_decision_deposit(index), proposer).await?;
	Ok(index)
}

/// Votes aye on referendum `index` with `balance`, without conviction.
pub async fn vote_aye(
	chain: &Chain,
	index: u32,
	balance: u128,
	voter: &Keypair,
) -> Result<(), Failure> {
	// Aye with no conviction: bit 7 set, conviction 0.
	let vote = AccountVote::Standard { vote: Vote(0x80), balance };
	chain.submit(&api::tx().conviction_voting().vote(index, vote), voter).await.map(|_| ())
}
