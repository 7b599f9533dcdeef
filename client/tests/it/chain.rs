//! Chain connections: which RPC URLs count as local.

use verity_client::chain::is_loopback_url;

#[test]
fn loopback_urls_are_recognised() {
	assert!(is_loopback_url("ws://127.0.0.1:9944"));
	assert!(is_loopback_url("ws://localhost:9944/path"));
	assert!(is_loopback_url("ws://[::1]:9944"));
	assert!(!is_loopback_url("wss://rpc.example.com"));
	assert!(!is_loopback_url("ws://10.0.0.1:9944"));
	assert!(!is_loopback_url("not a url"));
}
