//! Test data shared by the integration tests: the real AWS document and a builder of synthetic
//! documents from a P-384 test CA (rcgen), encoded and signed the way AWS does it.

#![allow(dead_code)]

use p384::{
	ecdsa::{signature::Signer, Signature, SigningKey},
	pkcs8::DecodePrivateKey,
};
use rcgen::{
	BasicConstraints, CertificateParams, CustomExtension, DistinguishedName, DnType, IsCa, Issuer,
	KeyPair, KeyUsagePurpose, SignatureAlgorithm, PKCS_ECDSA_P384_SHA384,
};
use std::time::Duration;

/// The real document: COSE_Sign1, untagged, 4494 bytes.
pub const REAL_DOC: &[u8] = include_bytes!(concat!(
	env!("CARGO_MANIFEST_DIR"),
	"/../../shared/testdata/nitro/real-2025-09-09.cose"
));
/// The AWS Nitro root G1 as published (PEM).
pub const REAL_ROOT_PEM: &str = include_str!(concat!(
	env!("CARGO_MANIFEST_DIR"),
	"/../../shared/testdata/nitro/aws-nitro-root-g1.pem"
));
/// The real document's timestamp (2025-09-09T17:59:41.958Z).
pub const REAL_TIMESTAMP: u64 = 1_757_440_781_958;
/// The real leaf's notBefore, 2025-09-09T17:59:38Z.
pub const REAL_LEAF_NOT_BEFORE: u64 = 1_757_440_778_000;
/// The real leaf's notAfter, 2025-09-09T20:59:41Z.
pub const REAL_LEAF_NOT_AFTER: u64 = 1_757_451_581_000;

pub fn real_root() -> Vec<u8> {
	verity_nitro_attestation::root_from_pem(REAL_ROOT_PEM).expect("the real root parses")
}

// ---------------------------------------------------------------------------------------------
// A minimal CBOR encoder for building payloads.

/// A CBOR item to encode.
#[derive(Debug, Clone, PartialEq)]
pub enum C {
	Uint(u64),
	Neg(i64),
	Bytes(Vec<u8>),
	Text(String),
	Array(Vec<C>),
	Map(Vec<(C, C)>),
	/// A map with indefinite length (`0xbf ... 0xff`), as real documents use.
	IndefMap(Vec<(C, C)>),
	Tag(u64, Box<C>),
	Null,
}

pub fn t(s: &str) -> C {
	C::Text(s.to_string())
}

fn head(out: &mut Vec<u8>, major: u8, value: u64) {
	let major = major << 5;
	match value {
		0..=23 => out.push(major | value as u8),
		24..=0xff => out.extend_from_slice(&[major | 24, value as u8]),
		0x100..=0xffff => {
			out.push(major | 25);
			out.extend_from_slice(&(value as u16).to_be_bytes())
		},
		0x1_0000..=0xffff_ffff => {
			out.push(major | 26);
			out.extend_from_slice(&(value as u32).to_be_bytes())
		},
		_ => {
			out.push(major | 27);
			out.extend_from_slice(&value.to_be_bytes())
		},
	}
}

impl C {
	pub fn encode(&self) -> Vec<u8> {
		let mut out = Vec::new();
		self.encode_into(&mut out);
		out
	}

	fn encode_into(&self, out: &mut Vec<u8>) {
		match self {
			C::Uint(v) => head(out, 0, *v),
			C::Neg(v) => head(out, 1, (-1 - *v) as u64),
			C::Bytes(b) => {
				head(out, 2, b.len() as u64);
				out.extend_from_slice(b)
			},
			C::Text(s) => {
				head(out, 3, s.len() as u64);
				out.extend_from_slice(s.as_bytes())
			},
			C::Array(items) => {
				head(out, 4, items.len() as u64);
				items.iter().for_each(|i| i.encode_into(out))
			},
			C::Map(entries) => {
				head(out, 5, entries.len() as u64);
				for (k, v) in entries {
					k.encode_into(out);
					v.encode_into(out);
				}
			},
			C::IndefMap(entries) => {
				out.push(0xbf);
				for (k, v) in entries {
					k.encode_into(out);
					v.encode_into(out);
				}
				out.push(0xff);
			},
			C::Tag(tag, inner) => {
				head(out, 6, *tag);
				inner.encode_into(out)
			},
			C::Null => out.push(0xf6),
		}
	}
}

// ---------------------------------------------------------------------------------------------
// Synthetic chains and documents.

/// When the synthetic documents are made: 2023-11-14T22:13:20Z.
pub const NOW: u64 = 1_700_000_000_000;
pub const HOUR: u64 = 3_600_000;
pub const DAY: u64 = 24 * HOUR;

