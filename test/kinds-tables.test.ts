// The loss, optimizer and metric tables (src/kinds/) are the one source: README's tables are
// checked against them, and spec validation refuses what each descriptor says it must (a
// hyper-parameter the optimizer does not take, a value outside its range), field by field.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { LOSSES, LOSS_KINDS } from '../src/kinds/losses.js';
import { OPTIMIZERS, OPTIMIZER_KINDS, HYPER_PARAMETERS, hyperParametersOf, type HyperParameter } from '../src/kinds/optimizers.js';
import { METRIC_KINDS } from '../src/kinds/metrics.js';
import { normalizeOptimizer, normalizeSpec } from '../src/spec.js';
import { BackpropError } from '../src/errors.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
/** The rows of README's table whose header line is `header`, as cells (a `\|` in a cell is a `|`). */
function tableRows(header: string): string[][] {
  const lines = readme.split('\n');
  const at = lines.findIndex((l) => l.trim() === header);
  expect(at, header).toBeGreaterThan(0);
  const rows: string[][] = [];
  for (let i = at + 2; i < lines.length && lines[i].trim().startsWith('|'); i++) {
    rows.push(
      lines[i]
        .trim()
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((c) => c.trim().replace(/\\\|/g, '|')),
    );
  }
  return rows;
}

describe('README', () => {
  it('the loss table lists every loss of src/kinds/losses.ts, in order, with its formula, output and metric', () => {
    expect(tableRows('| loss | value | output layer | metric |')).toEqual(
      LOSSES.map((name) => {
        const kind = LOSS_KINDS[name],
          metric = METRIC_KINDS[kind.metric];
        return [
          `\`${name}\``,
          kind.doc,
          kind.fused ? `\`${kind.output}\`, required (gradient fused)` : `\`${kind.output}\` by default`,
          `\`${metric.reported}\`: ${metric.doc}`,
        ];
      }),
    );
  });

  it('the optimizer table lists every optimizer of src/kinds/optimizers.ts, in order, with its update, hyper-parameters, defaults and state', () => {
    expect(tableRows('| type | update | hyper-parameters (defaults) | state blocks |')).toEqual(
      OPTIMIZERS.map((name) => {
        const kind = OPTIMIZER_KINDS[name];
        const defaults: Partial<Record<HyperParameter, number | boolean>> = kind.defaults;
        return [
          `\`${name}\``,
          kind.doc,
          hyperParametersOf(name)
            .map((key) => `\`${key}\` ${defaults[key]}`)
            .join(', '),
          String(kind.stateBlocks),
        ];
      }),
    );
  });
});

describe('validation follows the descriptors', () => {
  const refused = (o: object): string => {
    try {
      normalizeOptimizer(o);
    } catch (e) {
      expect(e).toBeInstanceOf(BackpropError);
      return (e as BackpropError).field;
    }
    throw new Error(`accepted ${JSON.stringify(o)}`);
  };
  // Values each check must refuse, and one it must take (independent of the table's defaults).
  const BAD = { positive: [0, -1, NaN, Infinity], fraction: [-0.1, 1, 2, NaN], nonNegative: [-1e-9, NaN, Infinity], flag: [1, 'yes'] };
  const GOOD = { positive: 0.25, fraction: 0.5, nonNegative: 0, flag: true };

  it.each(OPTIMIZERS)('%s: takes its hyper-parameters in range, refuses them out of range and refuses the others', (type) => {
    const own = hyperParametersOf(type);
    for (const key of Object.keys(HYPER_PARAMETERS) as HyperParameter[]) {
      const check = HYPER_PARAMETERS[key].check;
      if (!own.includes(key)) {
        expect(refused({ type, [key]: GOOD[check] }), key).toBe(`optimizer.${key}`);
        continue;
      }
      expect(normalizeOptimizer({ type, [key]: GOOD[check] })[key], key).toBe(GOOD[check]);
      for (const bad of BAD[check]) expect(refused({ type, [key]: bad }), `${key} = ${bad}`).toBe(`optimizer.${key}`);
    }
  });

  it.each(LOSSES)('%s: its output activation (when fused) and its fewest outputs', (loss) => {
    const kind = LOSS_KINDS[loss];
    const spec = (units: number, activation?: string) => ({ inputs: 2, loss, layers: [{ units: 3 }, { units, activation }] });
    expect(normalizeSpec(spec(kind.minOutputs)).layers[1].activation).toBe(kind.output);
    if (kind.minOutputs > 1)
      expect(() => normalizeSpec(spec(kind.minOutputs - 1))).toThrow(`at least ${kind.minOutputs} with loss '${loss}'`);
    const other = (kind.output as string) === 'tanh' ? 'relu' : 'tanh';
    if (kind.fused) expect(() => normalizeSpec(spec(kind.minOutputs, other))).toThrow(`'${kind.output}' with loss '${loss}'`);
    else expect(normalizeSpec(spec(kind.minOutputs, other)).layers[1].activation).toBe(other);
  });
});
