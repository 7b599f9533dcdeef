//! A test PKI that issues Nitro-like attestation documents (feature `testing`): real P-384
//! certificates and COSE signatures made in pure Rust, `no_std`, with keys derived from a seed,
//! so the documents are deterministic and can be made inside runtime benchmarks.
//!
//! Not for production: the keys are derived from a public seed. Functions here panic on
//! nonsensical input (an empty chain, a time before 1970 or after 9999).
//!
//! ```
//! use verity_nitro_attestation::{testing::*, verify_document, NoCache};
//! let pki = TestPki::new(1, &nitro_like_chain(1_000_000_000_000, 2_000_000_000_000));
//! let payload = TestPayload::new(1_700_000_000_000, [[1; 48], [2; 48], [3; 48]]);
//! let doc = pki.document(&payload, false);
//! let verified = verify_document(&doc, pki.root(), 1_700_000_000_000, &mut NoCache).unwrap();
//! assert_eq!(verified.signature_checks, 5);
//! ```

use crate::cbor;
use alloc::{collections::BTreeMap, string::String, vec, vec::Vec};
use core::time::Duration;
use der::{
	asn1::{Any, BitString, GeneralizedTime, OctetString, SetOfVec, UtcTime},
	DateTime, Encode, Tag,
};
use p384::ecdsa::{signature::Signer, Signature, SigningKey};
use sha2::{Digest, Sha384};
use x509_cert::{
	attr::AttributeTypeAndValue,
	certificate::{Certificate, TbsCertificate, Version},
	ext::{
		pkix::{BasicConstraints, KeyUsage, KeyUsages},
		Extension,
	},
	name::{Name, RdnSequence, RelativeDistinguishedName},
	serial_number::SerialNumber,
	spki::{AlgorithmIdentifierOwned, ObjectIdentifier, SubjectPublicKeyInfoOwned},
	time::{Time, Validity},
};

const ECDSA_WITH_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.3");
const ID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const SECP384R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
const COMMON_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.3");
const ORGANIZATION: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.10");

/// One certificate of a test chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertSpec {
	/// The subject's common name (the issuer's is the certificate above it).
	pub name: String,
	/// `None`: not a CA (BasicConstraints `cA: false`, as AWS leaves have). `Some(path_len)`: a
	/// CA with that pathLenConstraint (`None` = unconstrained).
	pub ca: Option<Option<u8>>,
	/// Include KeyUsage: keyCertSign + cRLSign + digitalSignature for a CA, digitalSignature +
	/// nonRepudiation otherwise. `false` leaves the extension out.
	pub key_usage: bool,
	/// notBefore, unix ms (whole seconds are kept).
	pub not_before_ms: u64,
	/// notAfter, unix ms (whole seconds are kept).
	pub not_after_ms: u64,
}

/// AWS's shape: root -> regional (pathLen 2) -> zonal (pathLen 1) -> instance (pathLen 0) ->
/// leaf, every certificate valid from `not_before_ms` to `not_after_ms`.
pub fn nitro_like_chain(not_before_ms: u64, not_after_ms: u64) -> Vec<CertSpec> {
	let spec = |name: &str, ca: Option<Option<u8>>| CertSpec {
		name: String::from(name),
		ca,
		key_usage: true,
		not_before_ms,
		not_after_ms,
	};
	vec![
		spec("test.nitro-enclaves", Some(None)),
		spec("regional.test.nitro-enclaves", Some(Some(2))),
		spec("zonal.test.nitro-enclaves", Some(Some(1))),
		spec("i-0000000000000000.test.nitro-enclaves", Some(Some(0))),
		spec("i-0000000000000000-enc0000000000000000.test", None),
	]
}

/// What a test document says. [`TestPayload::new`] fills in a real-looking document; change
/// any field before [`TestPki::document`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestPayload {
	/// `module_id`.
	pub module_id: String,
	/// `digest` (`"SHA384"`).
	pub digest: String,
	/// `timestamp`, unix ms.
	pub timestamp_ms: u64,
	/// `pcrs`.
	pub pcrs: BTreeMap<u8, Vec<u8>>,
	/// `public_key` (`None` is encoded as CBOR null, as AWS does).
	pub public_key: Option<Vec<u8>>,
	/// `user_data`.
	pub user_data: Option<Vec<u8>>,
	/// `nonce`.
	pub nonce: Option<Vec<u8>>,
}