/// One certificate of a synthetic chain.
#[derive(Clone)]
pub struct CertSpec {
	pub cn: String,
	pub is_ca: IsCa,
	pub key_usages: Vec<KeyUsagePurpose>,
	pub not_before_ms: u64,
	pub not_after_ms: u64,
	/// The subject key's algorithm (P-384 unless a test says otherwise).
	pub alg: &'static SignatureAlgorithm,
	/// Add an unknown extension marked critical.
	pub unknown_critical_extension: bool,
	/// Put this issuer name in the certificate instead of the issuer's subject name (the
	/// signature is still made by the issuer's key).
	pub issuer_name_override: Option<String>,
}

impl CertSpec {
	pub fn ca(cn: &str, path_len: Option<u8>, not_before_ms: u64, not_after_ms: u64) -> Self {
		CertSpec {
			cn: cn.to_string(),
			is_ca: IsCa::Ca(match path_len {
				Some(n) => BasicConstraints::Constrained(n),
				None => BasicConstraints::Unconstrained,
			}),
			key_usages: vec![
				KeyUsagePurpose::DigitalSignature,
				KeyUsagePurpose::KeyCertSign,
				KeyUsagePurpose::CrlSign,
			],
			not_before_ms,
			not_after_ms,
			alg: &PKCS_ECDSA_P384_SHA384,
			unknown_critical_extension: false,
			issuer_name_override: None,
		}
	}

	pub fn leaf(cn: &str, not_before_ms: u64, not_after_ms: u64) -> Self {
		CertSpec {
			is_ca: IsCa::ExplicitNoCa,
			key_usages: vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::ContentCommitment],
			..Self::ca(cn, None, not_before_ms, not_after_ms)
		}
	}
}

/// An edit of the payload map's entries.
pub type PayloadEdit = Box<dyn Fn(&mut Vec<(C, C)>)>;

/// Builds a synthetic attestation document; every field can be changed before [`Synth::build`].
pub struct Synth {
	/// Root first, leaf last.
	pub chain: Vec<CertSpec>,
	/// Flip the last byte (inside `s`) of this certificate's signature (chain index).
	pub corrupt_cert_signature: Option<usize>,
	/// Flip a byte of the COSE signature.
	pub corrupt_document_signature: bool,
	/// Append this many extra copies of the last CA certificate to `cabundle`.
	pub extra_bundle_certs: usize,
	/// Replace `cabundle` by an empty array.
	pub empty_bundle: bool,
	pub module_id: String,
	pub digest: String,
	pub timestamp_ms: u64,
	pub pcrs: Vec<(u64, Vec<u8>)>,
	pub public_key: Option<Vec<u8>>,
	pub user_data: Option<Vec<u8>>,
	pub nonce: Option<Vec<u8>>,
	/// The serialized protected header (default `{1: -35}`).
	pub protected: Vec<u8>,
	/// Wrap in tag 18.
	pub tagged: bool,
	/// Last-minute edits of the payload map's entries.
	pub edit_payload: Option<PayloadEdit>,
}

/// The result: the document and the root to pin, plus the pieces.
pub struct Built {
	pub doc: Vec<u8>,
	pub root_der: Vec<u8>,
	pub cabundle: Vec<Vec<u8>>,
	pub leaf_der: Vec<u8>,
}

/// A PCR value: 48 bytes of `fill`.
pub fn pcr(fill: u8) -> Vec<u8> {
	vec![fill; 48]
}

pub const PUBLIC_KEY: [u8; 33] = [0x02; 33];

impl Synth {
	/// root -> regional (pathLen 2) -> zonal (pathLen 1) -> instance (pathLen 0) -> leaf, like
	/// AWS's, all valid around [`NOW`]; 16 PCRs (PCR0..2 non-zero), a public key, no nonce.
	pub fn new() -> Self {
		let chain = vec![
			CertSpec::ca("test.nitro-enclaves", None, NOW - 365 * DAY, NOW + 3650 * DAY),
			CertSpec::ca("regional.test.nitro-enclaves", Some(2), NOW - DAY, NOW + 20 * DAY),
			CertSpec::ca("zonal.test.nitro-enclaves", Some(1), NOW - DAY, NOW + 6 * DAY),
			CertSpec {
				key_usages: vec![KeyUsagePurpose::KeyCertSign],
				..CertSpec::ca("i-0123.test.nitro-enclaves", Some(0), NOW - HOUR, NOW + DAY)
			},
			CertSpec::leaf("i-0123-enc0456.test", NOW - 60_000, NOW + 3 * HOUR),
		];
		Synth {
			chain,
			corrupt_cert_signature: None,
			corrupt_document_signature: false,
			extra_bundle_certs: 0,
			empty_bundle: false,
			module_id: "i-0123-enc0456".to_string(),
			digest: "SHA384".to_string(),
			timestamp_ms: NOW,
			pcrs: (0..16u64).map(|i| (i, if i < 5 { pcr(i as u8 + 1) } else { pcr(0) })).collect(),
			public_key: Some(PUBLIC_KEY.to_vec()),
			user_data: None,
			nonce: None,
			protected: C::Map(vec![(C::Uint(1), C::Neg(-35))]).encode(),
			tagged: false,
			edit_payload: None,
		}
	}

