#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

mod cbor;
mod cert;
mod error;
#[cfg(feature = "testing")]
pub mod testing;

pub use error::Error;

use alloc::{collections::BTreeMap, string::String, vec::Vec};
use cert::Cert;
use ciborium::value::Value;
use p384::ecdsa::{signature::Verifier, Signature};
use sha2::{Digest, Sha256};

/// Documents longer than this are rejected before parsing ([`Error::TooLarge`]). Real ones are
/// about 4.5 kB.
pub const MAX_DOCUMENT_LEN: usize = 16 * 1024;
/// At most this many certificates in `cabundle` ([`Error::BundleTooLarge`]); real ones have 4.
pub const MAX_CABUNDLE: usize = 8;
/// How far a document's timestamp may be ahead of "now" before [`check_policy`] rejects it
/// ([`Error::FromTheFuture`]): 5 minutes.
pub const MAX_CLOCK_SKEW_MS: u64 = 5 * 60 * 1000;

/// The AWS Nitro Enclaves root certificate G1 (`C=US, O=Amazon, OU=AWS, CN=aws.nitro-enclaves`,
/// valid 2019-10-28 .. 2049-10-28), as published by AWS.
pub const AWS_NITRO_ROOT_G1_PEM: &str = include_str!("aws-nitro-root-g1.pem");
/// SHA-256 of the DER of [`AWS_NITRO_ROOT_G1_PEM`].
pub const AWS_NITRO_ROOT_G1_SHA256: [u8; 32] = [
	0x64, 0x1a, 0x03, 0x21, 0xa3, 0xe2, 0x44, 0xef, 0xe4, 0x56, 0x46, 0x31, 0x95, 0xd6, 0x06, 0x31,
	0x7e, 0xd7, 0xcd, 0xcc, 0x3c, 0x17, 0x56, 0xe0, 0x98, 0x93, 0xf3, 0xc6, 0x8f, 0x79, 0xbb, 0x5b,
];

/// COSE algorithm id of ECDSA P-384 with SHA-384.
const ES384: i128 = -35;
/// COSE_Sign1 tag.
const COSE_SIGN1_TAG: u64 = 18;

/// A certificate cache: certificates (by SHA-256 of their DER) whose signature chain up to the
/// pinned root has already been verified, with the time until which that holds (the earliest
/// notAfter of the certificate and the ones above it), in unix ms.
///
/// A cache is only meaningful for one pinned root: use one cache per root.
pub trait CertCache {
	/// Until when (unix ms) the certificate with this hash is known to chain to the root, if
	/// cached.
	fn verified_until(&self, cert_sha256: &[u8; 32]) -> Option<u64>;
	/// Records that the certificate with this hash chains to the root until `not_after_ms`.
	fn insert(&mut self, cert_sha256: [u8; 32], not_after_ms: u64);
}

/// A cache that caches nothing: every verification is a full one.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoCache;

impl CertCache for NoCache {
	fn verified_until(&self, _: &[u8; 32]) -> Option<u64> {
		None
	}
	fn insert(&mut self, _: [u8; 32], _: u64) {}
}

impl CertCache for BTreeMap<[u8; 32], u64> {
	fn verified_until(&self, cert_sha256: &[u8; 32]) -> Option<u64> {
		self.get(cert_sha256).copied()
	}
	fn insert(&mut self, cert_sha256: [u8; 32], not_after_ms: u64) {
		BTreeMap::insert(self, cert_sha256, not_after_ms);
	}
}

/// A verified attestation document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttestationDoc {
	/// The enclave's id (`i-...-enc...`).
	pub module_id: String,
	/// The PCR digest algorithm: always `"SHA384"` here.
	pub digest: String,
	/// When the document was made, unix ms.
	pub timestamp_ms: u64,
	/// PCR index -> value (32, 48 or 64 bytes).
	pub pcrs: BTreeMap<u8, Vec<u8>>,
	/// The key the enclave put in the document, if any.
	pub public_key: Option<Vec<u8>>,
	/// Application data the enclave put in the document, if any.
	pub user_data: Option<Vec<u8>>,
	/// The challenge the enclave put in the document, if any.
	pub nonce: Option<Vec<u8>>,
	/// The leaf certificate's notAfter, unix ms.
	pub leaf_not_after_ms: u64,
	/// The earliest notAfter of the leaf and the `cabundle` certificates, unix ms: the document
	/// is usable only until then.
	pub chain_not_after_ms: u64,
	/// How many ECDSA verifications this verification did (5 cold for a real document, 2 with
	/// the instance certificate cached).
	pub signature_checks: u32,
}