impl TestPayload {
	/// A document made at `timestamp_ms` with PCR0..2 as given and PCR3..15 zero, no public
	/// key, user data or nonce.
	pub fn new(timestamp_ms: u64, pcr0_to_2: [[u8; 48]; 3]) -> Self {
		let mut pcrs: BTreeMap<u8, Vec<u8>> = (0u8..16).map(|i| (i, vec![0; 48])).collect();
		for (index, value) in (0u8..).zip(pcr0_to_2) {
			pcrs.insert(index, value.to_vec());
		}
		TestPayload {
			module_id: String::from("i-0000000000000000-enc0000000000000000"),
			digest: String::from("SHA384"),
			timestamp_ms,
			pcrs,
			public_key: None,
			user_data: None,
			nonce: None,
		}
	}
}

/// A chain of test certificates with their keys.
pub struct TestPki {
	/// DER certificates, root first, leaf last.
	certificates: Vec<Vec<u8>>,
	/// The leaf's key, which signs documents.
	leaf_key: SigningKey,
}

/// The `index`-th key of `seed`: SHA-384 of a label, the seed, the index and a counter, the
/// first that is a valid scalar.
fn derive_key(seed: u64, index: usize) -> SigningKey {
	(0u32..)
		.find_map(|counter| {
			let secret = Sha384::new()
				.chain_update(b"verity-nitro-attestation testing key")
				.chain_update(seed.to_le_bytes())
				.chain_update((index as u64).to_le_bytes())
				.chain_update(counter.to_le_bytes())
				.finalize();
			SigningKey::from_slice(&secret).ok()
		})
		.expect("a valid scalar within a few tries")
}

fn name(common_name: &str) -> Name {
	let rdn = |oid, value: &str| {
		let value = Any::new(Tag::Utf8String, value.as_bytes()).expect("a short name");
		let atv = AttributeTypeAndValue { oid, value };
		RelativeDistinguishedName(SetOfVec::try_from(vec![atv]).expect("one attribute"))
	};
	RdnSequence(vec![rdn(ORGANIZATION, "Verity test"), rdn(COMMON_NAME, common_name)])
}

/// UTCTime until 2049, GeneralizedTime from 2050 (RFC 5280 §4.1.2.5).
fn time(ms: u64) -> Time {
	let duration = Duration::from_secs(ms / 1000);
	let datetime = DateTime::from_unix_duration(duration).expect("a time between 1970 and 9999");
	if datetime.year() < 2050 {
		Time::UtcTime(UtcTime::from_date_time(datetime).expect("a UTCTime year"))
	} else {
		Time::GeneralTime(GeneralizedTime::from_date_time(datetime))
	}
}

fn extension(extn_id: ObjectIdentifier, critical: bool, value: &impl Encode) -> Extension {
	let value = value.to_der().expect("an encodable extension");
	Extension { extn_id, critical, extn_value: OctetString::new(value).expect("a short value") }
}

