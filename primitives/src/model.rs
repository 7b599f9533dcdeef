//! Model Hub types: models, their immutable versions, schemas, storage locations.
//!
//! Every collection is bounded by a constant here, so the chain's storage is bounded and off-chain
//! code (CLI, worker) decodes the chain's records with these same types.

use crate::digest::ArtifactDigest;
use bounded_collections::{BoundedVec, ConstU32};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use core::{fmt, str::FromStr};
use scale_info::TypeInfo;

/// Identifier of a model, assigned by the chain in publication order.
pub type ModelId = u64;

/// Longest model name, in bytes.
pub const MAX_NAME_LEN: u32 = 64;
/// Longest model description, in bytes.
pub const MAX_DESCRIPTION_LEN: u32 = 1024;
/// Longest licence identifier (an SPDX expression such as `Apache-2.0`), in bytes.
pub const MAX_LICENCE_LEN: u32 = 64;
/// Most tags on a model.
pub const MAX_TAGS: u32 = 8;
/// Longest tag, in bytes.
pub const MAX_TAG_LEN: u32 = 32;
/// Most tensors on one side (inputs or outputs) of a schema.
pub const MAX_TENSORS: u32 = 16;
/// Longest tensor name, in bytes.
pub const MAX_TENSOR_NAME_LEN: u32 = 64;
/// Highest tensor rank.
pub const MAX_TENSOR_RANK: u32 = 8;
/// Most storage locations of one artifact.
pub const MAX_LOCATIONS: u32 = 4;
/// Longest URL of a storage location, in bytes.
pub const MAX_URL_LEN: u32 = 256;
/// Longest Walrus blob id or IPFS CID, in bytes.
pub const MAX_CONTENT_ID_LEN: u32 = 128;
/// Longest take-down reason, in bytes.
pub const MAX_REASON_LEN: u32 = 256;

/// A model's name: UTF-8, unique among the models of one owner.
pub type ModelName = BoundedVec<u8, ConstU32<MAX_NAME_LEN>>;
/// A model's free-text description (UTF-8).
pub type Description = BoundedVec<u8, ConstU32<MAX_DESCRIPTION_LEN>>;
/// A licence identifier (UTF-8, normally SPDX).
pub type Licence = BoundedVec<u8, ConstU32<MAX_LICENCE_LEN>>;
/// One search tag (UTF-8).
pub type Tag = BoundedVec<u8, ConstU32<MAX_TAG_LEN>>;
/// The tags of a model.
pub type Tags = BoundedVec<Tag, ConstU32<MAX_TAGS>>;
/// Why governance took a version down (UTF-8).
pub type TakeDownReason = BoundedVec<u8, ConstU32<MAX_REASON_LEN>>;
/// The storage locations of an artifact, tried in order.
pub type Locations = BoundedVec<StorageLocation, ConstU32<MAX_LOCATIONS>>;

/// What a model does.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub enum Task {
	/// Picks a class for an input.
	Classification,
	/// Predicts a number (or numbers) for an input.
	Regression,
	/// Generates text (an LLM).
	TextGeneration,
	/// Maps an input to a vector.
	Embedding,
	/// Anything else.
	Other,
}

/// A version of a model: `major.minor`. Versions of a model are published in increasing order
/// and never change once published.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	PartialOrd,
	Ord,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub struct VersionNumber {
	/// Major version.
	pub major: u16,
	/// Minor version.
	pub minor: u16,
}

impl VersionNumber {
	/// `major.minor`.
	pub const fn new(major: u16, minor: u16) -> Self {
		Self { major, minor }
	}
}

/// The file format of an artifact.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub enum ArtifactFormat {
	/// ONNX protobuf (`.onnx`).
	Onnx,
	/// GGUF (llama.cpp's format for quantized LLMs).
	Gguf,
	/// safetensors (Hugging Face tensors).
	Safetensors,
	/// Verity's integer-quantized model format (int8 weights and activations, i32 accumulation),
	/// run bit-exactly on CPU and GPU and provable in ZK.
	VerityInt8,
}

