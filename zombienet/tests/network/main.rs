//! End-to-end tests on the 4-validator `local` network (zombienet, native provider): validator
//! faults (`faults.rs`), validator-set changes by referendum (`validator_set.rs`), and an
//! equivocating validator reported, disabled and removed (`equivocation.rs`, on four nodes of
//! its own whose links the test sets). Its tests run one at a time, a network of four or five
//! validators taking most of the machine; `scripts/test.sh` runs this binary beside the other
//! crates' tests, which mostly wait on block times too.

mod equivocation;
mod faults;
mod validator_set;

/// Held by the running network test: one network at a time on the machine.
static NETWORKS: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Holds the machine for one network test at a time (from a test outside any runtime).
fn serial() -> tokio::sync::MutexGuard<'static, ()> {
	NETWORKS.blocking_lock()
}

/// The same, from an async test.
async fn serial_async() -> tokio::sync::MutexGuard<'static, ()> {
	NETWORKS.lock().await
}
