// summary(): a plain-text table of the network, like Keras's model.summary().
import type { ResolvedSpec } from './spec.js';
import { hyperParametersOf } from './kinds/optimizers.js';

export function summarize(spec: ResolvedSpec, backend: string): string {
  const rows = [['#', 'layer', 'output shape', 'params', 'options']];
  let total = 0;
  spec.layers.forEach((l, i) => {
    const params = l.units * l.inputs + (l.bias ? l.units : 0);
    total += params;
    const opts = [l.bias ? '' : 'no bias', l.l2 > 0 ? `l2 ${l.l2}` : '', l.dropout > 0 ? `dropout ${l.dropout}` : '']
      .filter(Boolean)
      .join(', ');
    rows.push([String(i), `dense ${l.inputs}→${l.units} ${l.activation}`, `[batch, ${l.units}]`, params.toLocaleString('en-US'), opts]);
  });
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const line = (r: string[]) =>
    r
      .map((v, c) => (c === 3 ? v.padStart(widths[c]) : v.padEnd(widths[c])))
      .join('  ')
      .trimEnd();
  const o = spec.optimizer;
  // Every hyper-parameter the optimizer's table entry lists (src/kinds/optimizers.ts), as resolved.
  const settings = hyperParametersOf(o.type)
    .map((key) => `${key} ${String((o as unknown as Record<string, unknown>)[key])}`)
    .join(', ');
  return [
    `inputs: ${spec.inputs}`,
    line(rows[0]),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.slice(1).map(line),
    `total parameters: ${total.toLocaleString('en-US')}`,
    `loss: ${spec.loss}; optimizer: ${o.type} (${settings}); seed ${spec.seed}; precision: ${spec.precision}; backend: ${backend}`,
  ].join('\n');
}
