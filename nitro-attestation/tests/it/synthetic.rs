//! Synthetic documents from a P-384 test CA (rcgen): the valid one passes, tagged and untagged,
//! and each failure mode fails with its own error.

use crate::common::*;
use rcgen::{BasicConstraints, IsCa, KeyUsagePurpose, PKCS_ECDSA_P256_SHA256};
use std::collections::BTreeMap;
use verity_nitro_attestation::*;

fn verify(built: &Built, now_ms: u64) -> Result<AttestationDoc, Error> {
	verify_document(&built.doc, &built.root_der, now_ms, &mut NoCache)
}

fn verify_synth(synth: Synth) -> Result<AttestationDoc, Error> {
	verify(&synth.build(), NOW)
}

fn with_chain(edit: impl FnOnce(&mut Vec<CertSpec>)) -> Synth {
	let mut synth = Synth::new();
	edit(&mut synth.chain);
	synth
}

fn with_payload(edit: impl Fn(&mut Vec<(C, C)>) + 'static) -> Synth {
	Synth { edit_payload: Some(Box::new(edit)), ..Synth::new() }
}

fn set_field(entries: &mut [(C, C)], key: &str, value: C) {
	let entry = entries.iter_mut().find(|(k, _)| *k == t(key)).expect("field present");
	entry.1 = value;
}

/// The PCR0..2 of [`Synth::new`] (see [`pcr`]).
static EXPECTED_PCRS: [(u8, &[u8]); 3] = [(0, &[1; 48]), (1, &[2; 48]), (2, &[3; 48])];

/// Applies a policy that accepts [`Synth::new`]'s documents at [`NOW`], after `edit`.
fn check<'a>(
	doc: &AttestationDoc,
	edit: impl FnOnce(&mut Policy<'a>),
	now_ms: u64,
) -> Result<(), Error> {
	let mut policy = Policy {
		expected_pcrs: &EXPECTED_PCRS,
		expected_nonce: None,
		max_age_ms: 10 * 60_000,
		bound_key: &PUBLIC_KEY,
	};
	edit(&mut policy);
	check_policy(doc, &policy, now_ms)
}

// --- the valid document ----------------------------------------------------------------------

#[test]
fn valid_synthetic_document_passes_untagged_and_tagged() {
	for tagged in [false, true] {
		let built = Synth { tagged, ..Synth::new() }.build();
		assert_eq!(built.doc.first() == Some(&0xd2), tagged);
		let doc = verify(&built, NOW).expect("valid synthetic document");
		assert_eq!(doc.module_id, "i-0123-enc0456");
		assert_eq!(doc.digest, "SHA384");
		assert_eq!(doc.timestamp_ms, NOW);
		assert_eq!(doc.pcrs.len(), 16);
		assert_eq!(doc.pcrs[&0], pcr(1));
		assert_eq!(doc.public_key.as_deref(), Some(&PUBLIC_KEY[..]));
		assert_eq!(doc.user_data, None);
		assert_eq!(doc.nonce, None);
		assert_eq!(doc.leaf_not_after_ms, NOW + 3 * HOUR);
		assert_eq!(doc.chain_not_after_ms, NOW + 3 * HOUR);
		assert_eq!(doc.signature_checks, 5);
		assert!(!is_debug_mode(&doc));
		assert_eq!(check(&doc, |_| {}, NOW), Ok(()));
	}
}

#[test]
fn synthetic_warm_cache_needs_two_checks() {
	let built = Synth::new().build();
	let mut cache = BTreeMap::new();
	let cold = verify_document(&built.doc, &built.root_der, NOW, &mut cache).unwrap();
	assert_eq!(cold.signature_checks, 5);
	assert_eq!(cache.len(), 3);
	let warm = verify_document(&built.doc, &built.root_der, NOW, &mut cache).unwrap();
	assert_eq!(warm.signature_checks, 2);
	// Entries expire with their chains: the instance CA (notAfter NOW + 1 day) is bounded by
	// itself, the zonal one by its 6 days.
	let mut untils: Vec<u64> = cache.values().copied().collect();
	untils.sort();
	assert_eq!(untils, [NOW + DAY, NOW + 6 * DAY, NOW + 20 * DAY]);
	// A cached instance certificate does not excuse a bad leaf signature below it.
	let mut synth = Synth::new();
	synth.corrupt_cert_signature = Some(4);
	let bad = synth.build();
	let mut cache = BTreeMap::new();
	assert_eq!(
		verify_document(&bad.doc, &bad.root_der, NOW, &mut cache),
		Err(Error::BadCertificateSignature { depth: 4 })
	);
}