/// The decoded payload, before any certificate is looked at.
struct Payload {
	module_id: String,
	digest: String,
	timestamp_ms: u64,
	pcrs: BTreeMap<u8, Vec<u8>>,
	certificate: Vec<u8>,
	cabundle: Vec<Vec<u8>>,
	public_key: Option<Vec<u8>>,
	user_data: Option<Vec<u8>>,
	nonce: Option<Vec<u8>>,
}

/// `Some(bytes)` with `min <= len <= max`, else the field's error.
fn bytes_field(
	value: Value,
	min: usize,
	max: usize,
	field: &'static str,
) -> Result<Vec<u8>, Error> {
	match value {
		Value::Bytes(b) if b.len() >= min && b.len() <= max => Ok(b),
		_ => Err(Error::MalformedPayload(field)),
	}
}

/// An optional field: CBOR `null` (how real documents encode absence) or bytes within limits.
fn optional_bytes(
	value: Value,
	min: usize,
	max: usize,
	field: &'static str,
) -> Result<Option<Vec<u8>>, Error> {
	match value {
		Value::Null => Ok(None),
		other => bytes_field(other, min, max, field).map(Some),
	}
}

/// Stores a field, rejecting a second occurrence.
fn set<T>(slot: &mut Option<T>, value: T, field: &'static str) -> Result<(), Error> {
	if slot.replace(value).is_some() {
		return Err(Error::MalformedPayload(field));
	}
	Ok(())
}

/// Decodes and syntactically validates the payload, following AWS's rules ("Verifying the root
/// of trust"): types, sizes and PCR indices. Unknown keys are ignored.
fn parse_payload(bytes: &[u8]) -> Result<Payload, Error> {
	let Some(Value::Map(entries)) = cbor::decode(bytes) else {
		return Err(Error::MalformedPayload("payload"));
	};
	let mut module_id = None;
	let mut digest = None;
	let mut timestamp = None;
	let mut pcrs = None;
	let mut certificate = None;
	let mut cabundle = None;
	let mut public_key = None;
	let mut user_data = None;
	let mut nonce = None;
	for (key, value) in entries {
		let Value::Text(key) = key else {
			return Err(Error::MalformedPayload("payload"));
		};
		match key.as_str() {
			"module_id" => match value {
				Value::Text(t) if !t.is_empty() => set(&mut module_id, t, "module_id")?,
				_ => return Err(Error::MalformedPayload("module_id")),
			},
			"digest" => match value {
				Value::Text(t) => set(&mut digest, t, "digest")?,
				_ => return Err(Error::MalformedPayload("digest")),
			},
			"timestamp" => {
				let ms = match value {
					Value::Integer(i) => u64::try_from(i).ok().filter(|ms| *ms > 0),
					_ => None,
				};
				let ms = ms.ok_or(Error::MalformedPayload("timestamp"))?;
				set(&mut timestamp, ms, "timestamp")?
			},
			"pcrs" => {
				let Value::Map(map) = value else {
					return Err(Error::MalformedPayload("pcrs"));
				};
				if map.is_empty() || map.len() > 32 {
					return Err(Error::MalformedPayload("pcrs"));
				}
				let mut out = BTreeMap::new();
				for (index, pcr) in map {
					let index = match index {
						Value::Integer(i) => u8::try_from(i).ok().filter(|i| *i < 32),
						_ => None,
					};
					let index = index.ok_or(Error::MalformedPayload("pcrs"))?;
					let pcr = match pcr {
						Value::Bytes(b) if matches!(b.len(), 32 | 48 | 64) => b,
						_ => return Err(Error::MalformedPayload("pcrs")),
					};
					if out.insert(index, pcr).is_some() {
						return Err(Error::MalformedPayload("pcrs"));
					}
				}
				set(&mut pcrs, out, "pcrs")?
			},
			"certificate" => {
				set(&mut certificate, bytes_field(value, 1, 1024, "certificate")?, "certificate")?
			},
			"cabundle" => {
				let Value::Array(certs) = value else {
					return Err(Error::MalformedPayload("cabundle"));
				};
				if certs.is_empty() {
					return Err(Error::EmptyBundle);
				}
				if certs.len() > MAX_CABUNDLE {
					return Err(Error::BundleTooLarge);
				}
				let certs = certs
					.into_iter()
					.map(|c| bytes_field(c, 1, 1024, "cabundle"))
					.collect::<Result<Vec<_>, _>>()?;
				set(&mut cabundle, certs, "cabundle")?
			},
			"public_key" => {
				set(&mut public_key, optional_bytes(value, 1, 1024, "public_key")?, "public_key")?
			},
			"user_data" => {
				set(&mut user_data, optional_bytes(value, 0, 512, "user_data")?, "user_data")?
			},
			"nonce" => set(&mut nonce, optional_bytes(value, 0, 512, "nonce")?, "nonce")?,
			_ => {},
		}
	}
	Ok(Payload {
		module_id: module_id.ok_or(Error::MalformedPayload("module_id"))?,
		digest: digest.ok_or(Error::MalformedPayload("digest"))?,
		timestamp_ms: timestamp.ok_or(Error::MalformedPayload("timestamp"))?,
		pcrs: pcrs.ok_or(Error::MalformedPayload("pcrs"))?,
		certificate: certificate.ok_or(Error::MalformedPayload("certificate"))?,
		cabundle: cabundle.ok_or(Error::MalformedPayload("cabundle"))?,
		public_key: public_key.flatten(),
		user_data: user_data.flatten(),
		nonce: nonce.flatten(),
	})
}

