//! Why a document was rejected.

use core::fmt;

/// Why [`verify_document`](crate::verify_document), [`check_policy`](crate::check_policy) or
/// [`root_from_pem`](crate::root_from_pem) rejected its input. One variant per failure, no
/// payload beyond small numbers, so the pallet can map each one to its own error.
///
/// `depth` numbers the certificates of the chain from the root: 0 is `cabundle[0]` (the pinned
/// root), 1 the regional CA, ..., `cabundle.len()` is the leaf (`certificate`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Error {
	/// The document is longer than [`MAX_DOCUMENT_LEN`](crate::MAX_DOCUMENT_LEN); not parsed.
	TooLarge,
	/// Not a COSE_Sign1 structure: not CBOR, trailing bytes, nesting too deep, a tag other
	/// than 18, not an array of `[bstr, map, bstr, bstr]`, or a signature that is not 96 bytes.
	MalformedCose,
	/// The protected header does not say `alg: ES384` (-35), or a certificate is not
	/// ecdsa-with-SHA384 over a P-384 key.
	UnsupportedAlgorithm,
	/// A payload field is missing, of the wrong CBOR type, duplicated or outside its size
	/// limits; the string names the field (`"payload"` when the payload is not a CBOR map).
	MalformedPayload(&'static str),
	/// `digest` is not `"SHA384"`.
	UnsupportedDigest,
	/// `cabundle` holds more than [`MAX_CABUNDLE`](crate::MAX_CABUNDLE) certificates.
	BundleTooLarge,
	/// `cabundle` is empty.
	EmptyBundle,
	/// `cabundle[0]` is not the pinned root certificate.
	WrongRoot,
	/// A certificate is not valid DER X.509, or its key or signature cannot be decoded.
	MalformedCertificate,
	/// A certificate marks an extension critical that this verifier does not understand.
	UnsupportedCriticalExtension,
	/// A certificate's issuer name is not the subject name of the certificate above it.
	NameChainBroken,
	/// The certificate at `depth` is not signed by the certificate above it.
	BadCertificateSignature {
		/// Position in the chain (0 = root, `cabundle.len()` = leaf).
		depth: u8,
	},
	/// "Now" is before the notBefore of the certificate at `depth`.
	NotYetValid {
		/// Position in the chain (0 = root, `cabundle.len()` = leaf).
		depth: u8,
	},
	/// "Now" is after the notAfter of the certificate at `depth`: the document has expired.
	Expired {
		/// Position in the chain (0 = root, `cabundle.len()` = leaf).
		depth: u8,
	},
	/// A `cabundle` certificate is not a CA (no BasicConstraints, or `cA` false).
	NotACa,
	/// A CA certificate has more CA certificates below it than its pathLenConstraint allows.
	PathLengthExceeded,
	/// A CA certificate lacks KeyUsage keyCertSign, or the leaf lacks digitalSignature.
	KeyUsageMissing,
	/// The leaf certificate is a CA (BasicConstraints `cA` true).
	LeafIsCa,
	/// The COSE signature does not verify with the leaf certificate's key.
	BadDocumentSignature,
	/// PCR0, PCR1 and PCR2 are all zero: the enclave runs in debug mode.
	DebugMode,
	/// PCR `index` is missing or differs from the expected value.
	PcrMismatch {
		/// The PCR index.
		index: u8,
	},
	/// The document's nonce is absent or differs from the expected challenge.
	NonceMismatch,
	/// The document is older than the policy's `max_age_ms`.
	Stale,
	/// The document's timestamp is more than [`MAX_CLOCK_SKEW_MS`](crate::MAX_CLOCK_SKEW_MS)
	/// ahead of "now".
	FromTheFuture,
	/// Neither `public_key` nor `user_data` equals the key the policy binds (or that key is
	/// empty).
	KeyNotBound,
	/// Not a PEM `CERTIFICATE` block holding a DER X.509 certificate.
	BadPem,
}

impl fmt::Display for Error {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		match self {
			Error::TooLarge => write!(
				f,
				"attestation document is larger than {} bytes",
				crate::MAX_DOCUMENT_LEN
			),
			Error::MalformedCose => f.write_str("not a well-formed COSE_Sign1 structure"),
			Error::UnsupportedAlgorithm => f.write_str(
				"unsupported algorithm (COSE alg must be ES384, certificates ecdsa-with-SHA384 on P-384)",
			),
			Error::MalformedPayload(field) => {
				write!(f, "malformed attestation payload: field `{field}`")
			},
			Error::UnsupportedDigest => f.write_str("unsupported digest (must be SHA384)"),
			Error::BundleTooLarge => write!(
				f,
				"cabundle holds more than {} certificates",
				crate::MAX_CABUNDLE
			),
			Error::EmptyBundle => f.write_str("cabundle is empty"),
			Error::WrongRoot => f.write_str("cabundle[0] is not the pinned root certificate"),
			Error::MalformedCertificate => f.write_str("malformed X.509 certificate"),
			Error::UnsupportedCriticalExtension => {
				f.write_str("certificate has an unsupported critical extension")
			},
			Error::NameChainBroken => {
				f.write_str("certificate issuer does not match the subject of its issuer")
			},
			Error::BadCertificateSignature { depth } => {
				write!(f, "bad signature on the certificate at depth {depth}")
			},
			Error::NotYetValid { depth } => {
				write!(f, "certificate at depth {depth} is not yet valid (before its notBefore)")
			},
			Error::Expired { depth } => {
				write!(f, "certificate at depth {depth} has expired (after its notAfter)")
			},
			Error::NotACa => f.write_str("a cabundle certificate is not a CA"),
			Error::PathLengthExceeded => f.write_str("certificate path length constraint exceeded"),
			Error::KeyUsageMissing => f.write_str(
				"key usage missing (keyCertSign on CA certificates, digitalSignature on the leaf)",
			),
			Error::LeafIsCa => f.write_str("the leaf certificate is a CA"),
			Error::BadDocumentSignature => {
				f.write_str("the COSE signature does not verify with the leaf key")
			},
			Error::DebugMode => f.write_str("enclave runs in debug mode (PCR0, PCR1, PCR2 all zero)"),
			Error::PcrMismatch { index } => write!(f, "PCR{index} does not match the policy"),
			Error::NonceMismatch => f.write_str("nonce does not match the challenge"),
			Error::Stale => f.write_str("attestation document is too old"),
			Error::FromTheFuture => f.write_str("attestation document timestamp is in the future"),
			Error::KeyNotBound => {
				f.write_str("neither public_key nor user_data is the bound key")
			},
			Error::BadPem => f.write_str("not a PEM-encoded X.509 certificate"),
		}
	}
}

#[cfg(feature = "std")]
impl std::error::Error for Error {}
