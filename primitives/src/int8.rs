//! Verity's integer-quantized model format (see the module docs once written).