/// Element type of a tensor.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub enum TensorDtype {
	/// 32-bit float.
	F32,
	/// 16-bit float.
	F16,
	/// bfloat16.
	Bf16,
	/// Signed 64-bit integer.
	I64,
	/// Signed 32-bit integer.
	I32,
	/// Signed 8-bit integer.
	I8,
	/// Unsigned 8-bit integer.
	U8,
	/// Boolean.
	Bool,
}

/// A named tensor of a model's interface, with a fixed shape.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct TensorSpec {
	/// Name, as the model's graph calls it (UTF-8).
	pub name: BoundedVec<u8, ConstU32<MAX_TENSOR_NAME_LEN>>,
	/// Element type.
	pub dtype: TensorDtype,
	/// Dimensions, outermost first; every one at least 1. An empty shape is a scalar.
	pub shape: BoundedVec<u32, ConstU32<MAX_TENSOR_RANK>>,
}

impl TensorDtype {
	/// Bytes of one element in the canonical tensor encoding (little-endian; a bool is one byte).
	pub const fn size_bytes(self) -> u64 {
		match self {
			TensorDtype::F32 | TensorDtype::I32 => 4,
			TensorDtype::F16 | TensorDtype::Bf16 => 2,
			TensorDtype::I64 => 8,
			TensorDtype::I8 | TensorDtype::U8 | TensorDtype::Bool => 1,
		}
	}
}

impl TensorSpec {
	/// Number of elements (the product of the dimensions), or `None` on overflow.
	pub fn elements(&self) -> Option<u64> {
		self.shape.iter().try_fold(1u64, |acc, dim| acc.checked_mul(u64::from(*dim)))
	}

	/// Bytes of this tensor in the canonical encoding, or `None` on overflow.
	pub fn encoded_len(&self) -> Option<u64> {
		self.elements()?.checked_mul(self.dtype.size_bytes())
	}
}

/// Bytes of a list of tensors in the canonical encoding: the tensors concatenated in order, each
/// row-major with little-endian elements. `None` on overflow.
pub fn tensors_encoded_len(specs: &[TensorSpec]) -> Option<u64> {
	specs.iter().try_fold(0u64, |acc, spec| acc.checked_add(spec.encoded_len()?))
}

/// The tensors of one side of a schema.
pub type TensorSpecs = BoundedVec<TensorSpec, ConstU32<MAX_TENSORS>>;

/// What a model takes and returns.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub enum IoSchema {
	/// Named tensors in, named tensors out (classic ML, embeddings over token ids, ...).
	Tensors {
		/// Input tensors.
		inputs: TensorSpecs,
		/// Output tensors.
		outputs: TensorSpecs,
	},
	/// Chat messages in, a message out (an LLM).
	Chat {
		/// Most tokens of prompt plus completion.
		max_context_tokens: u32,
	},
}

/// Why a schema is not acceptable.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum SchemaError {
	/// A tensor schema without inputs or without outputs.
	NoTensors,
	/// A tensor with an empty name.
	EmptyTensorName,
	/// Two tensors on the same side share a name.
	DuplicateTensorName,
	/// A dimension is zero.
	ZeroDimension,
	/// A tensor has more elements than the chain allows.
	TensorTooLarge,
	/// A chat schema with a zero or too large context.
	BadContextLength,
}

impl IoSchema {
	/// Checks that every tensor is named (uniquely on its side), has no zero dimension and at
	/// most `max_elements` elements; a chat schema needs `1..=max_context_tokens` tokens.
	pub fn validate(&self, max_elements: u64, max_context_tokens: u32) -> Result<(), SchemaError> {
		match self {
			IoSchema::Tensors { inputs, outputs } => {
				for side in [inputs, outputs] {
					if side.is_empty() {
						return Err(SchemaError::NoTensors);
					}
					for (index, tensor) in side.iter().enumerate() {
						if tensor.name.is_empty() {
							return Err(SchemaError::EmptyTensorName);
						}
						if side[..index].iter().any(|other| other.name == tensor.name) {
							return Err(SchemaError::DuplicateTensorName);
						}
						if tensor.shape.contains(&0) {
							return Err(SchemaError::ZeroDimension);
						}
						if tensor.elements().is_none_or(|count| count > max_elements) {
							return Err(SchemaError::TensorTooLarge);
						}
					}
				}
				Ok(())
			},
			IoSchema::Chat { max_context_tokens: tokens } => {
				if *tokens == 0 || *tokens > max_context_tokens {
					Err(SchemaError::BadContextLength)
				} else {
					Ok(())
				}
			},
		}
	}
}

