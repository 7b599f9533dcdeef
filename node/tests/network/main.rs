//! End-to-end tests on the 4-validator `local` network (zombienet, native provider): validator
//! faults (`faults.rs`), validator-set changes by referendum (`validator_set.rs`) and a
//! validator that equivocates (`equivocation.rs`). One binary, apart from the crate's other
//! integration tests, whose tests run one at a time: a network of four or five validators
//! takes the machine.

mod equivocation;
mod faults;
mod validator_set;
mod zombie;

static NETWORKS: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Holds the machine for one network test at a time.
fn serial() -> std::sync::MutexGuard<'static, ()> {
	NETWORKS.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
