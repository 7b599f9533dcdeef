//! Property tests: whatever the bytes, `verify_document` and `check_policy` return (any
//! `Result`), never panic. 6,000 generated cases in all (1,000 per property): arbitrary bytes; mutations
//! (flips, insertions, deletions, duplications) of the real document; in-place byte flips of
//! it; mutations of one certificate inside a well-formed payload; mutations of the payload
//! re-wrapped in a fresh envelope; random CBOR-like inputs built from CBOR heads.

use crate::common::*;
use proptest::prelude::*;
use std::collections::BTreeMap;
use verity_nitro_attestation::*;

/// Runs everything on `bytes` at the real document's time and a few others, with and without a
/// cache; returns whether the document verified at its own time.
fn exercise(bytes: &[u8]) -> bool {
	exercise_with_root(bytes, &real_root())
}

fn exercise_with_root(bytes: &[u8], root: &[u8]) -> bool {
	let mut cache = BTreeMap::new();
	let mut verified = false;
	for now in [REAL_TIMESTAMP, 0, u64::MAX] {
		if let Ok(doc) = verify_document(bytes, root, now, &mut cache) {
			verified |= now == REAL_TIMESTAMP;
			let key = doc.public_key.clone().unwrap_or_default();
			let pcr0 = doc.pcrs.get(&0).cloned().unwrap_or_default();
			let expected = [(0u8, pcr0.as_slice()), (31, &[][..])];
			for policy in [
				Policy {
					expected_pcrs: &[],
					expected_nonce: None,
					max_age_ms: u64::MAX,
					bound_key: &key,
				},
				Policy {
					expected_pcrs: &expected,
					expected_nonce: Some(&[1, 2, 3]),
					max_age_ms: 0,
					bound_key: &[],
				},
			] {
				for at in [now, 0, u64::MAX] {
					let _ = check_policy(&doc, &policy, at);
				}
			}
			let _ = is_debug_mode(&doc);
		}
	}
	verified
}

#[derive(Debug, Clone)]
enum Mutation {
	Flip { at: usize, mask: u8 },
	Set { at: usize, byte: u8 },
	Insert { at: usize, bytes: Vec<u8> },
	Delete { at: usize, len: usize },
	Duplicate { at: usize, len: usize },
}

fn mutation() -> impl Strategy<Value = Mutation> {
	prop_oneof![
		(any::<usize>(), 1u8..=255).prop_map(|(at, mask)| Mutation::Flip { at, mask }),
		(any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Mutation::Set { at, byte }),
		(any::<usize>(), prop::collection::vec(any::<u8>(), 1..16))
			.prop_map(|(at, bytes)| Mutation::Insert { at, bytes }),
		(any::<usize>(), 1usize..64).prop_map(|(at, len)| Mutation::Delete { at, len }),
		(any::<usize>(), 1usize..64).prop_map(|(at, len)| Mutation::Duplicate { at, len }),
	]
}

fn apply(doc: &mut Vec<u8>, mutation: &Mutation) {
	if doc.is_empty() {
		doc.push(0);
	}
	let n = doc.len();
	match mutation {
		Mutation::Flip { at, mask } => doc[at % n] ^= mask,
		Mutation::Set { at, byte } => doc[at % n] = *byte,
		Mutation::Insert { at, bytes } => {
			let at = at % (n + 1);
			doc.splice(at..at, bytes.iter().copied());
		},
		Mutation::Delete { at, len } => {
			let at = at % n;
			doc.drain(at..(at + len).min(n));
		},
		Mutation::Duplicate { at, len } => {
			let at = at % n;
			let piece: Vec<u8> = doc[at..(at + len).min(n)].to_vec();
			doc.splice(at..at, piece);
		},
	}
}

/// The real payload (mutated) in a fresh envelope with the real protected header and
/// signature: exercises the payload parser and the certificate code directly, which most
/// envelope mutations never reach.
fn rewrap(payload: &[u8]) -> Vec<u8> {
	C::Array(vec![
		C::Bytes(vec![0xa1, 0x01, 0x38, 0x22]),
		C::Map(vec![]),
		C::Bytes(payload.to_vec()),
		C::Bytes(REAL_DOC[REAL_DOC.len() - 96..].to_vec()),
	])
	.encode()
}