/// A way of checking an inference result.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub enum VerificationMode {
	/// A registered worker's signature only.
	Vanilla,
	/// A worker in an attested enclave (AWS Nitro).
	Tee,
	/// A zero-knowledge proof of the inference.
	Zkml,
}

impl VerificationMode {
	/// Every mode, in bit order.
	pub const ALL: [VerificationMode; 3] =
		[VerificationMode::Vanilla, VerificationMode::Tee, VerificationMode::Zkml];

	const fn bit(self) -> u8 {
		match self {
			VerificationMode::Vanilla => 1,
			VerificationMode::Tee => 2,
			VerificationMode::Zkml => 4,
		}
	}
}

/// A set of verification modes, as bits (Vanilla = 1, TEE = 2, ZKML = 4).
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Default,
	TypeInfo,
	MaxEncodedLen,
)]
pub struct VerificationModes(pub u8);

impl VerificationModes {
	/// The bits that name a mode.
	pub const KNOWN_BITS: u8 = 0b111;

	/// The set of `modes`.
	pub fn of(modes: &[VerificationMode]) -> Self {
		Self(modes.iter().fold(0, |bits, mode| bits | mode.bit()))
	}

	/// Whether `mode` is in the set.
	pub fn contains(self, mode: VerificationMode) -> bool {
		self.0 & mode.bit() != 0
	}

	/// Whether the set is empty.
	pub fn is_empty(self) -> bool {
		self.0 == 0
	}

	/// Whether every bit names a mode.
	pub fn is_known(self) -> bool {
		self.0 & !Self::KNOWN_BITS == 0
	}

	/// The modes in the set.
	pub fn iter(self) -> impl Iterator<Item = VerificationMode> {
		VerificationMode::ALL.into_iter().filter(move |mode| self.contains(*mode))
	}
}

/// Where an artifact's bytes can be fetched. Whatever the location, the bytes are checked
/// against the version's [`ArtifactDigest`] before use.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub enum StorageLocation {
	/// A Verity node's artifact store at this base URL (`http://` or `https://`); the artifact
	/// is at `<url>/artifacts/<blake2-256 hex>`.
	ArtifactStore(BoundedVec<u8, ConstU32<MAX_URL_LEN>>),
	/// A Walrus blob id (read from an aggregator at `/v1/blobs/<id>`).
	Walrus(BoundedVec<u8, ConstU32<MAX_CONTENT_ID_LEN>>),
	/// An IPFS CID (read from a gateway at `/ipfs/<cid>`).
	Ipfs(BoundedVec<u8, ConstU32<MAX_CONTENT_ID_LEN>>),
	/// A plain `https://` URL.
	Https(BoundedVec<u8, ConstU32<MAX_URL_LEN>>),
}

impl StorageLocation {
	/// Whether the location is well formed: URLs with the right scheme and a host, content ids
	/// of URL-safe characters only.
	pub fn is_well_formed(&self) -> bool {
		fn url_with(url: &[u8], schemes: &[&[u8]]) -> bool {
			schemes.iter().any(|scheme| {
				url.strip_prefix(*scheme).is_some_and(|rest| {
					!rest.is_empty() && rest[0] != b'/' && rest.iter().all(|c| c.is_ascii_graphic())
				})
			})
		}
		fn content_id(id: &[u8]) -> bool {
			!id.is_empty() && id.iter().all(|c| c.is_ascii_alphanumeric() || b"-_".contains(c))
		}
		match self {
			StorageLocation::ArtifactStore(url) => url_with(url, &[b"http://", b"https://"]),
			StorageLocation::Https(url) => url_with(url, &[b"https://"]),
			StorageLocation::Walrus(id) | StorageLocation::Ipfs(id) => content_id(id),
		}
	}
}

