//! The executor's errors, and the int8 format's schema, dtype, shape and batch checks.

use std::sync::Arc;
use verity_int8::engine::Backend;
use verity_int8::testmodels::{self, f32_schema, spec};
use verity_primitives::TensorDtype;
use verity_primitives::{ArtifactFormat, IoSchema};
use verity_worker::exec::*;

fn digest(n: u8) -> [u8; 32] {
	[n; 32]
}

#[test]
fn errors_are_clear() {
	let exec = Executor::new(Backend::Cpu);
	let schema = f32_schema(&[1, 4], &[1, 3]);
	let mlp = testmodels::mlp_onnx(1, &[4, 3]);
	let err = exec.run(ArtifactFormat::Onnx, digest(1), &mlp, &schema, &[0; 15]).unwrap_err();
	assert_eq!(err.to_string(), "wrong input length: expected 16 bytes, got 15");
	// A GGUF serves a chat schema only.
	let err = exec.run(ArtifactFormat::Gguf, digest(1), &mlp, &schema, &[0; 16]).unwrap_err();
	assert!(matches!(err, ExecError::Schema(_)), "{err}");
	// A worker without the LLM engine does not run GGUF files.
	let tensors_only = Executor::from_engines(vec![
		Arc::new(onnx::OnnxEngine),
		Arc::new(int8::Int8Engine::new(Backend::Cpu)),
	]);
	let err =
		tensors_only.run(ArtifactFormat::Gguf, digest(1), &mlp, &schema, &[0; 16]).unwrap_err();
	assert!(
		matches!(err, ExecError::UnsupportedFormat { format: ArtifactFormat::Gguf, .. }),
		"{err}"
	);
	assert!(err.to_string().contains("`gguf`"));
	let err =
		exec.run(ArtifactFormat::Safetensors, digest(1), &mlp, &schema, &[0; 16]).unwrap_err();
	assert!(matches!(err, ExecError::UnsupportedFormat { .. }));
	let err = exec.run(ArtifactFormat::Onnx, digest(2), b"junk", &schema, &[0; 16]).unwrap_err();
	assert!(matches!(err, ExecError::Load(_)), "{err}");
	let err =
		exec.run(ArtifactFormat::VerityInt8, digest(3), b"junk", &schema, &[0; 16]).unwrap_err();
	assert!(err.to_string().contains("bad magic"), "{err}");
	// Output schema that disagrees with the model.
	let wrong_out = f32_schema(&[1, 4], &[1, 4]);
	let err = exec.run(ArtifactFormat::Onnx, digest(1), &mlp, &wrong_out, &[0; 16]).unwrap_err();
	assert!(matches!(err, ExecError::Output(_)), "{err}");
	assert!(err.to_string().contains("shape [1, 3]"), "{err}");
	// Input named differently from the model's.
	let renamed = IoSchema::Tensors {
		inputs: vec![spec("x", TensorDtype::F32, &[1, 4])].try_into().unwrap(),
		outputs: vec![spec("output", TensorDtype::F32, &[1, 3])].try_into().unwrap(),
	};
	let err = exec.run(ArtifactFormat::Onnx, digest(1), &mlp, &renamed, &[0; 16]).unwrap_err();
	assert!(err.to_string().contains("model input `input` is not in the schema"), "{err}");
	let chat = IoSchema::Chat { max_context_tokens: 10 };
	assert!(matches!(
		exec.run(ArtifactFormat::Onnx, digest(1), &mlp, &chat, &[]),
		Err(ExecError::Schema(_))
	));
}

#[test]
fn int8_schema_dtypes_shapes_and_batches() {
	let exec = Executor::new(Backend::Cpu);
	let model = verity_int8::engine::random_model(5, false);
	let file = verity_int8::encode_file(&model);
	let cpu = verity_int8::engine::cpu::CpuModel::new(Arc::new(model.clone())).unwrap();
	let x = verity_int8::engine::random_input(9, 48 * 3);
	let expected = cpu.run_batch(&x, 3).unwrap();
	let schema = |din, dout, shin: &[u32], shout: &[u32]| IoSchema::Tensors {
		inputs: vec![spec("input", din, shin)].try_into().unwrap(),
		outputs: vec![spec("output", dout, shout)].try_into().unwrap(),
	};
	let raw: Vec<u8> = x.iter().map(|v| *v as u8).collect();
	let i8s = schema(TensorDtype::I8, TensorDtype::I8, &[3, 48], &[3, 10]);
	let out = exec.run(ArtifactFormat::VerityInt8, digest(7), &file, &i8s, &raw).unwrap();
	assert_eq!(out, expected.iter().map(|v| *v as u8).collect::<Vec<_>>());
	// f32 in, f32 out, one sample: input quantized on the host, output dequantized.
	let f32s = schema(TensorDtype::F32, TensorDtype::F32, &[48], &[10]);
	let floats: Vec<u8> =
		x[..48].iter().flat_map(|q| (f32::from(*q) * model.input_scale()).to_le_bytes()).collect();
	let out = exec.run(ArtifactFormat::VerityInt8, digest(7), &file, &f32s, &floats).unwrap();
	let want: Vec<u8> = expected[..10]
		.iter()
		.flat_map(|q| (f32::from(*q) * model.output_scale()).to_le_bytes())
		.collect();
	assert_eq!(out, want);
	assert_eq!(exec.cached_models(), 2);
	let bad = schema(TensorDtype::I64, TensorDtype::F32, &[48], &[10]);
	let err = exec.run(ArtifactFormat::VerityInt8, digest(7), &file, &bad, &[0; 384]).unwrap_err();
	assert!(err.to_string().contains("must be f32 or i8"), "{err}");
	let bad = schema(TensorDtype::I8, TensorDtype::I8, &[47], &[10]);
	let err = exec.run(ArtifactFormat::VerityInt8, digest(7), &file, &bad, &[0; 47]).unwrap_err();
	assert!(err.to_string().contains("the model's input is [48]"), "{err}");
}
