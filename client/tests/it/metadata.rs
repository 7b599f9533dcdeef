//! `metadata.scale` (what the client's code is generated from) matches the runtime: the test
//! compares subxt's hash of everything the generated code depends on (the types of calls,
//! events, errors, storage, constants and runtime APIs; not docs or constant values, which
//! `fast-runtime` changes). With `VERITY_WRITE_METADATA=1` it rewrites the file instead.

use std::path::Path;

const VERSION: u32 = 16;

fn hash(bytes: &[u8]) -> [u8; 32] {
	subxt::Metadata::decode_from(bytes).expect("metadata decodes").hasher().hash()
}

#[test]
fn checked_in_metadata_matches_the_runtime() {
	// Some constants (governable parameters) are read from storage: an empty one.
	let runtime = sp_io::TestExternalities::default().execute_with(|| {
		verity_runtime::Runtime::metadata_at_version(VERSION)
			.expect("the runtime serves metadata V16")
			.to_vec()
	});
	let path = Path::new(
		&std::env::var_os("CARGO_MANIFEST_DIR")
			.expect("cargo sets CARGO_MANIFEST_DIR when it runs a test"),
	)
	.join("metadata.scale");
	if std::env::var_os("VERITY_WRITE_METADATA").is_some() {
		std::fs::write(&path, &runtime).expect("metadata.scale is writable");
		println!("wrote {}", path.display());
		return;
	}
	let checked_in = std::fs::read(&path).expect("metadata.scale is checked in");
	assert!(
		hash(&checked_in) == hash(&runtime),
		"client/metadata.scale no longer matches the runtime's metadata: regenerate it with \
		 `VERITY_WRITE_METADATA=1 cargo test --release -p verity-client --test metadata`, then \
		 fix what the regenerated code breaks"
	);
}
