// Models saved by an earlier version keep loading and computing the same bits: the corpus in
// test/fixtures/models/ (written once by its generate.ts, never regenerated to pass this test)
// holds models of format 'backprop' version 1 — every optimizer with its state after training,
// dropout with its stream position, every activation and loss — with the predictions and the
// next trainStep loss that version computed. Oracle: those stored bits.
import { VERSION } from '../src/serialize.js';
import { describe, it, expect } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { Network } from '../src/index.js';

const DIR = new URL('./fixtures/models/', import.meta.url);
const hexOf = (a: ArrayLike<number>) => Buffer.from(Float64Array.from(a).buffer).toString('hex');
const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));

describe('saved-model compatibility corpus', () => {
  it('holds the five models', () => expect(files.length).toBe(5));

  it.each(files)('%s loads, predicts and trains on bit for bit as when it was saved', async (file) => {
    const { model, probe, expected } = JSON.parse(readFileSync(new URL(file, DIR), 'utf8'));
    const net = await Network.fromJSON(model, { backend: 'wasm' });
    // Saving it again writes the same file, in the current version (version 2 only adds an optional key).
    expect(JSON.parse(JSON.stringify(net))).toEqual({ ...model, version: VERSION });
    expect(hexOf(net.predict(probe.inputs as number[][]).flatMap((r) => [...r]))).toBe(expected.predictions);
    expect(hexOf([net.trainStep(probe.inputs, probe.targets)])).toBe(expected.nextLoss); // optimizer state and counters carried
  });
});
