//! Chain specs built from the runtime's genesis presets, and loading of spec files.

use sc_service::ChainType;
use verity_runtime::{TOKEN_DECIMALS, TOKEN_SYMBOL, WASM_BINARY};

/// Verity's chain spec: no extensions.
pub type ChainSpec = sc_service::GenericChainSpec;

/// SS58 address format of the chain (generic Substrate).
const SS58_FORMAT: u16 = 42;

fn properties() -> sc_chain_spec::Properties {
	let mut properties = sc_chain_spec::Properties::new();
	properties.insert("tokenSymbol".into(), TOKEN_SYMBOL.into());
	properties.insert("tokenDecimals".into(), TOKEN_DECIMALS.into());
	properties.insert("ss58Format".into(), SS58_FORMAT.into());
	properties
}

fn wasm() -> Result<&'static [u8], String> {
	WASM_BINARY.ok_or_else(|| {
		"this node was built without the runtime WASM (SKIP_WASM_BUILD was set); rebuild it \
		 without SKIP_WASM_BUILD"
			.to_string()
	})
}

/// The single-validator development chain (preset `development`).
pub fn development() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm()?, None)
		.with_name("Verity Development")
		.with_id("verity_dev")
		.with_chain_type(ChainType::Development)
		.with_genesis_config_preset_name(sp_genesis_builder::DEV_RUNTIME_PRESET)
		.with_properties(properties())
		.build())
}

/// The three-validator local testnet (preset `local_testnet`).
pub fn local_testnet() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm()?, None)
		.with_name("Verity Local Testnet")
		.with_id("verity_local")
		.with_chain_type(ChainType::Local)
		.with_genesis_config_preset_name(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET)
		.with_properties(properties())
		.build())
}

/// Resolves `--chain`: a built-in name or the path of a chain-spec JSON file.
pub fn load(id: &str) -> Result<Box<dyn sc_service::ChainSpec>, String> {
	Ok(match id {
		"dev" | "development" => Box::new(development()?),
		"" | "local" | "local_testnet" => Box::new(local_testnet()?),
		path => {
			let file = std::path::PathBuf::from(path);
			if !file.is_file() {
				return Err(format!(
					"unknown chain `{path}`: pass `dev`, `local`, or the path of a chain-spec \
					 JSON file"
				));
			}
			Box::new(ChainSpec::from_json_file(file).map_err(|e| {
				format!("chain spec `{path}` is not a valid chain-spec JSON file: {e}")
			})?)
		},
	})
}
