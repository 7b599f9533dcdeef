//! The real AWS Nitro document from shared testdata: every fact of its README, its validity
//! window, the pinned root, and the certificate cache.

use crate::common::*;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use verity_nitro_attestation::*;

fn verify_at(now_ms: u64) -> Result<AttestationDoc, Error> {
	verify_document(REAL_DOC, &real_root(), now_ms, &mut NoCache)
}

#[test]
fn real_document_verifies_at_its_timestamp_and_reproduces_the_readme() {
	assert_eq!(REAL_DOC.len(), 4494);
	let doc = verify_at(REAL_TIMESTAMP).expect("the real document verifies");
	assert_eq!(doc.module_id, "i-01464dfc66ef2a314-enc0198f62377ead51d");
	assert_eq!(doc.digest, "SHA384");
	assert_eq!(doc.timestamp_ms, REAL_TIMESTAMP);
	assert_eq!(doc.pcrs.len(), 16);
	assert!(doc.pcrs.keys().copied().eq(0u8..16));
	assert!(doc.pcrs.values().all(|p| p.len() == 48));
	let expected = [
		"94b74422daddb8f503fcd69df064c7cde5d053001b9cd153c75ec34484283496a37e89c7287a00f467759a6863362b60",
		"927e084e583f5c2d60a39e2b9cd9728bfb390aa9f83dee4b6ac768509850ba273ea8b019ccfbf3180eb18a2dd0c4a678",
		"07c20c057d5c10cb732b273b7fa26a2b67e333344ccda49be939a6b7c5bed5e46f0b0703386dd2d0f6104a13a4894cb2",
		"633289318f36a6526d56484f464a82c7b625d204252ed27e5bbeb4da3662688f361f67b351a9101ff272863a87952326",
		"f7959ce579f89619f17ca27a9010ec317539c50de8e6dac0d347bd7d9fbe5882dfaa5943b7d64c69f55f63bef69c0e78",
	];
	for (i, hex_value) in expected.iter().enumerate() {
		assert_eq!(hex::encode(&doc.pcrs[&(i as u8)]), *hex_value, "PCR{i}");
	}
	for i in 5u8..16 {
		assert_eq!(doc.pcrs[&i], vec![0u8; 48], "PCR{i} is zero");
	}
	assert_eq!(
		doc.public_key.as_deref().map(hex::encode).as_deref(),
		Some("03637e4a2d6b8325ec60e0ccd53ca0f05f67e3356535c45656403aee207d4694d8")
	);
	assert_eq!(doc.user_data, None);
	assert_eq!(doc.nonce, None);
	assert_eq!(doc.leaf_not_after_ms, REAL_LEAF_NOT_AFTER);
	assert_eq!(doc.chain_not_after_ms, REAL_LEAF_NOT_AFTER);
	assert_eq!(doc.signature_checks, 5);
	assert!(!is_debug_mode(&doc));
}

#[test]
fn real_document_structure_matches_the_readme() {
	// The README's sizes: 4 cabundle certificates, root first (533, 707, 793, 705 bytes), leaf
	// 639 bytes, indefinite-length payload map. Checked on the raw CBOR with ciborium.
	use ciborium::value::Value;
	let cose: Value = ciborium::de::from_reader(REAL_DOC).unwrap();
	let Value::Array(items) = cose else { panic!("untagged COSE_Sign1 array") };
	let Value::Bytes(payload) = &items[2] else { panic!("payload bstr") };
	assert_eq!(payload[0], 0xbf, "indefinite-length map");
	let Value::Map(entries) = ciborium::de::from_reader::<Value, _>(payload.as_slice()).unwrap()
	else {
		panic!("payload map")
	};
	let get = |k: &str| entries.iter().find(|(key, _)| key.as_text() == Some(k)).map(|(_, v)| v);
	let Some(Value::Array(bundle)) = get("cabundle") else { panic!("cabundle") };
	let sizes: Vec<usize> = bundle.iter().map(|c| c.as_bytes().unwrap().len()).collect();
	assert_eq!(sizes, [533, 707, 793, 705]);
	assert_eq!(get("certificate").unwrap().as_bytes().unwrap().len(), 639);
	assert_eq!(get("user_data"), Some(&Value::Null));
	assert_eq!(get("nonce"), Some(&Value::Null));
	assert_eq!(bundle[0].as_bytes().unwrap(), &real_root());
}

