//! The exact tokenizer of a GGUF model: byte-level BPE from the file's own vocabulary and
//! merges, with the pre-tokenizer the file names, built on Hugging Face's `tokenizers`.
//! It splits text as llama.cpp does (`src/llama-vocab.cpp`): special tokens first (longest
//! first), then the named pre-tokenizer's regexes, then BPE by merge rank. No BOS is added
//! unless the GGUF asks for one.

use crate::{gguf::VocabData, LlmError};
use std::collections::HashMap;
use tokenizers::{
	models::bpe::{Vocab, BPE},
	pre_tokenizers::{
		byte_level::ByteLevel,
		sequence::Sequence,
		split::{Split, SplitPattern},
	},
	AddedToken, Decoder, DecoderWrapper, PreTokenizerWrapper, SplitDelimiterBehavior,
};

/// Token type codes of GGUF (`tokenizer.ggml.token_type`).
const CONTROL: i32 = 3;
const USER_DEFINED: i32 = 4;

/// Control tokens that end a generation, by text (llama.cpp's end-of-generation list).
const END_OF_GENERATION: &[&str] = &[
	"<|eot_id|>",
	"<|im_end|>",
	"<|end|>",
	"<|endoftext|>",
	"<|end_of_text|>",
	"<end_of_turn>",
	"<|return|>",
	"<|call|>",
	"<|fim_pad|>",
	"<|repo_name|>",
	"<|file_sep|>",
	"<EOT>",
];

/// qwen2's pre-tokenizer (llama.cpp, `LLAMA_VOCAB_PRE_TYPE_QWEN2`); the case-insensitive
/// contractions spelled out, as llama.cpp does.
const QWEN2: &str = r"(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

/// A GGUF model's tokenizer.
pub struct Tokenizer {
	inner: tokenizers::Tokenizer,
	/// The same, with control tokens' texts read as ordinary text.
	plain: tokenizers::Tokenizer,
	bos: Option<u32>,
	add_bos: bool,
	end_of_generation: Vec<u32>,
	texts: Vec<String>,
}

impl Tokenizer {
	/// Builds the tokenizer from a GGUF's vocabulary; refuses a pre-tokenizer it does not know.
	pub fn from_vocab(vocab: &VocabData) -> Result<Self, LlmError> {
		let bpe = bpe(vocab)?;
		let mut inner = tokenizers::Tokenizer::new(bpe);
		inner.with_pre_tokenizer(Some(pre_tokenizer(&vocab.pre)?));
		inner.with_decoder(Some(DecoderWrapper::ByteLevel(ByteLevel::new(false, false, false))));
		let added = |kind: i32, special: bool| {
			let ids = vocab.types.iter().enumerate().filter(move |(_, t)| **t == kind);
			ids.map(move |(id, _)| AddedToken::from(vocab.tokens[id].clone(), special))
				.collect::<Vec<_>>()
		};
		let error = |e: tokenizers::Error| LlmError::Tokenizer(e.to_string());
		inner.add_special_tokens(added(CONTROL, true)).map_err(error)?;
		inner.add_tokens(added(USER_DEFINED, false)).map_err(error)?;
		let mut plain = inner.clone();
		plain.set_encode_special_tokens(true);
		Ok(Self {
			inner,
			plain,
			bos: vocab.bos,
			add_bos: vocab.add_bos,
			end_of_generation: end_of_generation(vocab),
			texts: vocab.tokens.clone(),
		})
	}

	/// Token ids of `text`. With `parse_special`, the texts of control tokens in `text` become
	/// those tokens (a rendered chat prompt); without, they are ordinary text.
	pub fn encode(&self, text: &str, parse_special: bool) -> Result<Vec<u32>, LlmError> {
		let tokenizer = if parse_special { &self.inner } else { &self.plain };
		let encoding =
			tokenizer.encode_fast(text, false).map_err(|e| LlmError::Tokenizer(e.to_string()))?;
		let mut ids = Vec::with_capacity(encoding.len() + 1);
		if self.add_bos {
			ids.extend(self.bos);
		}
		ids.extend_from_slice(encoding.get_ids());
		Ok(ids)
	}

	/// The text of `ids` (control tokens produce none).
	pub fn decode(&self, ids: &[u32]) -> Result<String, LlmError> {
		self.inner.decode(ids, true).map_err(|e| LlmError::Tokenizer(e.to_string()))
	}

