// Recognizes an activation written as several ONNX nodes (src/kinds/activations.ts `onnx`, as
// toONNX writes it: swish = x·Sigmoid(x), gelu's Erf form, selu from Relu and Elu) in a graph being
// read: the next nodes must have the form's ops, wiring and constants exactly (the two inputs of
// Mul and Add in either order).
import { ACTIVATIONS, ACTIVATION_KINDS, type Activation, type OnnxNode } from '../kinds/activations.js';
import type { Tensor } from './onnx-fields.js';

export interface FormNode {
  op: string;
  inputs: string[];
  outputs: string[];
  attrs: Map<string, { i?: number; f?: number }>;
}

/** The forms of more than one node, longest first (so selu's leading Relu is not read as relu). */
const MULTI_NODE = ACTIVATIONS.map((name) => [name, ACTIVATION_KINDS[name].onnx as readonly OnnxNode[]] as const)
  .filter(([, form]) => form.length > 1)
  .sort((a, b) => b[1].length - a[1].length);

const COMMUTATIVE = new Set(['Mul', 'Add']);

/**
 * The activation whose multi-node form starts at nodes[at] on the data `x`, and how many nodes it
 * spans; undefined when none matches. `constant` looks up an initializer or Constant by name.
 */
export function matchForm(
  nodes: readonly FormNode[],
  at: number,
  x: string,
  constant: (name: string) => Tensor | undefined,
): { activation: Activation; count: number } | undefined {
  for (const [activation, form] of MULTI_NODE) {
    if (at + form.length > nodes.length) continue;
    const matches = form.every((step, k) => {
      const n = nodes[at + k];
      if (n.op !== step.op || n.outputs.length !== 1 || n.inputs.length !== step.inputs.length) return false;
      if (
        [...n.attrs.keys()].some((a) => step.ints?.[a] === undefined) ||
        Object.entries(step.ints ?? {}).some(([a, v]) => n.attrs.get(a)?.i !== v)
      )
        return false;
      const same = (name: string, want: string | number) => {
        if (want === 'x') return name === x;
        if (typeof want === 'string') return name === nodes[at + Number(want.slice(1))].outputs[0];
        const t = constant(name);
        return t !== undefined && t.values.length === 1 && t.values[0] === want;
      };
      const direct = step.inputs.every((want, j) => same(n.inputs[j], want));
      return (
        direct ||
        (COMMUTATIVE.has(step.op) && step.inputs.length === 2 && same(n.inputs[0], step.inputs[1]) && same(n.inputs[1], step.inputs[0]))
      );
    });
    if (matches) return { activation, count: form.length };
  }
  return undefined;
}