fn issue(
	spec: &CertSpec,
	serial: u8,
	subject_key: &SigningKey,
	issuer: &Name,
	issuer_key: &SigningKey,
) -> Vec<u8> {
	use const_oid::AssociatedOid;
	let algorithm = AlgorithmIdentifierOwned { oid: ECDSA_WITH_SHA384, parameters: None };
	let point = subject_key.verifying_key().to_encoded_point(false);
	let spki = SubjectPublicKeyInfoOwned {
		algorithm: AlgorithmIdentifierOwned {
			oid: ID_EC_PUBLIC_KEY,
			parameters: Some(Any::from(&SECP384R1)),
		},
		subject_public_key: BitString::from_bytes(point.as_bytes()).expect("a point"),
	};
	let basic = BasicConstraints { ca: spec.ca.is_some(), path_len_constraint: spec.ca.flatten() };
	let mut extensions = vec![extension(BasicConstraints::OID, true, &basic)];
	if spec.key_usage {
		let usage = if spec.ca.is_some() {
			KeyUsages::KeyCertSign | KeyUsages::CRLSign | KeyUsages::DigitalSignature
		} else {
			KeyUsages::DigitalSignature | KeyUsages::NonRepudiation
		};
		extensions.push(extension(KeyUsage::OID, true, &KeyUsage(usage)));
	}
	let tbs = TbsCertificate {
		version: Version::V3,
		serial_number: SerialNumber::new(&[serial]).expect("a serial"),
		signature: algorithm.clone(),
		issuer: issuer.clone(),
		validity: Validity {
			not_before: time(spec.not_before_ms),
			not_after: time(spec.not_after_ms),
		},
		subject: name(&spec.name),
		subject_public_key_info: spki,
		issuer_unique_id: None,
		subject_unique_id: None,
		extensions: Some(extensions),
	};
	let tbs_der = tbs.to_der().expect("an encodable TBS");
	let signature: Signature = issuer_key.sign(&tbs_der);
	let certificate = Certificate {
		tbs_certificate: tbs,
		signature_algorithm: algorithm,
		signature: BitString::from_bytes(signature.to_der().as_bytes()).expect("a signature"),
	};
	certificate.to_der().expect("an encodable certificate")
}

fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
	cbor::head(out, 2, bytes.len() as u64);
	out.extend_from_slice(bytes);
}

fn put_text(out: &mut Vec<u8>, text: &str) {
	cbor::head(out, 3, text.len() as u64);
	out.extend_from_slice(text.as_bytes());
}

fn put_optional(out: &mut Vec<u8>, bytes: &Option<Vec<u8>>) {
	match bytes {
		Some(bytes) => put_bytes(out, bytes),
		None => out.push(0xf6),
	}
}

impl TestPki {
	/// Issues the chain `specs` (root first, leaf last, at least two) with keys derived from
	/// `seed`: the root is self-signed, each other certificate is signed by the one before it.
	pub fn new(seed: u64, specs: &[CertSpec]) -> Self {
		assert!(specs.len() >= 2, "a chain needs a root and a leaf");
		let mut certificates = Vec::with_capacity(specs.len());
		let mut above: Option<(Name, SigningKey)> = None;
		for (index, spec) in specs.iter().enumerate() {
			let key = derive_key(seed, index);
			let (issuer_name, issuer_key) = match &above {
				Some((name, key)) => (name.clone(), key.clone()),
				None => (name(&spec.name), key.clone()),
			};
			certificates.push(issue(spec, index as u8 + 1, &key, &issuer_name, &issuer_key));
			above = Some((name(&spec.name), key));
		}
		let (_, leaf_key) = above.expect("a leaf");
		TestPki { certificates, leaf_key }
	}

	/// The root certificate's DER, to pin.
	pub fn root(&self) -> &[u8] {
		&self.certificates[0]
	}

	/// Every certificate's DER, root first, leaf last.
	pub fn certificates(&self) -> &[Vec<u8>] {
		&self.certificates
	}