/// The parts of a COSE_Sign1 this verifier uses.
struct Cose {
	/// The serialized protected header.
	protected: Vec<u8>,
	/// The serialized payload.
	payload: Vec<u8>,
	/// Raw `r||s`, 96 bytes.
	signature: Vec<u8>,
}

/// Splits a COSE_Sign1 (tagged 18 or untagged) into protected header, payload and signature,
/// and checks that the protected header says ES384.
fn parse_cose(doc: &[u8]) -> Result<Cose, Error> {
	let value = match cbor::decode(doc).ok_or(Error::MalformedCose)? {
		Value::Tag(COSE_SIGN1_TAG, inner) => *inner,
		Value::Tag(..) => return Err(Error::MalformedCose),
		other => other,
	};
	let Value::Array(items) = value else {
		return Err(Error::MalformedCose);
	};
	let Ok([protected, unprotected, payload, signature]) = <[Value; 4]>::try_from(items) else {
		return Err(Error::MalformedCose);
	};
	let (Value::Bytes(protected), Value::Map(_), Value::Bytes(payload), Value::Bytes(signature)) =
		(protected, unprotected, payload, signature)
	else {
		return Err(Error::MalformedCose);
	};
	if signature.len() != 96 {
		return Err(Error::MalformedCose);
	}

	// The protected header: a serialized map, which must hold `1 (alg): -35 (ES384)`.
	let mut alg = None;
	if !protected.is_empty() {
		let Some(Value::Map(header)) = cbor::decode(&protected) else {
			return Err(Error::MalformedCose);
		};
		for (label, value) in header {
			if matches!(label, Value::Integer(l) if i128::from(l) == 1)
				&& alg.replace(value).is_some()
			{
				return Err(Error::MalformedCose);
			}
		}
	}
	match alg {
		Some(Value::Integer(a)) if i128::from(a) == ES384 => {},
		_ => return Err(Error::UnsupportedAlgorithm),
	}
	Ok(Cose { protected, payload, signature })
}

fn sha256(bytes: &[u8]) -> [u8; 32] {
	Sha256::digest(bytes).into()
}

