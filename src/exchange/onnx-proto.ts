// The ONNX numbers both directions share. Field numbers elsewhere are those of onnx/onnx.proto.

/** Opset 17 / IR 8: onnxruntime ≥ 1.13 runs it; every op used here is unchanged since opset 13–16. */
export const ONNX_OPSET = 17;
export const ONNX_IR_VERSION = 8;
export const DOUBLE = 11,
  FLOAT = 1; // TensorProto.DataType
export const ATTR_INT = 2; // AttributeProto.AttributeType
/** The metadata_props key under which our exports embed the rest of the spec. */
export const META_KEY = 'backprop';