#[test]
fn user_data_and_nonce_are_returned() {
	let synth = Synth {
		user_data: Some(b"hello".to_vec()),
		nonce: Some(vec![9; 32]),
		public_key: None,
		..Synth::new()
	};
	let doc = verify_synth(synth).unwrap();
	assert_eq!(doc.public_key, None);
	assert_eq!(doc.user_data.as_deref(), Some(&b"hello"[..]));
	assert_eq!(doc.nonce, Some(vec![9; 32]));
}

// --- signatures --------------------------------------------------------------------------------

#[test]
fn bad_document_signature() {
	let synth = Synth { corrupt_document_signature: true, ..Synth::new() };
	assert_eq!(verify_synth(synth), Err(Error::BadDocumentSignature));
}

#[test]
fn document_signed_by_another_key() {
	// A well-formed signature by another leaf key (from another synthetic chain) over another
	// payload.
	let a = Synth::new().build();
	let b = Synth::new().build();
	assert!(verify(&b, NOW).is_ok());
	let mut doc = a.doc.clone();
	let n = doc.len();
	// Untagged: the signature bstr is last in both documents.
	doc[n - 96..].copy_from_slice(&b.doc[b.doc.len() - 96..]);
	assert_eq!(
		verify_document(&doc, &a.root_der, NOW, &mut NoCache),
		Err(Error::BadDocumentSignature)
	);
	// A signature of zeros is not even a valid (r, s).
	doc[n - 96..].fill(0);
	assert_eq!(
		verify_document(&doc, &a.root_der, NOW, &mut NoCache),
		Err(Error::BadDocumentSignature)
	);
}

#[test]
fn bad_certificate_signature_reports_its_depth() {
	for depth in 1..=4 {
		let mut synth = Synth::new();
		synth.corrupt_cert_signature = Some(depth);
		assert_eq!(
			verify_synth(synth),
			Err(Error::BadCertificateSignature { depth: depth as u8 }),
			"depth {depth}"
		);
	}
}

#[test]
fn wrong_root() {
	let built = Synth::new().build();
	let other = Synth::new().build();
	assert_eq!(
		verify_document(&built.doc, &other.root_der, NOW, &mut NoCache),
		Err(Error::WrongRoot)
	);
	let aws = root_from_pem(AWS_NITRO_ROOT_G1_PEM).unwrap();
	assert_eq!(verify_document(&built.doc, &aws, NOW, &mut NoCache), Err(Error::WrongRoot));
}

// --- validity ----------------------------------------------------------------------------------

#[test]
fn expired() {
	let built = Synth::new().build();
	assert!(verify(&built, NOW + 3 * HOUR).is_ok());
	assert_eq!(verify(&built, NOW + 3 * HOUR + 1), Err(Error::Expired { depth: 4 }));
	assert_eq!(verify(&built, NOW + 2 * DAY), Err(Error::Expired { depth: 3 }));
	assert_eq!(verify(&built, NOW + 7 * DAY), Err(Error::Expired { depth: 2 }));
	// A chain whose intermediate has expired while the leaf has not.
	let synth = with_chain(|c| c[2].not_after_ms = NOW - 1_000);
	assert_eq!(verify_synth(synth), Err(Error::Expired { depth: 2 }));
}

#[test]
fn not_yet_valid() {
	let built = Synth::new().build();
	assert!(verify(&built, NOW - 60_000).is_ok());
	assert_eq!(verify(&built, NOW - 60_001), Err(Error::NotYetValid { depth: 4 }));
	assert_eq!(verify(&built, NOW - 2 * HOUR), Err(Error::NotYetValid { depth: 3 }));
	let synth = with_chain(|c| c[1].not_before_ms = NOW + 1_000);
	assert_eq!(verify_synth(synth), Err(Error::NotYetValid { depth: 1 }));
}

// --- constraints -------------------------------------------------------------------------------

