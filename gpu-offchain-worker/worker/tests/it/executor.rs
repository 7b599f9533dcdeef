//! End to end: test models through the [`Executor`] (ONNX on tract, and converted to int8)
//! against tract called directly.

use verity_int8::{self as int8, convert, engine::Backend, testmodels};
use verity_primitives::{ArtifactFormat, IoSchema};
use verity_worker::{exec::Executor, tensor};

fn f32_bytes(x: &[f32]) -> Vec<u8> {
	x.iter().flat_map(|v| v.to_le_bytes()).collect()
}

fn floats(bytes: &[u8]) -> Vec<f32> {
	bytes.chunks_exact(4).map(|c| f32::from_le_bytes(c.try_into().unwrap())).collect()
}

fn argmax(v: &[f32]) -> usize {
	v.iter().enumerate().fold(0, |best, (i, x)| if *x > v[best] { i } else { best })
}

fn check(name: &str, onnx: &[u8], in_shape: &[u32], classes: u32, backend: Backend) {
	let exec = Executor::new(backend);
	let schema = testmodels::f32_schema(in_shape, &[1, classes]);
	let in_len: usize = in_shape.iter().product::<u32>() as usize;
	let shape: Vec<usize> = in_shape.iter().map(|d| *d as usize).collect();
	let int8_file =
		convert::convert_to_file(onnx, &testmodels::random_inputs(1, 64, in_len)).unwrap();
	let model = int8::decode_file(&int8_file).unwrap();
	let int8_schema = testmodels::f32_schema(&model.input_shape, &[classes]);
	let mut agree = 0;
	let inputs = testmodels::random_inputs(2, 50, in_len);
	for x in &inputs {
		let want = testmodels::run_tract(onnx, &shape, x);
		let got = exec.run(ArtifactFormat::Onnx, [1; 32], onnx, &schema, &f32_bytes(x)).unwrap();
		assert_eq!(floats(&got), want, "{name}: executor and tract disagree");
		// Through JSON as a client would send it.
		let json = tensor::bytes_to_json(
			match &schema {
				IoSchema::Tensors { inputs, .. } => inputs,
				_ => unreachable!(),
			},
			&f32_bytes(x),
		)
		.unwrap();
		let specs = match &schema {
			IoSchema::Tensors { inputs, .. } => inputs,
			_ => unreachable!(),
		};
		assert_eq!(tensor::json_to_bytes(specs, &json).unwrap(), f32_bytes(x));

		let q = exec
			.run(ArtifactFormat::VerityInt8, [2; 32], &int8_file, &int8_schema, &f32_bytes(x))
			.unwrap();
		agree += usize::from(argmax(&floats(&q)) == argmax(&want));
	}
	assert!(agree * 10 >= inputs.len() * 9, "{name}: int8 argmax agreement {agree}/50");
	assert_eq!(exec.cached_models(), 2, "{name}: each artifact loaded once");
}

#[test]
fn mlp_and_cnn_through_the_executor() {
	check("mlp", &testmodels::mlp_onnx(21, &[16, 32, 10]), &[1, 16], 10, Backend::Cpu);
	check("cnn", &testmodels::cnn_onnx(22, [1, 8, 8], 4, 10), &[1, 1, 8, 8], 10, Backend::Cpu);
	// The automatic backend (GPU where there is one) gives the same bytes as the CPU.
	check(
		"cnn-auto",
		&testmodels::cnn_onnx(22, [1, 8, 8], 4, 10),
		&[1, 1, 8, 8],
		10,
		Backend::auto(),
	);
}

#[test]
fn int8_results_do_not_depend_on_the_backend() {
	let onnx = testmodels::mlp_onnx(3, &[16, 24, 5]);
	let file = convert::convert_to_file(&onnx, &testmodels::random_inputs(4, 32, 16)).unwrap();
	let schema = testmodels::f32_schema(&[16], &[5]);
	let cpu = Executor::new(Backend::Cpu);
	let auto = Executor::new(Backend::auto());
	for x in testmodels::random_inputs(5, 20, 16) {
		let a =
			cpu.run(ArtifactFormat::VerityInt8, [3; 32], &file, &schema, &f32_bytes(&x)).unwrap();
		let b =
			auto.run(ArtifactFormat::VerityInt8, [3; 32], &file, &schema, &f32_bytes(&x)).unwrap();
		assert_eq!(a, b);
	}
}