	/// An attestation document saying `payload`, encoded like AWS's (indefinite-length payload
	/// map, absent fields as null, untagged COSE_Sign1 unless `tagged`) and signed with the
	/// leaf key.
	pub fn document(&self, payload: &TestPayload, tagged: bool) -> Vec<u8> {
		let (leaf, bundle) = self.certificates.split_last().expect("a leaf");
		let mut map = vec![0xbf];
		put_text(&mut map, "module_id");
		put_text(&mut map, &payload.module_id);
		put_text(&mut map, "digest");
		put_text(&mut map, &payload.digest);
		put_text(&mut map, "timestamp");
		cbor::head(&mut map, 0, payload.timestamp_ms);
		put_text(&mut map, "pcrs");
		cbor::head(&mut map, 5, payload.pcrs.len() as u64);
		for (index, value) in &payload.pcrs {
			cbor::head(&mut map, 0, u64::from(*index));
			put_bytes(&mut map, value);
		}
		put_text(&mut map, "certificate");
		put_bytes(&mut map, leaf);
		put_text(&mut map, "cabundle");
		cbor::head(&mut map, 4, bundle.len() as u64);
		for certificate in bundle {
			put_bytes(&mut map, certificate);
		}
		put_text(&mut map, "public_key");
		put_optional(&mut map, &payload.public_key);
		put_text(&mut map, "user_data");
		put_optional(&mut map, &payload.user_data);
		put_text(&mut map, "nonce");
		put_optional(&mut map, &payload.nonce);
		map.push(0xff);

		// {1: -35}
		let protected = [0xa1, 0x01, 0x38, 0x22];
		let signature: Signature = self.leaf_key.sign(&cbor::sig_structure(&protected, &map));

		let mut out = Vec::with_capacity(map.len() + 128);
		if tagged {
			cbor::head(&mut out, 6, 18);
		}
		cbor::head(&mut out, 4, 4);
		put_bytes(&mut out, &protected);
		cbor::head(&mut out, 5, 0);
		put_bytes(&mut out, &map);
		put_bytes(&mut out, &signature.to_bytes());
		out
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::{verify_document, Error, NoCache};

	const NOW: u64 = 1_767_225_600_000;
	const DAY: u64 = 86_400_000;

	#[test]
	fn documents_verify_and_are_deterministic() {
		let chain = nitro_like_chain(NOW - DAY, NOW + DAY);
		let pki = TestPki::new(3, &chain);
		let mut payload = TestPayload::new(NOW, [[1; 48], [2; 48], [3; 48]]);
		payload.nonce = Some(vec![7; 32]);
		payload.public_key = Some(vec![2; 33]);
		for tagged in [false, true] {
			let doc = pki.document(&payload, tagged);
			let verified = verify_document(&doc, pki.root(), NOW, &mut NoCache).unwrap();
			assert_eq!(verified.signature_checks, 5);
			assert_eq!(verified.pcrs, payload.pcrs);
			assert_eq!(verified.nonce, payload.nonce);
			assert_eq!(verified.public_key, payload.public_key);
			assert_eq!(verified.chain_not_after_ms, NOW + DAY);
		}
		let again = TestPki::new(3, &chain);
		assert_eq!(again.certificates(), pki.certificates());
		assert_eq!(again.document(&payload, false), pki.document(&payload, false));
		assert_ne!(TestPki::new(4, &chain).root(), pki.root());
	}

	#[test]
	fn specs_control_the_failures() {
		let payload = TestPayload::new(NOW, [[1; 48], [2; 48], [3; 48]]);
		let check = |edit: &dyn Fn(&mut Vec<CertSpec>)| {
			let mut chain = nitro_like_chain(NOW - DAY, NOW + DAY);
			edit(&mut chain);
			let pki = TestPki::new(1, &chain);
			verify_document(&pki.document(&payload, false), pki.root(), NOW, &mut NoCache)
		};
		assert!(check(&|_| {}).is_ok());
		assert_eq!(check(&|c| c[4].ca = Some(None)), Err(Error::LeafIsCa));
		assert_eq!(check(&|c| c[3].ca = None), Err(Error::NotACa));
		assert_eq!(check(&|c| c[3].key_usage = false), Err(Error::KeyUsageMissing));
		assert_eq!(check(&|c| c[1].ca = Some(Some(1))), Err(Error::PathLengthExceeded));
		assert_eq!(check(&|c| c[4].not_after_ms = NOW - 1000), Err(Error::Expired { depth: 4 }));
		// Longer and shorter chains.
		assert_eq!(
			check(&|c| {
				c.remove(2);
			})
			.map(|d| d.signature_checks),
			Ok(4)
		);
		assert_eq!(check(&|c| c.drain(1..4).for_each(drop)).map(|d| d.signature_checks), Ok(2));
		// Times from 2050 on are GeneralizedTime.
		assert_eq!(
			check(&|c| c[0].not_after_ms = 4_102_444_800_000).map(|d| d.signature_checks),
			Ok(5)
		);
	}
}
