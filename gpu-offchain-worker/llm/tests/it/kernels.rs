//! Our Q4_1 kernel gives candle's results bit for bit (same quantized activations, same
//! float accumulation), on synthetic matrices and on SmolLM2's own.

use crate::common::model;
use candle_core::{
	quantized::{gguf_file, GgmlDType, QMatMul, QTensor},
	Device, Module, Tensor,
};
use std::io::Cursor;
use verity_llm::kernels::Q41Matrix;

fn same_as_candle(weights: QTensor, inputs: &Tensor) {
	let ours = Q41Matrix::from_qtensor(&weights).unwrap().forward(inputs).unwrap();
	let theirs = QMatMul::from_qtensor(weights).unwrap().forward(inputs).unwrap();
	assert_eq!(ours.dims(), theirs.dims());
	let (ours, theirs): (Vec<f32>, Vec<f32>) = (
		ours.flatten_all().unwrap().to_vec1().unwrap(),
		theirs.flatten_all().unwrap().to_vec1().unwrap(),
	);
	let differ = ours.iter().zip(&theirs).filter(|(a, b)| a.to_bits() != b.to_bits()).count();
	assert_eq!(differ, 0, "{differ} of {} values differ from candle's", ours.len());
}

#[test]
fn q4_1_matmul_is_candles_bit_for_bit() {
	let device = Device::Cpu;
	let weights = Tensor::randn(0f32, 1.0, (96, 160), &device).unwrap();
	let weights = QTensor::quantize(&weights, GgmlDType::Q4_1).unwrap();
	let inputs = Tensor::randn(0f32, 3.0, (1, 5, 160), &device).unwrap();
	same_as_candle(weights, &inputs);
	// A zero block (scale 0) and a single row.
	let zeros = Tensor::zeros((1, 1, 160), candle_core::DType::F32, &device).unwrap();
	let weights =
		QTensor::quantize(&Tensor::randn(0f32, 1.0, (8, 160), &device).unwrap(), GgmlDType::Q4_1);
	same_as_candle(weights.unwrap(), &zeros);

	let Some(smollm2) = model("smollm2") else { return };
	let content = gguf_file::Content::read(&mut Cursor::new(&smollm2.bytes)).unwrap();
	for name in ["blk.0.ffn_gate.weight", "blk.7.ffn_down.weight", "blk.29.attn_k.weight"] {
		let tensor = content.tensor(&mut Cursor::new(&smollm2.bytes), name, &device).unwrap();
		assert_eq!(tensor.dtype(), GgmlDType::Q4_1);
		let cols = tensor.shape().dims2().unwrap().1;
		let inputs = Tensor::randn(0f32, 1.0, (1, 3, cols), &device).unwrap();
		same_as_candle(tensor, &inputs);
	}
}