	pub fn build(&self) -> Built {
		let mut ders: Vec<Vec<u8>> = Vec::new();
		let mut keys: Vec<KeyPair> = Vec::new();
		let mut params_chain: Vec<CertificateParams> = Vec::new();
		let at = |ms: u64| rcgen::date_time_ymd(1970, 1, 1) + Duration::from_millis(ms);
		for (i, spec) in self.chain.iter().enumerate() {
			let key = KeyPair::generate_for(spec.alg).expect("key generation");
			let mut params = CertificateParams::default();
			let mut dn = DistinguishedName::new();
			dn.push(DnType::CountryName, "US");
			dn.push(DnType::OrganizationName, "Verity test");
			dn.push(DnType::CommonName, spec.cn.as_str());
			params.distinguished_name = dn;
			params.is_ca = spec.is_ca;
			params.key_usages = spec.key_usages.clone();
			params.not_before = at(spec.not_before_ms);
			params.not_after = at(spec.not_after_ms);
			params.serial_number = Some((i as u64 + 1).into());
			if spec.unknown_critical_extension {
				let mut ext = CustomExtension::from_oid_content(
					&[1, 3, 6, 1, 4, 1, 99999, 1],
					vec![0x05, 0x00],
				);
				ext.set_criticality(true);
				params.custom_extensions.push(ext);
			}
			let cert = if i == 0 {
				params.self_signed(&key).expect("self-signed root")
			} else {
				let issuer_key = &keys[i - 1];
				let mut issuer_params = params_chain[i - 1].clone();
				if let Some(name) = &spec.issuer_name_override {
					let mut dn = DistinguishedName::new();
					dn.push(DnType::CommonName, name.as_str());
					issuer_params.distinguished_name = dn;
				}
				let issuer = Issuer::new(issuer_params, issuer_key);
				params.signed_by(&key, &issuer).expect("signed certificate")
			};
			let mut der = cert.der().to_vec();
			if self.corrupt_cert_signature == Some(i) {
				*der.last_mut().unwrap() ^= 0x01;
			}
			ders.push(der);
			keys.push(key);
			params_chain.push(params);
		}
		let leaf_der = ders.pop().expect("a leaf");
		let leaf_key = keys.pop().expect("a leaf key");
		let mut cabundle = ders;
		for _ in 0..self.extra_bundle_certs {
			let last = cabundle.last().expect("a CA").clone();
			cabundle.push(last);
		}
		let root_der = cabundle.first().expect("a root").clone();

		let opt = |v: &Option<Vec<u8>>| v.clone().map(C::Bytes).unwrap_or(C::Null);
		let mut entries = vec![
			(t("module_id"), t(&self.module_id)),
			(t("digest"), t(&self.digest)),
			(t("timestamp"), C::Uint(self.timestamp_ms)),
			(
				t("pcrs"),
				C::Map(self.pcrs.iter().map(|(i, v)| (C::Uint(*i), C::Bytes(v.clone()))).collect()),
			),
			(t("certificate"), C::Bytes(leaf_der.clone())),
			(
				t("cabundle"),
				C::Array(if self.empty_bundle {
					vec![]
				} else {
					cabundle.iter().cloned().map(C::Bytes).collect()
				}),
			),
			(t("public_key"), opt(&self.public_key)),
			(t("user_data"), opt(&self.user_data)),
			(t("nonce"), opt(&self.nonce)),
		];
		if let Some(edit) = &self.edit_payload {
			edit(&mut entries);
		}
		let payload = C::IndefMap(entries).encode();

		let to_be_signed = C::Array(vec![
			t("Signature1"),
			C::Bytes(self.protected.clone()),
			C::Bytes(vec![]),
			C::Bytes(payload.clone()),
		])
		.encode();
		let mut signature = if self.chain.last().unwrap().alg == &PKCS_ECDSA_P384_SHA384 {
			let signing_key =
				SigningKey::from_pkcs8_der(&leaf_key.serialize_der()).expect("a P-384 key");
			let signature: Signature = signing_key.sign(&to_be_signed);
			signature.to_bytes().to_vec()
		} else {
			vec![0x11; 96]
		};
		if self.corrupt_document_signature {
			signature[95] ^= 0x01;
		}
		let cose = C::Array(vec![
			C::Bytes(self.protected.clone()),
			C::Map(vec![]),
			C::Bytes(payload),
			C::Bytes(signature),
		]);
		let cose = if self.tagged { C::Tag(18, Box::new(cose)) } else { cose };
		Built { doc: cose.encode(), root_der, cabundle, leaf_der }
	}
}

impl Default for Synth {
	fn default() -> Self {
		Self::new()
	}
}
