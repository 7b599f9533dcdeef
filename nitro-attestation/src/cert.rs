//! The parts of an X.509 certificate the chain check needs, decoded once.

use crate::Error;
use const_oid::{AssociatedOid, ObjectIdentifier};
use der::{Decode, Header, Reader, SliceReader, Tag};
use p384::ecdsa::{signature::Verifier, Signature, VerifyingKey};
use x509_cert::{
	ext::pkix::{BasicConstraints, KeyUsage},
	name::Name,
	Certificate,
};

/// ecdsa-with-SHA384 (RFC 5758).
const ECDSA_WITH_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.3");
/// id-ecPublicKey (RFC 5480).
const ID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
/// secp384r1 (RFC 5480).
const SECP384R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");

/// A decoded certificate, borrowing the DER it came from.
pub(crate) struct Cert<'a> {
	/// The DER of `tbsCertificate`, exactly as signed.
	tbs: &'a [u8],
	/// The DER ECDSA signature (`r`, `s`) from `signatureValue`.
	signature: Signature,
	pub issuer: Name,
	pub subject: Name,
	pub not_before_ms: u64,
	pub not_after_ms: u64,
	/// BasicConstraints `(cA, pathLenConstraint)`, if the extension is present.
	pub basic_constraints: Option<(bool, Option<u8>)>,
	/// KeyUsage, if present.
	pub key_usage: Option<KeyUsage>,
	/// The subject's P-384 key.
	pub key: VerifyingKey,
}

fn unix_ms(time: x509_cert::time::Time) -> u64 {
	time.to_unix_duration().as_secs().saturating_mul(1000)
}

/// The raw `tbsCertificate` TLV of a certificate (the first element of the outer SEQUENCE).
fn tbs_bytes(der: &[u8]) -> der::Result<&[u8]> {
	let mut reader = SliceReader::new(der)?;
	let header = Header::decode(&mut reader)?;
	header.tag.assert_eq(Tag::Sequence)?;
	reader.tlv_bytes()
}

impl<'a> Cert<'a> {
	/// Decodes `der`, requiring ecdsa-with-SHA384 and a P-384 subject key, and decoding the
	/// extensions the chain check uses. An unknown critical extension is an error.
	pub fn parse(der: &'a [u8]) -> Result<Self, Error> {
		let cert = Certificate::from_der(der).map_err(|_| Error::MalformedCertificate)?;
		let tbs = tbs_bytes(der).map_err(|_| Error::MalformedCertificate)?;
		let tbs_cert = cert.tbs_certificate;

		if cert.signature_algorithm.oid != ECDSA_WITH_SHA384
			|| cert.signature_algorithm.parameters.is_some()
			|| tbs_cert.signature != cert.signature_algorithm
		{
			return Err(Error::UnsupportedAlgorithm);
		}
		let signature = cert.signature.as_bytes().ok_or(Error::MalformedCertificate)?;
		let signature = Signature::from_der(signature).map_err(|_| Error::MalformedCertificate)?;

		let spki = &tbs_cert.subject_public_key_info;
		let curve =
			spki.algorithm.parameters.as_ref().and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
		if spki.algorithm.oid != ID_EC_PUBLIC_KEY || curve != Some(SECP384R1) {
			return Err(Error::UnsupportedAlgorithm);
		}
		let point = spki.subject_public_key.as_bytes().ok_or(Error::MalformedCertificate)?;
		let key = VerifyingKey::from_sec1_bytes(point).map_err(|_| Error::MalformedCertificate)?;

		let mut basic_constraints = None;
		let mut key_usage = None;
		for ext in tbs_cert.extensions.iter().flatten() {
			let value = ext.extn_value.as_bytes();
			if ext.extn_id == BasicConstraints::OID {
				let bc =
					BasicConstraints::from_der(value).map_err(|_| Error::MalformedCertificate)?;
				if basic_constraints.replace((bc.ca, bc.path_len_constraint)).is_some() {
					return Err(Error::MalformedCertificate);
				}
			} else if ext.extn_id == KeyUsage::OID {
				let ku = KeyUsage::from_der(value).map_err(|_| Error::MalformedCertificate)?;
				if key_usage.replace(ku).is_some() {
					return Err(Error::MalformedCertificate);
				}
			} else if ext.critical {
				return Err(Error::UnsupportedCriticalExtension);
			}
		}

		Ok(Cert {
			tbs,
			signature,
			issuer: tbs_cert.issuer,
			subject: tbs_cert.subject,
			not_before_ms: unix_ms(tbs_cert.validity.not_before),
			not_after_ms: unix_ms(tbs_cert.validity.not_after),
			basic_constraints,
			key_usage,
			key,
		})
	}

	/// Whether `issuer_key` signed this certificate (ECDSA P-384 over SHA-384 of the TBS).
	pub fn signed_by(&self, issuer_key: &VerifyingKey) -> bool {
		issuer_key.verify(self.tbs, &self.signature).is_ok()
	}

	/// BasicConstraints says `cA: true`.
	pub fn is_ca(&self) -> bool {
		matches!(self.basic_constraints, Some((true, _)))
	}
}
