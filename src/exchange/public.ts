// The exchange functions of the public API, as functions of a network: each asks Network, which
// hands the format modules plain { spec, weights } objects (build.ts) and creates networks from
// theirs. Only this module, which nothing inside src/ imports, needs the Network class itself.
import { Network } from '../network.js';
import type { ImportOptions } from './build.js';
import { tfjsFiles, type TFJSArtifacts, type TFJSFiles } from './tfjs.js';

/** An ONNX model (opset 17, f64) that ONNX Runtime runs with the same outputs as net.predict(). */
export function toONNX(net: Network): Uint8Array {
  return net.toONNX();
}

/** Reads an ONNX model of dense layers (as toONNX() writes, or Gemm/MatMul+Add graphs from elsewhere). */
export function fromONNX(bytes: Uint8Array | ArrayBuffer, options?: ImportOptions): Promise<Network> {
  return Network.fromONNX(bytes, options);
}

/** TF.js Layers artifacts (float32 weights) for tf.io.fromMemory / tf.loadLayersModel. */
export function toTFJS(net: Network): TFJSArtifacts {
  return net.toTFJS();
}

/** model.json (with its weights manifest) and the one binary it points to. */
export function toTFJSFiles(net: Network): TFJSFiles {
  return tfjsFiles(net.toTFJS());
}

/**
 * A TF.js Layers model as a network: artifacts from `tf.io.withSaveHandler` (or toTFJS()), or
 * `{ modelJson, weightData }` for a model.json and its weight file(s). float32 weights become f64.
 */
export function fromTFJS(artifacts: unknown, options?: ImportOptions): Promise<Network> {
  return Network.fromTFJS(artifacts, options);
}
