//! `verity attestation verify` on the real AWS Nitro document from shared testdata: inside its
//! validity window (JSON with the document's contents), after it (expired), truncated, and
//! against another root. No node needed.

use serde_json::Value;
use std::{process::Command, sync::LazyLock};

const VERITY: &str = env!("CARGO_BIN_EXE_verity");
static REAL_DOC: LazyLock<String> =
	LazyLock::new(|| crate::common::nitro_testdata("real-2025-09-09.cose"));
static REAL_ROOT: LazyLock<String> =
	LazyLock::new(|| crate::common::nitro_testdata("aws-nitro-root-g1.pem"));
/// The document's timestamp; its leaf certificate is valid until 1757451581000.
const TIMESTAMP: &str = "1757440781958";

struct Run {
	ok: bool,
	code: Option<i32>,
	stdout: String,
	stderr: String,
}

fn verity(args: &[&str]) -> Run {
	let output = Command::new(VERITY).args(args).output().expect("verity runs");
	Run {
		ok: output.status.success(),
		code: output.status.code(),
		stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
		stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
	}
}

fn fails(args: &[&str], expected: &str) {
	let run = verity(args);
	assert!(!run.ok, "verity {args:?} should fail: {}", run.stdout);
	assert_eq!(run.code, Some(1));
	assert!(run.stderr.contains(expected), "expected {expected:?} in {:?}", run.stderr);
}

#[test]
fn real_document_verifies_inside_its_window() {
	for extra in [&[][..], &["--root", REAL_ROOT.as_str()][..], &["--json"][..]] {
		let mut args = vec!["attestation", "verify", REAL_DOC.as_str(), "--at", TIMESTAMP];
		args.extend_from_slice(extra);
		let run = verity(&args);
		assert!(run.ok, "verity {args:?} failed: {}", run.stderr);
		let json: Value = serde_json::from_str(run.stdout.trim()).expect("JSON on stdout");
		assert_eq!(json["module_id"], "i-01464dfc66ef2a314-enc0198f62377ead51d");
		assert_eq!(json["timestamp"], 1_757_440_781_958u64);
		let pcrs = json["pcrs"].as_object().unwrap();
		assert_eq!(pcrs.len(), 16);
		assert_eq!(
			pcrs["0"],
			"94b74422daddb8f503fcd69df064c7cde5d053001b9cd153c75ec34484283496a37e89c7287a00f467759a6863362b60"
		);
		assert_eq!(
			pcrs["2"],
			"07c20c057d5c10cb732b273b7fa26a2b67e333344ccda49be939a6b7c5bed5e46f0b0703386dd2d0f6104a13a4894cb2"
		);
		assert_eq!(pcrs["15"], "0".repeat(96));
		assert_eq!(
			json["public_key"],
			"03637e4a2d6b8325ec60e0ccd53ca0f05f67e3356535c45656403aee207d4694d8"
		);
		assert_eq!(json["user_data"], Value::Null);
		assert_eq!(json["nonce"], Value::Null);
		assert_eq!(json["valid_until"], 1_757_451_581_000u64);
	}
}

#[test]
fn real_document_after_its_window_has_expired() {
	fails(&["attestation", "verify", REAL_DOC.as_str(), "--at", "1757451581001"], "expired");
	// And by default ("now", long after September 2025).
	fails(&["attestation", "verify", REAL_DOC.as_str()], "expired");
	fails(&["attestation", "verify", REAL_DOC.as_str(), "--at", "1757440777999"], "not yet valid");
}

#[test]
fn truncated_document_fails() {
	let bytes = std::fs::read(REAL_DOC.as_str()).unwrap();
	let dir = tempfile::tempdir().unwrap();
	let path = dir.path().join("truncated.cose");
	std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
	let path = path.display().to_string();
	fails(&["attestation", "verify", &path, "--at", TIMESTAMP], "COSE_Sign1");
	fails(&["attestation", "verify", "/nonexistent/doc.cose"], "cannot read");
}

#[test]
fn another_root_is_not_the_documents() {
	let dir = tempfile::tempdir().unwrap();
	let not_pem = dir.path().join("root.pem");
	std::fs::write(&not_pem, "not a certificate").unwrap();
	let not_pem = not_pem.display().to_string();
	fails(
		&["attestation", "verify", REAL_DOC.as_str(), "--at", TIMESTAMP, "--root", &not_pem],
		"PEM",
	);
	// A well-formed certificate that is not the document's root: the document's own leaf.
	let bytes = std::fs::read(REAL_DOC.as_str()).unwrap();
	let leaf = find_certificate(&bytes).expect("a DER certificate in the document");
	let pem = pem_of(leaf);
	let other = dir.path().join("other.pem");
	std::fs::write(&other, pem).unwrap();
	let other = other.display().to_string();
	fails(
		&["attestation", "verify", REAL_DOC.as_str(), "--at", TIMESTAMP, "--root", &other],
		"not the pinned root",
	);
}

/// The last DER certificate in the document (the `certificate` field): a SEQUENCE with a
/// two-byte length (`30 82 LL LL`) whose length matches a 639-byte certificate.
fn find_certificate(bytes: &[u8]) -> Option<&[u8]> {
	(0..bytes.len().saturating_sub(4)).find_map(|i| {
		let len = u16::from_be_bytes([bytes[i + 2], bytes[i + 3]]) as usize + 4;
		(bytes[i] == 0x30 && bytes[i + 1] == 0x82 && len == 639 && i + len <= bytes.len())
			.then(|| &bytes[i..i + len])
	})
}

fn pem_of(der: &[u8]) -> String {
	const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	let mut b64 = String::new();
	for chunk in der.chunks(3) {
		let n = chunk.iter().fold(0u32, |acc, b| acc << 8 | *b as u32) << (8 * (3 - chunk.len()));
		for i in 0..4 {
			if i <= chunk.len() {
				b64.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
			} else {
				b64.push('=');
			}
		}
	}
	let lines: Vec<&str> =
		b64.as_bytes().chunks(64).map(|c| std::str::from_utf8(c).unwrap()).collect();
	format!("-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n", lines.join("\n"))
}