#[test]
fn real_root_matches_the_published_fingerprint_and_the_embedded_copy() {
	let root = real_root();
	let digest: [u8; 32] = Sha256::digest(&root).into();
	assert_eq!(
		hex::encode(digest),
		"641a0321a3e244efe456463195d606317ed7cdcc3c1756e09893f3c68f79bb5b"
	);
	assert_eq!(digest, AWS_NITRO_ROOT_G1_SHA256);
	assert_eq!(root_from_pem(AWS_NITRO_ROOT_G1_PEM).unwrap(), root);
}

#[test]
fn real_document_validity_window_is_the_leafs() {
	assert!(verify_at(REAL_LEAF_NOT_BEFORE).is_ok(), "notBefore itself is inside");
	assert!(verify_at(REAL_LEAF_NOT_AFTER).is_ok(), "notAfter itself is inside");
	assert_eq!(verify_at(REAL_LEAF_NOT_AFTER + 1), Err(Error::Expired { depth: 4 }));
	assert_eq!(verify_at(REAL_LEAF_NOT_BEFORE - 1), Err(Error::NotYetValid { depth: 4 }));
	// Much later the zonal CA has expired too; the first expired certificate from the root is
	// reported (zonal notAfter 2025-09-15T11:25:15Z).
	assert_eq!(verify_at(1_757_935_515_001), Err(Error::Expired { depth: 2 }));
	// Before the instance CA's notBefore (2025-09-09T14:49:59Z).
	assert_eq!(verify_at(1_757_429_398_999), Err(Error::NotYetValid { depth: 3 }));
	assert_eq!(verify_at(0), Err(Error::NotYetValid { depth: 0 }));
	assert_eq!(verify_at(u64::MAX), Err(Error::Expired { depth: 0 }));
}

#[test]
fn real_document_fails_against_another_root() {
	let other = Synth::new().build().root_der;
	assert_eq!(
		verify_document(REAL_DOC, &other, REAL_TIMESTAMP, &mut NoCache),
		Err(Error::WrongRoot)
	);
	assert_eq!(verify_document(REAL_DOC, &[], REAL_TIMESTAMP, &mut NoCache), Err(Error::WrongRoot));
	// A root that differs in one byte.
	let mut root = real_root();
	let last = root.len() - 1;
	root[last] ^= 1;
	assert_eq!(
		verify_document(REAL_DOC, &root, REAL_TIMESTAMP, &mut NoCache),
		Err(Error::WrongRoot)
	);
}

#[test]
fn real_document_tagged_verifies_too() {
	let mut tagged = vec![0xd2];
	tagged.extend_from_slice(REAL_DOC);
	let doc = verify_document(&tagged, &real_root(), REAL_TIMESTAMP, &mut NoCache).unwrap();
	assert_eq!(doc, verify_at(REAL_TIMESTAMP).unwrap());
	// Another tag is not a COSE_Sign1.
	tagged[0] = 0xd1;
	assert_eq!(
		verify_document(&tagged, &real_root(), REAL_TIMESTAMP, &mut NoCache),
		Err(Error::MalformedCose)
	);
}

#[test]
fn real_document_passes_the_policy_it_was_made_for() {
	let doc = verify_at(REAL_TIMESTAMP).unwrap();
	let pcr0 = doc.pcrs[&0].clone();
	let pcr1 = doc.pcrs[&1].clone();
	let pcr2 = doc.pcrs[&2].clone();
	let key = doc.public_key.clone().unwrap();
	let expected = [(0u8, pcr0.as_slice()), (1, pcr1.as_slice()), (2, pcr2.as_slice())];
	let policy = Policy {
		expected_pcrs: &expected,
		expected_nonce: None,
		max_age_ms: 60_000,
		bound_key: &key,
	};
	assert_eq!(check_policy(&doc, &policy, REAL_TIMESTAMP + 1_000), Ok(()));
	assert_eq!(check_policy(&doc, &policy, REAL_TIMESTAMP + 60_001), Err(Error::Stale));
	// It has no nonce.
	let challenge = [7u8; 32];
	let with_nonce = Policy { expected_nonce: Some(&challenge), ..policy };
	assert_eq!(check_policy(&doc, &with_nonce, REAL_TIMESTAMP), Err(Error::NonceMismatch));
}

