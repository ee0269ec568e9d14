// TensorFlow.js Layers format: a Sequential of Dense layers (kernel [in][out], the transpose of our
// weights) plus a LeakyReLU layer where we use leakyRelu, since TF.js has no such activation name.
// TF.js keeps weights in float32, so export rounds each weight to f32; import (tfjs-read.ts) widens exactly.
import { ACTIVATION_KINDS, type ActivationKind } from '../kinds/activations.js';
import { BackpropError } from '../errors.js';
import type { ExportedModel } from './build.js';

/** LeakyReLU → leaky_re_lu, as TF.js names its layers. */
const snakeCase = (name: string) => name.replace(/(?<=[a-z])(?=[A-Z])/g, '_').toLowerCase();

export interface TFJSWeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32';
}

/** What `tf.io.fromMemory()` takes and `tf.io.withSaveHandler()` hands over (ModelArtifacts). */
export interface TFJSArtifacts {
  modelTopology: object;
  weightSpecs: TFJSWeightSpec[];
  weightData: ArrayBuffer;
  format: 'layers-model';
  generatedBy: string;
  convertedBy: null;
  userDefinedMetadata: { backprop: { spec: unknown } };
}

/** The file pair `tf.loadLayersModel('…/model.json')` reads. */
export interface TFJSFiles {
  'model.json': string;
  'model.weights.bin': Uint8Array;
}

const WEIGHTS_FILE = 'model.weights.bin';

/** The network's parts as TF.js Layers artifacts (weights rounded to float32); Network.toTFJS() hands them over. */
export function writeTFJS({ spec, weights, saved }: ExportedModel): TFJSArtifacts {
  const layers: object[] = [];
  const weightSpecs: TFJSWeightSpec[] = [];
  const values: number[] = [];
  spec.layers.forEach((l, i) => {
    const name = `dense_${i + 1}`;
    // Each activation's TF.js form is in src/kinds/activations.ts: a Dense activation name, or a layer after a linear Dense.
    const form: ActivationKind['tfjs'] = ACTIVATION_KINDS[l.activation].tfjs;
    if (form === null)
      throw new BackpropError('INVALID_MODEL', `spec.layers[${i}].activation`, 'an activation TF.js Layers has', l.activation);
    const dense: Record<string, unknown> = {
      units: l.units,
      activation: 'activation' in form ? form.activation : 'linear',
      use_bias: l.bias,
      name,
      trainable: true,
      dtype: 'float32',
    };
    if (i === 0) dense.batch_input_shape = [null, spec.inputs];
    layers.push({ class_name: 'Dense', config: dense });
    if ('layer' in form)
      layers.push({ class_name: form.layer, config: { ...form.config, name: `${snakeCase(form.layer)}_${i + 1}`, trainable: true } });
    weightSpecs.push({ name: `${name}/kernel`, shape: [l.inputs, l.units], dtype: 'float32' });
    const w = weights[i].weights;
    for (let r = 0; r < l.inputs; r++) for (let c = 0; c < l.units; c++) values.push(w[c][r]);
    if (l.bias) {
      weightSpecs.push({ name: `${name}/bias`, shape: [l.units], dtype: 'float32' });
      values.push(...weights[i].bias!);
    }
  });
  return {
    modelTopology: {
      class_name: 'Sequential',
      config: { name: 'backprop-wasm', layers },
      keras_version: 'tfjs-layers',
      backend: 'tensor_flow.js',
    },
    weightSpecs,
    weightData: Float32Array.from(values).buffer,
    format: 'layers-model',
    generatedBy: 'backprop-wasm',
    convertedBy: null,
    userDefinedMetadata: { backprop: { spec: saved } },
  };
}

/** model.json (with its weights manifest) and the one binary it points to. */
export function tfjsFiles(a: TFJSArtifacts): TFJSFiles {
  const modelJson = {
    modelTopology: a.modelTopology,
    format: a.format,
    generatedBy: a.generatedBy,
    convertedBy: a.convertedBy,
    weightsManifest: [{ paths: [`./${WEIGHTS_FILE}`], weights: a.weightSpecs }],
    userDefinedMetadata: a.userDefinedMetadata,
  };
  return { 'model.json': JSON.stringify(modelJson), 'model.weights.bin': new Uint8Array(a.weightData) };
}