/// Everything that describes a new version, as its publisher submits it.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct VersionSpec<Balance> {
	/// Digests and size of the artifact.
	pub artifact: ArtifactDigest,
	/// The artifact's file format.
	pub format: ArtifactFormat,
	/// What the model takes and returns.
	pub schema: IoSchema,
	/// The verification modes this version may be served with.
	pub modes: VerificationModes,
	/// Paid to the model owner for every inference.
	pub price_per_inference: Balance,
	/// Paid to the model owner per generated token (LLMs; zero otherwise).
	pub price_per_token: Balance,
	/// Digest of the ZK verifying key; required when ZKML is among the modes.
	pub zk_verifying_key: Option<ArtifactDigest>,
	/// Where the artifact can be fetched.
	pub locations: Locations,
}

/// Domain separation tag of [`VersionSpec::spec_hash`].
pub const VERSION_SPEC_DOMAIN: &[u8] = b"verity/version-spec";

impl<Balance: Encode> VersionSpec<Balance> {
	/// BLAKE2b-256 of [`VERSION_SPEC_DOMAIN`] then the spec's SCALE encoding: what receipts bind,
	/// so that a receipt names the schema its input and output were read with, the artifact's
	/// format, the modes and the prices, not only the model bytes.
	pub fn spec_hash(&self) -> crate::Digest32 {
		let mut bytes = alloc::vec::Vec::from(VERSION_SPEC_DOMAIN);
		self.encode_to(&mut bytes);
		crate::blake2_256(&bytes)
	}
}

/// Largest Groth16 verifying key the Model Hub keeps on chain, in bytes (uncompressed
/// BLS12-381 points: about 160 public inputs).
pub const MAX_ZK_VERIFYING_KEY_LEN: u32 = 16 * 1024;

/// A version's ZKML keys, as the Model Hub keeps them: the verifying key itself (the chain checks
/// proofs with it; its digest is the version's `zk_verifying_key`) and the digests of the proving
/// key, which workers fetch from the version's locations.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct ZkKeys {
	/// The Groth16 verifying key (ark-serialize, uncompressed), checked when uploaded.
	pub verifying_key: BoundedVec<u8, ConstU32<MAX_ZK_VERIFYING_KEY_LEN>>,
	/// Digests and size of the proving key.
	pub proving_key: ArtifactDigest,
}

/// Life-cycle state of a version.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub enum VersionStatus {
	/// Served to new requests.
	Active,
	/// Deprecated by its owner: kept for audits, not served to new requests.
	Deprecated,
	/// Taken down by governance: kept for audits, not served to new requests.
	TakenDown {
		/// Why governance took it down.
		reason: TakeDownReason,
	},
}

/// A published version, as the chain keeps it.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct ModelVersion<Balance, BlockNumber> {
	/// What the publisher submitted; never changes.
	pub spec: VersionSpec<Balance>,
	/// Block in which it was published.
	pub published_at: BlockNumber,
	/// Whether it is served.
	pub status: VersionStatus,
	/// Deposit held from the model's owner for this record.
	pub deposit: Balance,
}

/// A model, as the chain keeps it.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct ModelInfo<AccountId, Balance> {
	/// Who publishes its versions and holds its deposits.
	pub owner: AccountId,
	/// Name, unique among the owner's models.
	pub name: ModelName,
	/// Free-text description.
	pub description: Description,
	/// What the model does.
	pub task: Task,
	/// Licence of the weights.
	pub licence: Licence,
	/// Search tags.
	pub tags: Tags,
	/// The highest version ever published; a new version must be higher.
	pub latest_version: Option<VersionNumber>,
	/// Number of version records kept.
	pub version_count: u32,
	/// Deposit held from the owner for this record.
	pub deposit: Balance,
	/// Sum of the deposits held for the model's version records.
	pub versions_deposit: Balance,
}