#[test]
fn warm_cache_needs_two_signature_checks_instead_of_five() {
	let root = real_root();
	let mut cache = BTreeMap::new();
	let cold = verify_document(REAL_DOC, &root, REAL_TIMESTAMP, &mut cache).unwrap();
	assert_eq!(cold.signature_checks, 5);
	// regional, zonal, instance; never the root (pinned) nor the leaf.
	assert_eq!(cache.len(), 3);
	// Each entry holds the earliest notAfter of the certificate and those above it.
	let mut untils: Vec<u64> = cache.values().copied().collect();
	untils.sort();
	assert_eq!(untils, [1_757_515_799_000, 1_757_935_515_000, 1_758_986_455_000]);

	let warm = verify_document(REAL_DOC, &root, REAL_TIMESTAMP, &mut cache).unwrap();
	assert_eq!(warm.signature_checks, 2);
	assert_eq!(warm, AttestationDoc { signature_checks: 2, ..cold.clone() });
	assert_eq!(cache.len(), 3);

	// The cache does not extend validity: the same document later is still expired.
	assert_eq!(
		verify_document(REAL_DOC, &root, REAL_LEAF_NOT_AFTER + 1, &mut cache),
		Err(Error::Expired { depth: 4 })
	);
}

#[test]
fn expired_cache_entries_are_not_trusted() {
	let root = real_root();
	let mut cache = BTreeMap::new();
	verify_document(REAL_DOC, &root, REAL_TIMESTAMP, &mut cache).unwrap();
	let instance = cache.iter().min_by_key(|(_, until)| **until).map(|(h, _)| *h).unwrap();

	// The instance entry says it is verified only until before "now": not trusted; the zonal
	// entry still is, so the instance and leaf signatures are checked (+ COSE).
	cache.insert(instance, REAL_TIMESTAMP - 1);
	let doc = verify_document(REAL_DOC, &root, REAL_TIMESTAMP, &mut cache).unwrap();
	assert_eq!(doc.signature_checks, 3);
	// ... and the re-verified instance certificate is cached again with its real bound.
	assert_eq!(cache[&instance], 1_757_515_799_000);

	// Every entry expired: a full verification.
	let mut stale: BTreeMap<[u8; 32], u64> =
		cache.keys().map(|h| (*h, REAL_TIMESTAMP - 1)).collect();
	let doc = verify_document(REAL_DOC, &root, REAL_TIMESTAMP, &mut stale).unwrap();
	assert_eq!(doc.signature_checks, 5);
	// An entry valid exactly until now is trusted.
	let mut exact: BTreeMap<[u8; 32], u64> = BTreeMap::new();
	exact.insert(instance, REAL_TIMESTAMP);
	assert_eq!(
		verify_document(REAL_DOC, &root, REAL_TIMESTAMP, &mut exact).unwrap().signature_checks,
		2
	);
}

#[test]
fn a_failed_verification_leaves_the_cache_untouched() {
	let mut doc = REAL_DOC.to_vec();
	let last = doc.len() - 1;
	doc[last] ^= 1; // inside the COSE signature
	let mut cache = BTreeMap::new();
	assert_eq!(
		verify_document(&doc, &real_root(), REAL_TIMESTAMP, &mut cache),
		Err(Error::BadDocumentSignature)
	);
	assert!(cache.is_empty());
}

#[test]
fn no_cache_caches_nothing() {
	let mut cache = NoCache;
	for _ in 0..2 {
		let doc = verify_document(REAL_DOC, &real_root(), REAL_TIMESTAMP, &mut cache).unwrap();
		assert_eq!(doc.signature_checks, 5);
	}
	assert_eq!(cache.verified_until(&[0; 32]), None);
}

#[test]
fn every_truncation_of_the_real_document_fails() {
	let root = real_root();
	for len in 0..REAL_DOC.len() {
		let result = verify_document(&REAL_DOC[..len], &root, REAL_TIMESTAMP, &mut NoCache);
		assert!(
			matches!(result, Err(Error::MalformedCose)),
			"truncated to {len} bytes: {result:?}"
		);
	}
}

#[test]
fn trailing_bytes_are_rejected() {
	let mut doc = REAL_DOC.to_vec();
	doc.push(0x00);
	assert_eq!(
		verify_document(&doc, &real_root(), REAL_TIMESTAMP, &mut NoCache),
		Err(Error::MalformedCose)
	);
}