#[test]
fn path_length_exceeded_by_an_extra_ca_level() {
	// root -> regional(2) -> zonal(1) -> extra -> instance(0) -> leaf: three CAs below the
	// regional one.
	let synth = with_chain(|c| {
		c.insert(3, CertSpec::ca("extra.test.nitro-enclaves", None, NOW - DAY, NOW + DAY))
	});
	assert_eq!(verify_synth(synth), Err(Error::PathLengthExceeded));
	// The same chain verifies when the constraints allow the extra level.
	let synth = with_chain(|c| {
		c[1].is_ca = IsCa::Ca(BasicConstraints::Constrained(3));
		c[2].is_ca = IsCa::Ca(BasicConstraints::Constrained(2));
		c.insert(3, CertSpec::ca("extra.test.nitro-enclaves", Some(1), NOW - DAY, NOW + DAY));
	});
	assert_eq!(verify_synth(synth).map(|d| d.signature_checks), Ok(6));
}

#[test]
fn path_length_exceeded_by_a_tight_constraint() {
	let synth = with_chain(|c| c[2].is_ca = IsCa::Ca(BasicConstraints::Constrained(0)));
	assert_eq!(verify_synth(synth), Err(Error::PathLengthExceeded));
}

#[test]
fn leaf_is_ca() {
	let synth = with_chain(|c| c[4].is_ca = IsCa::Ca(BasicConstraints::Unconstrained));
	assert_eq!(verify_synth(synth), Err(Error::LeafIsCa));
}

#[test]
fn leaf_without_basic_constraints_is_fine() {
	let synth = with_chain(|c| c[4].is_ca = IsCa::NoCa);
	assert!(verify_synth(synth).is_ok());
}

#[test]
fn intermediate_that_is_not_a_ca() {
	for not_ca in [IsCa::NoCa, IsCa::ExplicitNoCa] {
		let synth = with_chain(|c| c[3].is_ca = not_ca);
		assert_eq!(verify_synth(synth), Err(Error::NotACa));
	}
}

#[test]
fn missing_key_cert_sign() {
	let synth = with_chain(|c| c[3].key_usages = vec![KeyUsagePurpose::DigitalSignature]);
	assert_eq!(verify_synth(synth), Err(Error::KeyUsageMissing));
	let synth = with_chain(|c| c[1].key_usages = vec![]);
	assert_eq!(verify_synth(synth), Err(Error::KeyUsageMissing));
}

#[test]
fn leaf_without_digital_signature() {
	let synth = with_chain(|c| c[4].key_usages = vec![KeyUsagePurpose::KeyEncipherment]);
	assert_eq!(verify_synth(synth), Err(Error::KeyUsageMissing));
	let synth = with_chain(|c| c[4].key_usages = vec![]);
	assert_eq!(verify_synth(synth), Err(Error::KeyUsageMissing));
}

#[test]
fn name_chain_broken() {
	let synth = with_chain(|c| c[3].issuer_name_override = Some("someone else".to_string()));
	assert_eq!(verify_synth(synth), Err(Error::NameChainBroken));
}

#[test]
fn unknown_critical_extension() {
	let synth = with_chain(|c| c[4].unknown_critical_extension = true);
	assert_eq!(verify_synth(synth), Err(Error::UnsupportedCriticalExtension));
}

#[test]
fn non_p384_leaf_key() {
	let synth = with_chain(|c| c[4].alg = &PKCS_ECDSA_P256_SHA256);
	assert_eq!(verify_synth(synth), Err(Error::UnsupportedAlgorithm));
}

// --- the envelope and the payload --------------------------------------------------------------

#[test]
fn wrong_alg_in_protected_header() {
	for protected in [
		C::Map(vec![(C::Uint(1), C::Neg(-7))]).encode(), // ES256
		C::Map(vec![(C::Uint(1), t("ES384"))]).encode(),
		C::Map(vec![]).encode(),
		vec![],
	] {
		let synth = Synth { protected, ..Synth::new() };
		assert_eq!(verify_synth(synth), Err(Error::UnsupportedAlgorithm));
	}
	// Duplicate alg labels, or a protected header that is not a map: malformed.
	let protected = [0xa2, 0x01, 0x38, 0x22, 0x01, 0x38, 0x22].to_vec();
	assert_eq!(verify_synth(Synth { protected, ..Synth::new() }), Err(Error::MalformedCose));
	let protected = C::Array(vec![C::Uint(1), C::Neg(-35)]).encode();
	assert_eq!(verify_synth(Synth { protected, ..Synth::new() }), Err(Error::MalformedCose));
}