/// The real payload with one certificate's DER (0..4: cabundle, 4: the leaf) replaced,
/// re-encoded with ciborium.
fn payload_with_certificate(index: usize, der: Vec<u8>) -> Vec<u8> {
	use ciborium::value::Value;
	let payload = real_payload();
	let Ok(Value::Map(mut entries)) = ciborium::de::from_reader::<Value, _>(payload.as_slice())
	else {
		panic!("the real payload is a map")
	};
	for (key, value) in entries.iter_mut() {
		match (key.as_text(), value) {
			(Some("certificate"), value) if index == 4 => *value = Value::Bytes(der.clone()),
			(Some("cabundle"), Value::Array(certs)) if index < 4 => {
				certs[index] = Value::Bytes(der.clone())
			},
			_ => {},
		}
	}
	let mut out = Vec::new();
	ciborium::ser::into_writer(&Value::Map(entries), &mut out).expect("encodes");
	out
}

/// The real certificates, cabundle then leaf.
fn real_certificates() -> Vec<Vec<u8>> {
	use ciborium::value::Value;
	let payload = real_payload();
	let Ok(Value::Map(entries)) = ciborium::de::from_reader::<Value, _>(payload.as_slice()) else {
		panic!("the real payload is a map")
	};
	let get = |k: &str| entries.iter().find(|(key, _)| key.as_text() == Some(k)).map(|(_, v)| v);
	let mut certs: Vec<Vec<u8>> = get("cabundle")
		.and_then(|b| b.as_array())
		.map(|b| b.iter().filter_map(|c| c.as_bytes().cloned()).collect())
		.unwrap_or_default();
	certs.extend(get("certificate").and_then(|c| c.as_bytes()).cloned());
	certs
}

fn real_payload() -> Vec<u8> {
	// The payload bstr: head 0x59 + 2-byte length, right after the 4-byte protected header
	// (0x84, 0x44, a1 01 38 22, 0xa0).
	let start = 1 + 5 + 1;
	assert_eq!(REAL_DOC[start], 0x59);
	let len = u16::from_be_bytes([REAL_DOC[start + 1], REAL_DOC[start + 2]]) as usize;
	REAL_DOC[start + 3..start + 3 + len].to_vec()
}

/// CBOR heads of every major type with small, boundary and huge arguments, plus break,
/// simple values and raw bytes: inputs that look like CBOR to the decoder.
fn cbor_piece() -> impl Strategy<Value = Vec<u8>> {
	let argument = prop_oneof![
		0u64..24,
		Just(24u64),
		Just(255),
		Just(256),
		Just(65_535),
		Just(u32::MAX as u64),
		Just(u64::MAX),
		any::<u64>(),
	];
	prop_oneof![
		(0u8..8, argument).prop_map(|(major, value)| {
			let mut out = Vec::new();
			let major = major << 5;
			match value {
				0..=23 => out.push(major | value as u8),
				24..=0xff => out.extend_from_slice(&[major | 24, value as u8]),
				0x100..=0xffff => {
					out.push(major | 25);
					out.extend_from_slice(&(value as u16).to_be_bytes());
				},
				0x1_0000..=0xffff_ffff => {
					out.push(major | 26);
					out.extend_from_slice(&(value as u32).to_be_bytes());
				},
				_ => {
					out.push(major | 27);
					out.extend_from_slice(&value.to_be_bytes());
				},
			}
			out
		}),
		// indefinite-length heads, break, null, reserved additional info
		prop::sample::select(vec![0x5f, 0x7f, 0x9f, 0xbf, 0xff, 0xf6, 0xd2, 0x1c, 0x3f, 0xfc])
			.prop_map(|b| vec![b]),
		prop::sample::select(vec![
			"module_id",
			"digest",
			"timestamp",
			"pcrs",
			"certificate",
			"cabundle",
			"nonce",
			"public_key",
			"user_data",
			"SHA384"
		])
		.prop_map(|s| t(s).encode()),
		prop::collection::vec(any::<u8>(), 0..8),
	]
}