/// Parses and verifies an attestation document at `now_ms` (unix ms; on chain the block
/// timestamp, never the system clock) against the pinned root certificate `root_der`.
///
/// Checks, in order: size; COSE_Sign1 (tagged 18 or untagged) with protected `alg` ES384 and a
/// 96-byte raw `r||s` signature; payload fields, types and size limits; `digest` is `SHA384`;
/// `cabundle` has 1..=[`MAX_CABUNDLE`] certificates and `cabundle[0]` is byte-for-byte
/// `root_der`; every certificate is ecdsa-with-SHA384 with a P-384 key and no unknown critical
/// extension; each certificate's issuer is the subject of the one above it; every certificate is
/// valid at `now_ms` (notBefore <= now <= notAfter); `cabundle` certificates are CAs with
/// keyCertSign and pathLen respected (counting the CA certificates below them), the leaf is not
/// a CA and has digitalSignature; each certificate below the root is signed by the one above it;
/// finally the COSE signature over `Sig_structure ["Signature1", protected, h'', payload]` with
/// the leaf key.
///
/// The cache: if a `cabundle` certificate's SHA-256 is in `cache` with `verified_until >=
/// now_ms`, the chain down to the deepest such certificate is trusted and the signatures above
/// it are not checked (all other checks still are). After a successful verification, every
/// `cabundle` certificate whose signature was checked (not the leaf) is inserted with the
/// earliest notAfter of itself and the certificates above it. A failed verification leaves the
/// cache untouched.
pub fn verify_document(
	doc: &[u8],
	root_der: &[u8],
	now_ms: u64,
	cache: &mut impl CertCache,
) -> Result<AttestationDoc, Error> {
	if doc.len() > MAX_DOCUMENT_LEN {
		return Err(Error::TooLarge);
	}
	let Cose { protected, payload: payload_bytes, signature } = parse_cose(doc)?;
	let payload = parse_payload(&payload_bytes)?;
	if payload.digest != "SHA384" {
		return Err(Error::UnsupportedDigest);
	}
	match payload.cabundle.first() {
		Some(root) if root.as_slice() == root_der => {},
		Some(_) => return Err(Error::WrongRoot),
		None => return Err(Error::EmptyBundle),
	}

	// The chain, root first, leaf last; `depth` is the index into it.
	let ders: Vec<&[u8]> = payload
		.cabundle
		.iter()
		.map(Vec::as_slice)
		.chain(core::iter::once(payload.certificate.as_slice()))
		.collect();
	let chain = ders.iter().map(|der| Cert::parse(der)).collect::<Result<Vec<_>, _>>()?;
	let leaf_depth = payload.cabundle.len();
	let Some(leaf) = chain.last() else {
		return Err(Error::EmptyBundle);
	};

	for pair in chain.windows(2) {
		if let [issuer, subject] = pair {
			if subject.issuer != issuer.subject {
				return Err(Error::NameChainBroken);
			}
		}
	}
	for (depth, cert) in chain.iter().enumerate() {
		// `depth <= MAX_CABUNDLE`, so it fits a u8.
		let depth = depth as u8;
		if now_ms < cert.not_before_ms {
			return Err(Error::NotYetValid { depth });
		}
		if now_ms > cert.not_after_ms {
			return Err(Error::Expired { depth });
		}
	}
	for (depth, cert) in chain.iter().enumerate() {
		if depth < leaf_depth {
			let Some((true, path_len)) = cert.basic_constraints else {
				return Err(Error::NotACa);
			};
			// CA certificates below this one: cabundle[depth + 1 ..].
			let cas_below = leaf_depth - depth - 1;
			if path_len.is_some_and(|max| cas_below > max as usize) {
				return Err(Error::PathLengthExceeded);
			}
			if !cert.key_usage.is_some_and(|ku| ku.key_cert_sign()) {
				return Err(Error::KeyUsageMissing);
			}
		} else {
			if cert.is_ca() {
				return Err(Error::LeafIsCa);
			}
			if !cert.key_usage.is_some_and(|ku| ku.digital_signature()) {
				return Err(Error::KeyUsageMissing);
			}
		}
	}

	// Signatures. The root is pinned; below it, start after the deepest cached certificate.
	let hashes: Vec<[u8; 32]> = payload.cabundle.iter().map(|der| sha256(der)).collect();
	let mut trusted = 0;
	let mut verified_until = chain.first().map_or(0, |root| root.not_after_ms);
	for (depth, hash) in hashes.iter().enumerate().skip(1).rev() {
		if let Some(until) = cache.verified_until(hash).filter(|until| *until >= now_ms) {
			trusted = depth;
			verified_until = until;
			break;
		}
	}
	let mut signature_checks = 0u32;
	let mut newly_verified = Vec::new();
	for depth in trusted + 1..=leaf_depth {
		let (Some(issuer), Some(cert)) = (chain.get(depth - 1), chain.get(depth)) else {
			return Err(Error::MalformedCertificate);
		};
		signature_checks += 1;
		if !cert.signed_by(&issuer.key) {
			return Err(Error::BadCertificateSignature { depth: depth as u8 });
		}
		verified_until = verified_until.min(cert.not_after_ms);
		if let Some(hash) = hashes.get(depth) {
			newly_verified.push((*hash, verified_until));
		}
	}

	let signature = Signature::from_slice(&signature).map_err(|_| Error::BadDocumentSignature)?;
	signature_checks += 1;
	leaf.key
		.verify(&cbor::sig_structure(&protected, &payload_bytes), &signature)
		.map_err(|_| Error::BadDocumentSignature)?;

	for (hash, until) in newly_verified {
		cache.insert(hash, until);
	}
	let chain_not_after_ms = chain.iter().map(|c| c.not_after_ms).min().unwrap_or(0);
	Ok(AttestationDoc {
		module_id: payload.module_id,
		digest: payload.digest,
		timestamp_ms: payload.timestamp_ms,
		pcrs: payload.pcrs,
		public_key: payload.public_key,
		user_data: payload.user_data,
		nonce: payload.nonce,
		leaf_not_after_ms: leaf.not_after_ms,
		chain_not_after_ms,
		signature_checks,
	})
}

