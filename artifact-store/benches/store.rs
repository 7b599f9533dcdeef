//! Throughput of the artifact store against a plain file copy of the same bytes, same machine,
//! same run. Prints JSON.
//!
//! `cargo bench -p verity-artifact-store --bench store -- [MEGABYTES] [ROUNDS]`
//! (defaults: 100 MB, 3 rounds; the median round is reported).
//!
//! - baseline: `std::fs::copy` of the file (read + write, no hashing, no network);
//! - upload: `PUT` over HTTP on the loopback to the store service, which hashes (BLAKE2b-256 and
//!   SHA-256), checks against the key and renames into place (fsync included);
//! - hashing alone (both digests over the bytes in memory), to show where the time goes;
//! - download: `GET` from the service, which re-hashes the file before serving; the client
//!   hashes again and writes the file (fsync included), then checks both digests.

use std::time::{Duration, Instant};
use verity_artifact_store::{server, ArtifactStore, Fetcher, FetcherConfig};
use verity_primitives::{ArtifactDigest, StorageLocation};

fn median(mut samples: Vec<Duration>) -> Duration {
	samples.sort();
	samples[samples.len() / 2]
}

#[tokio::main]
async fn main() {
	// `cargo bench` adds `--bench`.
	let mut args = std::env::args().skip(1).filter(|arg| !arg.starts_with("--"));
	let megabytes: usize =
		args.next().map_or(100, |arg| arg.parse().expect("MEGABYTES is a number"));
	let rounds: usize = args.next().map_or(3, |arg| arg.parse().expect("ROUNDS is a number"));
	let size = megabytes * 1_000_000;

	let dir = tempfile::tempdir().expect("a temporary directory");
	let source = dir.path().join("artifact.bin");
	// Incompressible bytes (xorshift), so no layer can shortcut them.
	let mut state = 0x9E37_79B9_7F4A_7C15u64;
	let bytes: Vec<u8> = (0..size)
		.map(|_| {
			state ^= state << 13;
			state ^= state >> 7;
			state ^= state << 17;
			state as u8
		})
		.collect();
	std::fs::write(&source, &bytes).expect("write the artifact");
	let started = Instant::now();
	let digest = ArtifactDigest::of(&bytes);
	let hashing = started.elapsed();
	drop(bytes);

	let fetcher = Fetcher::new(FetcherConfig {
		timeout: Duration::from_secs(60),
		addresses: verity_artifact_store::AddressPolicy::Any,
		..Default::default()
	})
	.expect("a client");
	let (mut copy, mut upload, mut download) = (Vec::new(), Vec::new(), Vec::new());
	for round in 0..rounds {
		let copy_path = dir.path().join(format!("copy-{round}.bin"));
		let started = Instant::now();
		std::fs::copy(&source, &copy_path).expect("copy");
		std::fs::File::open(&copy_path).and_then(|file| file.sync_all()).expect("sync the copy");
		copy.push(started.elapsed());
		std::fs::remove_file(&copy_path).expect("remove the copy");

		let store = ArtifactStore::open(dir.path().join(format!("store-{round}")), u64::MAX)
			.expect("store");
		let service =
			server::start(store.clone(), "127.0.0.1:0".parse().unwrap()).await.expect("service");
		let base = format!("http://{}", service.address);
		let started = Instant::now();
		fetcher.upload_to_store(&base, &source, &digest).await.expect("upload");
		upload.push(started.elapsed());

		let location = StorageLocation::ArtifactStore(base.into_bytes().try_into().unwrap());
		let out = dir.path().join(format!("download-{round}.bin"));
		let started = Instant::now();
		fetcher.fetch_to_file(&location, &digest, &out).await.expect("download");
		download.push(started.elapsed());
		service.stop();
		std::fs::remove_dir_all(store.dir()).expect("remove the store");
		std::fs::remove_file(&out).expect("remove the download");
	}

	let (copy, upload, download) = (median(copy), median(upload), median(download));
	let rate = |time: Duration| size as f64 / 1e6 / time.as_secs_f64();
	println!(
		"{}",
		serde_json::json!({
			"bytes": size,
			"rounds": rounds,
			"plain_copy_mb_per_s": rate(copy),
			"hashing_in_memory_mb_per_s": rate(hashing),
			"upload_mb_per_s": rate(upload),
			"verified_download_mb_per_s": rate(download),
			"upload_time_vs_copy": upload.as_secs_f64() / copy.as_secs_f64(),
			"download_time_vs_copy": download.as_secs_f64() / copy.as_secs_f64(),
		})
	);
}