#[test]
fn digest_not_sha384() {
	let synth = Synth { digest: "SHA256".to_string(), ..Synth::new() };
	assert_eq!(verify_synth(synth), Err(Error::UnsupportedDigest));
}

#[test]
fn oversized_document() {
	let synth = with_payload(|e| e.push((t("padding"), C::Bytes(vec![0; MAX_DOCUMENT_LEN]))));
	let built = synth.build();
	assert!(built.doc.len() > MAX_DOCUMENT_LEN);
	assert_eq!(verify(&built, NOW), Err(Error::TooLarge));
	assert_eq!(
		verify_document(&vec![0u8; MAX_DOCUMENT_LEN + 1], &built.root_der, NOW, &mut NoCache),
		Err(Error::TooLarge)
	);
	// Unknown fields are ignored while the document stays within the limit.
	let synth = with_payload(|e| e.push((t("padding"), C::Bytes(vec![0; 1000]))));
	assert!(verify_synth(synth).is_ok());
}

#[test]
fn bundle_with_too_many_certificates() {
	let synth = Synth { extra_bundle_certs: MAX_CABUNDLE + 1 - 4, ..Synth::new() };
	assert_eq!(verify_synth(synth), Err(Error::BundleTooLarge));
	// Exactly MAX_CABUNDLE passes the size check (and then fails the chain: the repeated
	// instance certificate is not its own issuer).
	let synth = Synth { extra_bundle_certs: MAX_CABUNDLE - 4, ..Synth::new() };
	assert_eq!(verify_synth(synth), Err(Error::NameChainBroken));
}

#[test]
fn empty_bundle() {
	let synth = Synth { empty_bundle: true, ..Synth::new() };
	assert_eq!(verify_synth(synth), Err(Error::EmptyBundle));
}

#[test]
fn malformed_payload_fields() {
	type Edit = fn(&mut Vec<(C, C)>);
	let cases: Vec<(&str, Edit)> = vec![
		("module_id", |e| e.retain(|(k, _)| *k != t("module_id"))),
		("module_id", |e| set_field(e, "module_id", t(""))),
		("module_id", |e| set_field(e, "module_id", C::Bytes(b"x".to_vec()))),
		("digest", |e| set_field(e, "digest", C::Uint(384))),
		("timestamp", |e| set_field(e, "timestamp", C::Uint(0))),
		("timestamp", |e| set_field(e, "timestamp", C::Neg(-5))),
		("timestamp", |e| set_field(e, "timestamp", t("now"))),
		("timestamp", |e| e.retain(|(k, _)| *k != t("timestamp"))),
		("pcrs", |e| set_field(e, "pcrs", C::Map(vec![(C::Uint(0), C::Bytes(vec![1; 47]))]))),
		("pcrs", |e| set_field(e, "pcrs", C::Map(vec![(C::Uint(32), C::Bytes(vec![1; 48]))]))),
		("pcrs", |e| set_field(e, "pcrs", C::Map(vec![(C::Neg(-1), C::Bytes(vec![1; 48]))]))),
		("pcrs", |e| set_field(e, "pcrs", C::Map(vec![]))),
		("pcrs", |e| {
			let twice =
				vec![(C::Uint(0), C::Bytes(vec![1; 48])), (C::Uint(0), C::Bytes(vec![2; 48]))];
			set_field(e, "pcrs", C::Map(twice))
		}),
		("pcrs", |e| set_field(e, "pcrs", C::Array(vec![]))),
		("certificate", |e| set_field(e, "certificate", C::Bytes(vec![]))),
		("certificate", |e| set_field(e, "certificate", C::Bytes(vec![0x30; 1025]))),
		("certificate", |e| set_field(e, "certificate", C::Null)),
		("cabundle", |e| set_field(e, "cabundle", C::Array(vec![C::Uint(1)]))),
		("cabundle", |e| set_field(e, "cabundle", C::Bytes(vec![1]))),
		("public_key", |e| set_field(e, "public_key", C::Bytes(vec![]))),
		("public_key", |e| set_field(e, "public_key", C::Bytes(vec![1; 1025]))),
		("user_data", |e| set_field(e, "user_data", C::Bytes(vec![1; 513]))),
		("user_data", |e| set_field(e, "user_data", t("data"))),
		("nonce", |e| set_field(e, "nonce", C::Bytes(vec![1; 513]))),
		("nonce", |e| {
			e.push((t("nonce"), C::Null));
		}),
		("digest", |e| e.push((t("digest"), t("SHA384")))),
		("payload", |e| e.push((C::Uint(1), C::Null))),
	];
	for (field, edit) in cases {
		let synth = with_payload(edit);
		assert_eq!(verify_synth(synth), Err(Error::MalformedPayload(field)), "{field}");
	}
	// Limits are inclusive: 512 bytes of user data and nonce, 1024 of public key.
	let synth = Synth {
		user_data: Some(vec![1; 512]),
		nonce: Some(vec![2; 512]),
		public_key: Some(vec![3; 1024]),
		..Synth::new()
	};
	assert!(verify_synth(synth).is_ok());
	// Empty user data and nonce are allowed.
	let synth = Synth { user_data: Some(vec![]), nonce: Some(vec![]), ..Synth::new() };
	assert!(verify_synth(synth).is_ok());
}

