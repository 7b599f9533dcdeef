//! The little CBOR this crate needs: bounded decoding into `ciborium::Value` and the encoding of
//! the COSE `Sig_structure`.

use alloc::vec::Vec;
use ciborium::value::Value;

/// Nesting limit for decoding (arrays, maps and tags). A document needs 3 (tag, array) and the
/// payload 2 (map, `pcrs` map / `cabundle` array); anything deeper is not an attestation
/// document. Keeps recursion, and so stack use, bounded on hostile input.
const RECURSION_LIMIT: usize = 8;

/// Decodes exactly one CBOR item from `bytes`; `None` if it is not CBOR, nests deeper than
/// [`RECURSION_LIMIT`] or is followed by trailing bytes. Allocation is bounded by the input:
/// ciborium's `Value` grows its vectors element by element as items are actually read.
pub(crate) fn decode(bytes: &[u8]) -> Option<Value> {
	let mut rest = bytes;
	let value: Value =
		ciborium::de::from_reader_with_recursion_limit(&mut rest, RECURSION_LIMIT).ok()?;
	rest.is_empty().then_some(value)
}

/// Appends a CBOR head (major type and argument) in its shortest form.
pub(crate) fn head(out: &mut Vec<u8>, major: u8, value: u64) {
	let major = major << 5;
	if value < 24 {
		out.push(major | value as u8);
	} else if value <= u8::MAX as u64 {
		out.push(major | 24);
		out.push(value as u8);
	} else if value <= u16::MAX as u64 {
		out.push(major | 25);
		out.extend_from_slice(&(value as u16).to_be_bytes());
	} else if value <= u32::MAX as u64 {
		out.push(major | 26);
		out.extend_from_slice(&(value as u32).to_be_bytes());
	} else {
		out.push(major | 27);
		out.extend_from_slice(&value.to_be_bytes());
	}
}

fn bstr(out: &mut Vec<u8>, bytes: &[u8]) {
	head(out, 2, bytes.len() as u64);
	out.extend_from_slice(bytes);
}

/// `Sig_structure = ["Signature1", protected, external_aad = h'', payload]` (RFC 9052 §4.4),
/// the bytes the COSE_Sign1 signature covers.
pub(crate) fn sig_structure(protected: &[u8], payload: &[u8]) -> Vec<u8> {
	let mut out =
		Vec::with_capacity(protected.len().saturating_add(payload.len()).saturating_add(24));
	head(&mut out, 4, 4);
	head(&mut out, 3, 10);
	out.extend_from_slice(b"Signature1");
	bstr(&mut out, protected);
	bstr(&mut out, &[]);
	bstr(&mut out, payload);
	out
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn heads_are_shortest() {
		let mut out = Vec::new();
		for n in [0u64, 23, 24, 255, 256, 65535, 65536, u32::MAX as u64 + 1] {
			head(&mut out, 2, n);
		}
		assert_eq!(
			out,
			[
				0x40, 0x57, 0x58, 24, 0x58, 255, 0x59, 1, 0, 0x59, 255, 255, 0x5a, 0, 1, 0, 0,
				0x5b, 0, 0, 0, 1, 0, 0, 0, 0
			]
		);
	}

	#[test]
	fn sig_structure_layout() {
		let s = sig_structure(&[0xa1, 0x01, 0x38, 0x22], b"xy");
		let mut expected = vec![0x84, 0x6a];
		expected.extend_from_slice(b"Signature1");
		expected.extend_from_slice(&[0x44, 0xa1, 0x01, 0x38, 0x22, 0x40, 0x42, b'x', b'y']);
		assert_eq!(s, expected);
		// and it is what ciborium decodes back.
		let v = decode(&s).unwrap();
		assert!(matches!(v, Value::Array(ref a) if a.len() == 4));
	}

	#[test]
	fn trailing_bytes_and_depth_are_rejected() {
		assert!(decode(&[0x01]).is_some());
		assert!(decode(&[0x01, 0x01]).is_none());
		assert!(decode(&[]).is_none());
		let deep = [0x81u8; 64];
		assert!(decode(&deep).is_none());
		let mut ok = [0x81u8; 5].to_vec();
		ok.push(0x00);
		assert!(decode(&ok).is_some());
	}
}