/// A model version named by model id and version: `<id>@<major>.<minor>`.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	PartialOrd,
	Ord,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub struct ModelVersionRef {
	/// The model.
	pub model: ModelId,
	/// Its version.
	pub version: VersionNumber,
}

impl fmt::Display for VersionNumber {
	fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
		write!(f, "{}.{}", self.major, self.minor)
	}
}

impl FromStr for VersionNumber {
	type Err = &'static str;
	fn from_str(text: &str) -> Result<Self, Self::Err> {
		const MESSAGE: &str = "a version is <major>.<minor>, e.g. 1.0";
		let (major, minor) = text.split_once('.').ok_or(MESSAGE)?;
		Ok(Self {
			major: major.parse().map_err(|_| MESSAGE)?,
			minor: minor.parse().map_err(|_| MESSAGE)?,
		})
	}
}

impl fmt::Display for ModelVersionRef {
	fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
		write!(f, "{}@{}", self.model, self.version)
	}
}

impl FromStr for ModelVersionRef {
	type Err = &'static str;
	fn from_str(text: &str) -> Result<Self, Self::Err> {
		const MESSAGE: &str = "a model version is <model-id>@<major>.<minor>, e.g. 3@1.0";
		let (model, version) = text.split_once('@').ok_or(MESSAGE)?;
		Ok(Self {
			model: model.parse().map_err(|_| MESSAGE)?,
			version: version.parse().map_err(|_| MESSAGE)?,
		})
	}
}

/// Names accepted on command lines and in JSON, and printed back.
macro_rules! names {
	($ty:ident { $($variant:ident => $name:literal),* $(,)? }) => {
		impl $ty {
			/// Every accepted name.
			pub const NAMES: &'static [&'static str] = &[$($name),*];

			/// The name of this value.
			pub fn name(self) -> &'static str {
				match self { $($ty::$variant => $name),* }
			}
		}

		impl FromStr for $ty {
			type Err = &'static str;
			fn from_str(text: &str) -> Result<Self, Self::Err> {
				match text {
					$($name => Ok($ty::$variant),)*
					_ => Err(concat!("unknown ", stringify!($ty), "; expected one of: ", $($name, " "),*)),
				}
			}
		}
	};
}
pub(crate) use names;

names!(Task {
	Classification => "classification",
	Regression => "regression",
	TextGeneration => "text-generation",
	Embedding => "embedding",
	Other => "other",
});
names!(ArtifactFormat {
	Onnx => "onnx",
	Gguf => "gguf",
	Safetensors => "safetensors",
	VerityInt8 => "verity-int8",
});
names!(TensorDtype {
	F32 => "f32",
	F16 => "f16",
	Bf16 => "bf16",
	I64 => "i64",
	I32 => "i32",
	I8 => "i8",
	U8 => "u8",
	Bool => "bool",
});
names!(VerificationMode { Vanilla => "vanilla", Tee => "tee", Zkml => "zkml" });

#[cfg(test)]
mod tests {
	use super::*;

	fn tensor(name: &str, shape: &[u32]) -> TensorSpec {
		TensorSpec {
			name: name.as_bytes().to_vec().try_into().unwrap(),
			dtype: TensorDtype::F32,
			shape: shape.to_vec().try_into().unwrap(),
		}
	}

	fn tensors(inputs: &[TensorSpec], outputs: &[TensorSpec]) -> IoSchema {
		IoSchema::Tensors {
			inputs: inputs.to_vec().try_into().unwrap(),
			outputs: outputs.to_vec().try_into().unwrap(),
		}
	}