/// What the chain requires of a document beyond a valid signature chain.
#[derive(Debug, Clone, Copy)]
pub struct Policy<'a> {
	/// Each listed PCR index must be present with exactly this value (empty = no constraint).
	pub expected_pcrs: &'a [(u8, &'a [u8])],
	/// If set, the document's nonce must equal it.
	pub expected_nonce: Option<&'a [u8]>,
	/// `now - timestamp` must be at most this.
	pub max_age_ms: u64,
	/// `public_key` or `user_data` must equal this (non-empty) key.
	pub bound_key: &'a [u8],
}

/// Whether the document comes from an enclave in debug mode: PCR0, PCR1 and PCR2 are all zero
/// (a missing one counts as zero).
pub fn is_debug_mode(doc: &AttestationDoc) -> bool {
	(0u8..3).all(|i| doc.pcrs.get(&i).is_none_or(|pcr| pcr.iter().all(|b| *b == 0)))
}

/// Applies `policy` to a verified document at `now_ms`. In order: not debug mode
/// ([`is_debug_mode`]), expected PCRs, nonce, timestamp not more than [`MAX_CLOCK_SKEW_MS`] in
/// the future and at most `max_age_ms` old, and the bound key is `public_key` or `user_data`.
pub fn check_policy(doc: &AttestationDoc, policy: &Policy, now_ms: u64) -> Result<(), Error> {
	if is_debug_mode(doc) {
		return Err(Error::DebugMode);
	}
	for (index, expected) in policy.expected_pcrs {
		if doc.pcrs.get(index).map(Vec::as_slice) != Some(*expected) {
			return Err(Error::PcrMismatch { index: *index });
		}
	}
	if let Some(expected) = policy.expected_nonce {
		if doc.nonce.as_deref() != Some(expected) {
			return Err(Error::NonceMismatch);
		}
	}
	if doc.timestamp_ms > now_ms.saturating_add(MAX_CLOCK_SKEW_MS) {
		return Err(Error::FromTheFuture);
	}
	if now_ms.saturating_sub(doc.timestamp_ms) > policy.max_age_ms {
		return Err(Error::Stale);
	}
	let key = policy.bound_key;
	if key.is_empty()
		|| (doc.public_key.as_deref() != Some(key) && doc.user_data.as_deref() != Some(key))
	{
		return Err(Error::KeyNotBound);
	}
	Ok(())
}

/// The DER of a PEM `CERTIFICATE` block (RFC 7468, via the `der` crate), checked to be an X.509
/// certificate.
pub fn root_from_pem(pem: &str) -> Result<Vec<u8>, Error> {
	use der::Decode;
	let (label, der) = der::pem::decode_vec(pem.trim().as_bytes()).map_err(|_| Error::BadPem)?;
	if label != "CERTIFICATE" {
		return Err(Error::BadPem);
	}
	x509_cert::Certificate::from_der(&der).map_err(|_| Error::BadPem)?;
	Ok(der)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn embedded_root_matches_its_fingerprint() {
		let der = root_from_pem(AWS_NITRO_ROOT_G1_PEM).unwrap();
		assert_eq!(sha256(&der), AWS_NITRO_ROOT_G1_SHA256);
	}

	#[test]
	fn bad_pem_is_rejected() {
		assert_eq!(root_from_pem(""), Err(Error::BadPem));
		assert_eq!(root_from_pem("hello"), Err(Error::BadPem));
		let other_label = AWS_NITRO_ROOT_G1_PEM.replace("CERTIFICATE", "PUBLIC KEY");
		assert_eq!(root_from_pem(&other_label), Err(Error::BadPem));
		assert_eq!(
			root_from_pem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"),
			Err(Error::BadPem)
		);
	}
}