#[test]
fn payload_that_is_not_a_map() {
	// Re-sign nothing: the payload check comes before any signature.
	let built = Synth::new().build();
	for payload in [C::Array(vec![]).encode(), vec![0xff], vec![], C::Uint(1).encode()] {
		let cose = C::Array(vec![
			C::Bytes(C::Map(vec![(C::Uint(1), C::Neg(-35))]).encode()),
			C::Map(vec![]),
			C::Bytes(payload),
			C::Bytes(vec![0; 96]),
		])
		.encode();
		assert_eq!(
			verify_document(&cose, &built.root_der, NOW, &mut NoCache),
			Err(Error::MalformedPayload("payload"))
		);
	}
}

#[test]
fn envelope_shape() {
	let built = Synth::new().build();
	let protected = C::Bytes(C::Map(vec![(C::Uint(1), C::Neg(-35))]).encode());
	let payload = C::Bytes(C::Map(vec![]).encode());
	let cases = [
		// three elements
		C::Array(vec![protected.clone(), C::Map(vec![]), payload.clone()]),
		// unprotected not a map
		C::Array(vec![protected.clone(), C::Null, payload.clone(), C::Bytes(vec![0; 96])]),
		// signature of 95 bytes
		C::Array(vec![protected.clone(), C::Map(vec![]), payload.clone(), C::Bytes(vec![0; 95])]),
		// a map instead of an array
		C::Map(vec![]),
		// tag 98 (COSE_Sign)
		C::Tag(98, Box::new(C::Array(vec![]))),
	];
	for cose in cases {
		assert_eq!(
			verify_document(&cose.encode(), &built.root_der, NOW, &mut NoCache),
			Err(Error::MalformedCose),
			"{cose:?}"
		);
	}
}

// --- policy ------------------------------------------------------------------------------------

#[test]
fn debug_pcrs() {
	let synth = Synth { pcrs: (0..16).map(|i| (i, pcr(0))).collect(), ..Synth::new() };
	let doc = verify_synth(synth).expect("debug documents are valid documents");
	assert!(is_debug_mode(&doc));
	assert_eq!(check(&doc, |_| {}, NOW), Err(Error::DebugMode));
	// Even a policy that asks for the zero PCRs rejects it.
	let zeros = pcr(0);
	let expected = [(0u8, zeros.as_slice())];
	assert_eq!(check(&doc, |p| p.expected_pcrs = &expected, NOW), Err(Error::DebugMode));
	// One non-zero PCR among 0..2 is not debug mode.
	let mut pcrs: Vec<(u64, Vec<u8>)> = (0..16).map(|i| (i, pcr(0))).collect();
	pcrs[2].1[47] = 1;
	let doc = verify_synth(Synth { pcrs, ..Synth::new() }).unwrap();
	assert!(!is_debug_mode(&doc));
}