	#[test]
	fn schema_validation_names_each_fault() {
		let ok = tensors(&[tensor("x", &[1, 784])], &[tensor("y", &[1, 10])]);
		assert_eq!(ok.validate(1 << 20, 4096), Ok(()));
		let scalar = tensors(&[tensor("x", &[])], &[tensor("y", &[1])]);
		assert_eq!(scalar.validate(1, 4096), Ok(()));
		let cases = [
			(tensors(&[], &[tensor("y", &[1])]), SchemaError::NoTensors),
			(tensors(&[tensor("x", &[1])], &[]), SchemaError::NoTensors),
			(tensors(&[tensor("", &[1])], &[tensor("y", &[1])]), SchemaError::EmptyTensorName),
			(
				tensors(&[tensor("x", &[1]), tensor("x", &[2])], &[tensor("y", &[1])]),
				SchemaError::DuplicateTensorName,
			),
			(tensors(&[tensor("x", &[1, 0])], &[tensor("y", &[1])]), SchemaError::ZeroDimension),
			(
				tensors(&[tensor("x", &[1 << 11, 1 << 10])], &[tensor("y", &[1])]),
				SchemaError::TensorTooLarge,
			),
			(
				tensors(&[tensor("x", &[u32::MAX; 8])], &[tensor("y", &[1])]),
				SchemaError::TensorTooLarge,
			),
			(IoSchema::Chat { max_context_tokens: 0 }, SchemaError::BadContextLength),
			(IoSchema::Chat { max_context_tokens: 4097 }, SchemaError::BadContextLength),
		];
		for (schema, error) in cases {
			assert_eq!(schema.validate(1 << 20, 4096), Err(error), "{schema:?}");
		}
	}

	#[test]
	fn modes_are_bits() {
		let modes = VerificationModes::of(&[VerificationMode::Vanilla, VerificationMode::Zkml]);
		assert_eq!(modes.0, 0b101);
		assert!(modes.contains(VerificationMode::Zkml) && !modes.contains(VerificationMode::Tee));
		assert_eq!(
			modes.iter().collect::<Vec<_>>(),
			[VerificationMode::Vanilla, VerificationMode::Zkml]
		);
		assert!(modes.is_known() && !VerificationModes(0b1000).is_known());
		assert!(VerificationModes::default().is_empty());
	}

	#[test]
	fn locations_are_checked_for_form() {
		let store =
			|url: &str| StorageLocation::ArtifactStore(url.as_bytes().to_vec().try_into().unwrap());
		let https = |url: &str| StorageLocation::Https(url.as_bytes().to_vec().try_into().unwrap());
		let walrus = |id: &str| StorageLocation::Walrus(id.as_bytes().to_vec().try_into().unwrap());
		assert!(store("http://127.0.0.1:9955").is_well_formed());
		assert!(https("https://models.example.org/m.onnx").is_well_formed());
		assert!(walrus("M4hsZGQ1oCktdzegB6HnI6Mi28S2nqOPHxK-W7_4BUk").is_well_formed());
		assert!(!https("http://models.example.org/m.onnx").is_well_formed());
		assert!(!store("ftp://host").is_well_formed());
		assert!(!store("http://").is_well_formed());
		assert!(!https("https://has space").is_well_formed());
		assert!(!walrus("").is_well_formed());
		assert!(!walrus("a/b").is_well_formed());
	}

	#[test]
	fn names_and_refs_round_trip() {
		for name in ArtifactFormat::NAMES {
			assert_eq!(name.parse::<ArtifactFormat>().unwrap().name(), *name);
		}
		assert!("pickle".parse::<ArtifactFormat>().unwrap_err().contains("onnx"));
		let reference: ModelVersionRef = "3@1.2".parse().unwrap();
		assert_eq!(reference, ModelVersionRef { model: 3, version: VersionNumber::new(1, 2) });
		assert_eq!(reference.to_string(), "3@1.2");
		assert!("3@1".parse::<ModelVersionRef>().is_err());
		assert!("x@1.0".parse::<ModelVersionRef>().is_err());
		assert!(VersionNumber::new(1, 10) > VersionNumber::new(1, 9));
		assert!(VersionNumber::new(2, 0) > VersionNumber::new(1, 99));
	}
}