proptest! {
	#![proptest_config(ProptestConfig { cases: 1000, failure_persistence: None, ..ProptestConfig::default() })]

	#[test]
	fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..5000)) {
		prop_assert!(!exercise(&bytes));
		let mut tagged = vec![0xd2];
		tagged.extend_from_slice(&bytes);
		exercise(&tagged);
	}

	#[test]
	fn mutated_real_document_never_panics(mutations in prop::collection::vec(mutation(), 1..6)) {
		let mut doc = REAL_DOC.to_vec();
		for m in &mutations {
			apply(&mut doc, m);
		}
		let verified = exercise(&doc);
		// Whatever still verifies must say what the real document says.
		if verified {
			let ok = verify_document(&doc, &real_root(), REAL_TIMESTAMP, &mut NoCache).unwrap();
			let real = verify_document(REAL_DOC, &real_root(), REAL_TIMESTAMP, &mut NoCache).unwrap();
			prop_assert_eq!(ok, real);
		}
	}

	#[test]
	fn flipped_real_document_never_panics(
		flips in prop::collection::vec((any::<usize>(), 1u8..=255), 1..3),
	) {
		// In-place changes keep most of the CBOR structure, so these reach the certificate and
		// signature checks.
		let mut doc = REAL_DOC.to_vec();
		for (at, mask) in &flips {
			apply(&mut doc, &Mutation::Flip { at: *at, mask: *mask });
		}
		prop_assert!(!exercise(&doc) || doc == REAL_DOC);
	}

	#[test]
	fn mutated_certificates_never_panic(
		index in 0usize..5,
		mutations in prop::collection::vec(mutation(), 1..3),
	) {
		// One certificate's DER mutated inside a well-formed payload (re-encoded, so the real
		// COSE signature no longer matches): exercises the X.509 parsing and the chain checks.
		// A mutated root is also the pinned root, so it gets past the root check.
		let mut certs = real_certificates();
		for m in &mutations {
			apply(&mut certs[index], m);
		}
		let root = if index == 0 { certs[0].clone() } else { real_root() };
		let doc = rewrap(&payload_with_certificate(index, certs[index].clone()));
		prop_assert!(!exercise_with_root(&doc, &root));
	}

	#[test]
	fn mutated_real_payload_never_panics(mutations in prop::collection::vec(mutation(), 1..4)) {
		let mut payload = real_payload();
		for m in &mutations {
			apply(&mut payload, m);
		}
		// A changed payload never verifies under the original signature (a `Set` may change
		// nothing).
		prop_assert!(!exercise(&rewrap(&payload)) || payload == real_payload());
	}

	#[test]
	fn cbor_like_inputs_never_panic(pieces in prop::collection::vec(cbor_piece(), 1..40)) {
		let bytes: Vec<u8> = pieces.concat();
		prop_assert!(!exercise(&bytes));
		// The same after a COSE-looking prefix, and as a payload.
		let mut prefixed = vec![0x84, 0x44, 0xa1, 0x01, 0x38, 0x22, 0xa0];
		prefixed.extend_from_slice(&bytes);
		exercise(&prefixed);
		prop_assert!(!exercise(&rewrap(&bytes)));
	}
}

#[test]
fn the_real_payload_is_where_the_fuzzer_thinks() {
	let rewrapped = rewrap(&real_payload());
	assert_eq!(rewrapped, REAL_DOC);
	let certs = real_certificates();
	assert_eq!(certs.iter().map(Vec::len).collect::<Vec<_>>(), [533, 707, 793, 705, 639]);
	// Re-encoding the payload unchanged (definite-length map) breaks only the COSE signature.
	let doc = rewrap(&payload_with_certificate(4, certs[4].clone()));
	assert_eq!(
		verify_document(&doc, &real_root(), REAL_TIMESTAMP, &mut NoCache),
		Err(Error::BadDocumentSignature)
	);
}

#[test]
fn deep_nesting_is_rejected_without_overflowing_the_stack() {
	for open in [0x81u8, 0x9f, 0xa1, 0xbf, 0xd2] {
		let deep = vec![open; MAX_DOCUMENT_LEN];
		assert_eq!(
			verify_document(&deep, &real_root(), REAL_TIMESTAMP, &mut NoCache),
			Err(Error::MalformedCose)
		);
	}
	// Deep nesting inside the payload.
	let mut payload = vec![0xbf, 0x64];
	payload.extend_from_slice(b"pcrs");
	payload.extend(std::iter::repeat_n(0x81, 10_000));
	assert_eq!(
		verify_document(&rewrap(&payload), &real_root(), REAL_TIMESTAMP, &mut NoCache),
		Err(Error::MalformedPayload("payload"))
	);
}

#[test]
fn huge_declared_lengths_do_not_allocate() {
	// Heads that declare 2^64 - 1 elements or bytes, with nothing behind them.
	for head in [0x9bu8, 0xbb, 0x5b, 0x7b] {
		let mut doc = vec![head];
		doc.extend_from_slice(&[0xff; 8]);
		assert_eq!(
			verify_document(&doc, &real_root(), REAL_TIMESTAMP, &mut NoCache),
			Err(Error::MalformedCose)
		);
	}
}
