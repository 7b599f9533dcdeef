//! Fault tolerance of the 4-validator local network (Alice, Bob, Charlie, Dave on the `local`
//! spec), started by zombienet with its native provider (`zombienet/spawn.sh`). GRANDPA needs
//! `n - (n - 1) / 3` votes: three of four, so one validator may fail (n >= 3f + 1).
//!
//! (a) all four produce and finalize blocks;
//! (b) Dave is killed: blocks **and finality** go on with three of four;
//! (c) Dave restarts from its database and catches up to the finalized head;
//! (d) Charlie and Dave are killed (2 of 4): finality stops, no finalized block is ever
//!     reverted, and it resumes when Dave returns.
//!
//! Each step is bounded in time; zombienet and every restarted node are stopped at the end,
//! also when the test fails. Prints block production and finality figures.

use std::time::Duration;
use verity_network_tests::*;

#[test]
fn the_local_network_finalizes_with_one_validator_down_and_never_reverts_finality() {
	let _serial = super::serial();
	let mut network = spawn_network();
	let mut validators = network.validators();
	let alice = validators[0].rpc_port;
	let minute = Duration::from_secs(60);

	// (a) All four produce and finalize.
	wait_for(alice, 2 * minute, "4/4 finalize", |best, finalized| best >= 6 && finalized >= 4);
	for validator in &validators {
		wait_for(validator.rpc_port, minute, "each validator follows", |_, finalized| {
			finalized >= 4
		});
	}
	let (blocks_4, lag_4) = observe(alice, Duration::from_secs(30));

	// (b) Dave dies: blocks and finality go on with three of four.
	kill(&validators[3]);
	let (at_kill, at_kill_hash) = finalized_head(alice);
	wait_for(alice, minute, "3/4 finalize", |_, finalized| finalized >= at_kill + 5);
	let (blocks_3, lag_3) = observe(alice, Duration::from_secs(30));
	assert_eq!(block_hash(alice, at_kill), at_kill_hash, "a finalized block was reverted");

	// (c) Dave restarts from its database and catches up to the finalized head.
	let mut dave = taken(&mut validators, 3);
	network.restart(&mut dave, "dave");
	let (head, head_hash) = finalized_head(alice);
	let (_, catch_up) =
		wait_for(dave.rpc_port, 2 * minute, "Dave catches up", |_, finalized| finalized >= head);
	assert_eq!(block_hash(dave.rpc_port, head), head_hash, "Dave finalized another fork");
	validators[3] = dave;

	// (d) Charlie and Dave die (2 of 4): finality stops, nothing reverts; it resumes when Dave
	// returns.
	kill(&validators[2]);
	kill(&validators[3]);
	std::thread::sleep(Duration::from_secs(4));
	let (stalled, stalled_hash) = finalized_head(alice);
	let best = assert_finality_stopped(alice, stalled, "2 of 4");
	assert_eq!(block_hash(validators[1].rpc_port, stalled), stalled_hash);
	let mut dave = taken(&mut validators, 3);
	network.restart(&mut dave, "dave");
	let (_, resumed) =
		wait_for(alice, 2 * minute, "finality resumes with 3/4", |_, finalized| finalized >= best);
	assert_eq!(block_hash(alice, stalled), stalled_hash, "a finalized block was reverted");
	assert_eq!(block_hash(dave.rpc_port, stalled), stalled_hash, "Dave finalized another fork");

	eprintln!(
		"figures: 4/4: {blocks_4} blocks in 30 s, mean finality lag {lag_4:.2} blocks; \
		 3/4: {blocks_3} blocks in 30 s, mean finality lag {lag_3:.2} blocks; Dave restarted \
		 and reached the finalized head in {:.1} s; with 2/4 finality stopped, and resumed \
		 {:.1} s after Dave returned",
		catch_up.as_secs_f64(),
		resumed.as_secs_f64()
	);
}
