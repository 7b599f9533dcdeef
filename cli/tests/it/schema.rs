//! Model I/O schemas as JSON: parsing, round trips and errors that name the field.

use verity_cli::schema::*;
use verity_primitives::IoSchema;

#[test]
fn reads_tensor_and_chat_schemas_and_round_trips() {
	let text = r#"{"inputs":[{"name":"x","dtype":"f32","shape":[1,784]}],"outputs":[{"name":"y","dtype":"i8","shape":[1,10]}]}"#;
	let schema = parse(text).unwrap();
	assert_eq!(parse(&to_json(&schema).to_string()).unwrap(), schema);
	assert_eq!(
		parse(r#"{"chat":{"max_context_tokens":8192}}"#).unwrap(),
		IoSchema::Chat { max_context_tokens: 8192 }
	);
}

#[test]
fn names_the_field_at_fault() {
	let error = |text: &str| parse(text).unwrap_err();
	assert!(error("not json").contains("not JSON"));
	assert!(error(r#"{"inputs":[]}"#).contains("`outputs` must be a list"));
	assert!(error(r#"{"inputs":[{"name":"x","dtype":"f128","shape":[1]}],"outputs":[]}"#)
		.contains("inputs[0].dtype: unknown TensorDtype"));
	assert!(error(r#"{"inputs":[{"name":"x","dtype":"f32","shape":[1,-3]}],"outputs":[]}"#)
		.contains("inputs[0].shape[1] must be a whole number"));
	assert!(error(
		r#"{"inputs":[{"name":"x","dtype":"f32","shape":[1,1,1,1,1,1,1,1,1]}],"outputs":[]}"#
	)
	.contains("more than 8 dimensions"));
}