	/// A decoder that turns tokens into text as they come, holding back incomplete UTF-8.
	pub fn stream(&self) -> TextStream<'_> {
		TextStream { inner: self.inner.decode_stream(true) }
	}

	/// Whether `id` ends a generation.
	pub fn is_end_of_generation(&self, id: u32) -> bool {
		self.end_of_generation.contains(&id)
	}

	/// The text of a token as the vocabulary stores it (`None` for an unknown id).
	pub fn token_text(&self, id: u32) -> Option<&str> {
		self.texts.get(id as usize).map(String::as_str)
	}

	/// The most bytes of text one token can add to a generation's text: each byte it stands
	/// for (as the byte-level decoder maps its characters) counts 1 if ASCII and 3 otherwise,
	/// since a byte outside a valid UTF-8 sequence becomes U+FFFD (3 bytes). A bound on the
	/// whole text too: valid sequences keep their length, and each invalid run of bytes
	/// becomes one U+FFFD.
	pub fn max_token_output_bytes(&self) -> usize {
		let decoder = ByteLevel::new(false, false, false);
		let costs: HashMap<char, usize> = ByteLevel::alphabet()
			.into_iter()
			.map(|c| {
				let decoded = decoder.decode_chain(vec![c.to_string()]);
				(c, decoded.map_or(3, |pieces| pieces.concat().len().max(1)))
			})
			.collect();
		let fallback = |text: &str| text.bytes().map(|b| if b.is_ascii() { 1 } else { 3 }).sum();
		let bound = |text: &String| -> usize {
			let mapped: Option<usize> = text.chars().map(|c| costs.get(&c).copied()).sum();
			// The decoder uses a token's own bytes when a character is outside its alphabet.
			mapped.unwrap_or_else(|| fallback(text))
		};
		self.texts.iter().map(bound).max().unwrap_or(0)
	}

	/// The vocabulary's size.
	pub fn vocab_size(&self) -> usize {
		self.texts.len()
	}
}

/// Incremental detokenization (see [`Tokenizer::stream`]).
pub struct TextStream<'a> {
	inner: tokenizers::tokenizer::DecodeStream<
		'a,
		tokenizers::ModelWrapper,
		tokenizers::NormalizerWrapper,
		PreTokenizerWrapper,
		tokenizers::PostProcessorWrapper,
		DecoderWrapper,
	>,
}

impl TextStream<'_> {
	/// The text that `id` completes, if any.
	pub fn step(&mut self, id: u32) -> Result<Option<String>, LlmError> {
		self.inner.step(id).map_err(|e| LlmError::Tokenizer(e.to_string()))
	}
}

fn bpe(vocab: &VocabData) -> Result<BPE, LlmError> {
	let ids: Vocab =
		vocab.tokens.iter().enumerate().map(|(id, t)| (t.clone(), id as u32)).collect();
	let merges = vocab
		.merges
		.iter()
		.map(|merge| {
			// llama.cpp splits at the first space after the first character.
			let cut = merge.char_indices().skip(1).find(|(_, c)| *c == ' ').map(|(i, _)| i);
			let cut =
				cut.ok_or_else(|| LlmError::BadGguf(format!("merge without a space: {merge:?}")))?;
			Ok((merge[..cut].to_owned(), merge[cut + 1..].to_owned()))
		})
		.collect::<Result<Vec<_>, LlmError>>()?;
	BPE::builder()
		.vocab_and_merges(ids, merges)
		.build()
		.map_err(|e| LlmError::BadGguf(format!("vocabulary and merges: {e}")))
}

/// The pre-tokenizer that `tokenizer.ggml.pre` names, as llama.cpp applies it.
fn pre_tokenizer(name: &str) -> Result<PreTokenizerWrapper, LlmError> {
	let split = |regex: &str| -> Result<PreTokenizerWrapper, LlmError> {
		let pattern = SplitPattern::Regex(regex.to_owned());
		Split::new(pattern, SplitDelimiterBehavior::Isolated, false)
			.map(Into::into)
			.map_err(|e| LlmError::Tokenizer(e.to_string()))
	};
	// The GPT-2 regex (`'s|'t|...| ?\p{L}+| ?\p{N}+|...|\s+(?!\S)|\s+`), no prefix space.
	let gpt2 = || ByteLevel::new(false, false, true).into();
	let bytes_only = || ByteLevel::new(false, false, false).into();
	let steps = match name {
		// Digits one by one, then GPT-2.
		"smollm" => vec![split(r"\p{N}")?, gpt2()],
		"qwen2" => vec![split(QWEN2)?, bytes_only()],
		"gpt2" | "default" => vec![gpt2()],
		other => return Err(LlmError::UnsupportedTokenizer(format!("pre-tokenizer `{other}`"))),
	};
	Ok(Sequence::new(steps).into())
}

fn end_of_generation(vocab: &VocabData) -> Vec<u32> {
	let by_text = vocab.tokens.iter().enumerate().filter(|(id, text)| {
		vocab.types[*id] == CONTROL && END_OF_GENERATION.contains(&text.as_str())
	});
	let mut ids: Vec<u32> = by_text.map(|(id, _)| id as u32).collect();
	ids.extend(vocab.eos.filter(|eos| !ids.contains(eos)));
	ids
}