#[test]
fn pcr_mismatch() {
	let doc = verify_synth(Synth::new()).unwrap();
	let other = pcr(9);
	let expected = [(0u8, other.as_slice())];
	assert_eq!(
		check(&doc, |p| p.expected_pcrs = &expected, NOW),
		Err(Error::PcrMismatch { index: 0 })
	);
	let p1 = pcr(2);
	let expected = [(1u8, p1.as_slice()), (2, other.as_slice())];
	assert_eq!(
		check(&doc, |p| p.expected_pcrs = &expected, NOW),
		Err(Error::PcrMismatch { index: 2 })
	);
	// An index the document lacks.
	let expected = [(20u8, other.as_slice())];
	assert_eq!(
		check(&doc, |p| p.expected_pcrs = &expected, NOW),
		Err(Error::PcrMismatch { index: 20 })
	);
	// A prefix of the right value is not the value.
	let p0 = pcr(1);
	let expected = [(0u8, &p0[..32])];
	assert_eq!(
		check(&doc, |p| p.expected_pcrs = &expected, NOW),
		Err(Error::PcrMismatch { index: 0 })
	);
	assert_eq!(check(&doc, |p| p.expected_pcrs = &[], NOW), Ok(()));
}

#[test]
fn nonce_mismatch() {
	let challenge = [5u8; 32];
	let doc = verify_synth(Synth { nonce: Some(challenge.to_vec()), ..Synth::new() }).unwrap();
	assert_eq!(check(&doc, |p| p.expected_nonce = Some(&challenge), NOW), Ok(()));
	let other = [6u8; 32];
	assert_eq!(check(&doc, |p| p.expected_nonce = Some(&other), NOW), Err(Error::NonceMismatch));
	let doc = verify_synth(Synth::new()).unwrap();
	assert_eq!(
		check(&doc, |p| p.expected_nonce = Some(&challenge), NOW),
		Err(Error::NonceMismatch)
	);
}

#[test]
fn stale_and_from_the_future() {
	let doc = verify_synth(Synth::new()).unwrap();
	assert_eq!(check(&doc, |p| p.max_age_ms = 1_000, NOW + 1_000), Ok(()));
	assert_eq!(check(&doc, |p| p.max_age_ms = 1_000, NOW + 1_001), Err(Error::Stale));
	assert_eq!(check(&doc, |p| p.max_age_ms = 0, NOW + 1), Err(Error::Stale));
	assert_eq!(check(&doc, |_| {}, NOW - MAX_CLOCK_SKEW_MS), Ok(()));
	assert_eq!(check(&doc, |_| {}, NOW - MAX_CLOCK_SKEW_MS - 1), Err(Error::FromTheFuture));
	assert_eq!(check(&doc, |_| {}, 0), Err(Error::FromTheFuture));
}

#[test]
fn wrong_key_binding() {
	let doc = verify_synth(Synth::new()).unwrap();
	let other = [3u8; 33];
	assert_eq!(check(&doc, |p| p.bound_key = &other, NOW), Err(Error::KeyNotBound));
	assert_eq!(check(&doc, |p| p.bound_key = &PUBLIC_KEY[..32], NOW), Err(Error::KeyNotBound));
	// Bound through user_data instead of public_key.
	let key = [4u8; 64];
	let doc =
		verify_synth(Synth { public_key: None, user_data: Some(key.to_vec()), ..Synth::new() })
			.unwrap();
	assert_eq!(check(&doc, |p| p.bound_key = &key, NOW), Ok(()));
	// An empty bound key never matches, not even empty user data.
	let doc =
		verify_synth(Synth { public_key: None, user_data: Some(vec![]), ..Synth::new() }).unwrap();
	assert_eq!(check(&doc, |p| p.bound_key = &[], NOW), Err(Error::KeyNotBound));
}

#[test]
fn errors_display_something_specific() {
	let messages: Vec<String> = [
		Error::TooLarge,
		Error::Expired { depth: 4 },
		Error::NotYetValid { depth: 1 },
		Error::MalformedPayload("pcrs"),
		Error::PcrMismatch { index: 2 },
	]
	.iter()
	.map(|e| e.to_string())
	.collect();
	assert!(messages[0].contains("16384"));
	assert!(messages[1].contains("expired") && messages[1].contains('4'));
	assert!(messages[2].contains("not yet valid"));
	assert!(messages[3].contains("pcrs"));
	assert!(messages[4].contains("PCR2"));
}
