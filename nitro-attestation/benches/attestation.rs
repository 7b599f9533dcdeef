//! Times `verify_document` on the real AWS document (shared testdata), natively: cold (no
//! cache: 5 ECDSA P-384 verifications) and warm (cache pre-filled: 2), each N times (first
//! argument, default 200), at the document's own timestamp. Prints JSON medians in µs.
//!
//! `cargo bench -p verity-nitro-attestation --bench attestation -- 200`

use std::{collections::BTreeMap, time::Instant};
use verity_nitro_attestation::{root_from_pem, verify_document, CertCache, NoCache};

const DOC: &[u8] = include_bytes!(concat!(
	env!("CARGO_MANIFEST_DIR"),
	"/../../shared/testdata/nitro/real-2025-09-09.cose"
));
const TIMESTAMP_MS: u64 = 1_757_440_781_958;

fn median_us(runs: usize, cache: &mut impl CertCache, expected_checks: u32) -> f64 {
	let root = root_from_pem(verity_nitro_attestation::AWS_NITRO_ROOT_G1_PEM).expect("root");
	let mut times: Vec<f64> = (0..runs)
		.map(|_| {
			let start = Instant::now();
			let doc = verify_document(DOC, &root, TIMESTAMP_MS, cache)
				.expect("the real document verifies");
			let elapsed = start.elapsed().as_secs_f64() * 1e6;
			assert_eq!(doc.signature_checks, expected_checks);
			elapsed
		})
		.collect();
	times.sort_by(|a, b| a.total_cmp(b));
	times[times.len() / 2]
}

fn main() {
	// `cargo bench` adds `--bench`.
	let runs: usize = match std::env::args().skip(1).find(|arg| arg != "--bench") {
		Some(arg) => arg.parse().unwrap_or_else(|_| {
			eprintln!(
				"usage: cargo bench -p verity-nitro-attestation --bench attestation -- [runs]"
			);
			std::process::exit(2)
		}),
		None => 200,
	}
	.max(1);
	let cold = median_us(runs, &mut NoCache, 5);
	let mut cache = BTreeMap::new();
	let root = root_from_pem(verity_nitro_attestation::AWS_NITRO_ROOT_G1_PEM).expect("root");
	verify_document(DOC, &root, TIMESTAMP_MS, &mut cache).expect("the real document verifies");
	let warm = median_us(runs, &mut cache, 2);
	println!(
		"{{\"runs\": {runs}, \"cold_us_median\": {cold:.1}, \"warm_us_median\": {warm:.1}, \"ratio\": {:.2}}}",
		cold / warm
	);
}
