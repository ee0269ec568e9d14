// What the CLI says about bad input: one line on stderr naming the flag or the file and line,
// what was expected and what came; exit code 2 for bad flags, 1 for bad data; nothing trained.
import { describe, it, expect } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { cli, scratchFolder } from '../helpers/cli-run.js';
import { parseFlags } from '../../src/cli/args.js';
import { TRAIN_FLAGS } from '../../src/cli/train.js';
import { BackpropError } from '../../src/errors.js';

const { dir, put: csv } = scratchFolder('backprop-cli-err-');

describe('CLI errors', () => {
  const good = csv('good.csv', 'a,b,y\n1,2,0\n2,1,1\n3,3,0\n4,1,1\n');

  it.each([
    ['ragged.csv', 'a,b,y\n1,2,0\n3,4\n', 'ragged.csv line 3: expected 3 cells, as in the header, got 2'],
    [
      'missing.csv',
      'a,b,y\n1,2,0\n\n3,,1\n',
      `missing.csv line 4, column "b": expected a value (or the option missing: 'mean', 'mode' or 'drop'), got a missing value`,
    ],
    ['empty.csv', '', 'empty.csv: expected a header line naming the columns, then rows, got an empty file'],
  ])('bad CSV %s: exit 1 with file and line', async (name, text, message) => {
    const out = join(dir, `${name}.json`);
    const r = await cli('train', '--data', csv(name, text), '--out', out);
    expect(r.code).toBe(1);
    expect(r.err).toBe(`backprop train: ${join(dir, message)}`);
    expect(existsSync(out)).toBe(false);
  });

  it('a missing target column lists the columns there are', async () => {
    const r = await cli('train', '--data', good, '--target', 'label');
    expect(r.code).toBe(2);
    expect(r.err).toBe(`backprop train: --target: expected a column of ${good}: "a", "b", "y", got "label"`);
  });

  it('a missing file says so', async () => {
    const r = await cli('train', '--data', join(dir, 'nope.csv'));
    expect(r.code).toBe(2);
    expect(r.err).toBe(`backprop train: --data: expected a readable CSV file, got ${join(dir, 'nope.csv')} (ENOENT)`);
  });

  it.each([
    [['--epochs', '0'], '--epochs: expected an integer ≥ 1, got "0"'],
    [['--epochs', '2.5'], '--epochs: expected an integer ≥ 1, got "2.5"'],
    [['--lr', 'fast'], '--lr: expected a positive number, got "fast"'],
    [['--lr', '0'], '--lr: expected a positive number, got "0"'],
    [['--optimizer', 'adam', '--momentum', '0.5'], '--momentum: expected to be given only with --optimizer sgd, got 0.5'],
    [['--patience', '3'], '--patience: expected to be given with --validation F (early stopping watches the validation loss), got 3'],
    [
      ['--class-weights', 'setosa=x'],
      '--class-weights: expected balanced, or class=weight pairs such as setosa=2,virginica=1 (weights ≥ 0), got "setosa=x"',
    ],
    [['--missing', 'zero'], '--missing: expected one of error, mean, mode, drop, got "zero"'],
    [['--layers', '64,,32'], '--layers: expected comma-separated positive integers such as 64,32, got "64,,32"'],
    [['--backend', 'gpu'], '--backend: expected one of auto, wasm, js, got "gpu"'],
    [['--task', 'ranking'], '--task: expected one of classification, regression, got "ranking"'],
    [['--epochs'], '--epochs: expected a value after it, got nothing'],
    [['--epochs', '3', '--epochs', '4'], '--epochs: expected at most one occurrence, got it twice'],
    [['data.csv'], 'data.csv: expected a flag such as --data, got the argument "data.csv"'],
    [['--target', 'y'], '--target: expected to be given only with --data file.csv, got "y"'],
  ])('bad flag %j: exit 2, one line', async (flags, message) => {
    const r = await cli('train', ...flags);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`backprop train: ${message}`);
  });

  it('an unknown flag lists the known ones', async () => {
    const r = await cli('train', '--epoch', '3');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^backprop train: --epoch: expected one of the flags --data, --target, .*--out, got an unknown flag$/);
  });

  it('an unknown optimizer is refused before the data is read, in CLI terms', async () => {
    const r = await cli('train', '--data', join(dir, 'nope.csv'), '--optimizer', 'nosuchthing', '--out', join(dir, 'x.json'));
    expect(r.code).toBe(2);
    expect(r.err).toBe('backprop train: --optimizer: expected one of sgd, adam, adamw, rmsprop, adagrad, got "nosuchthing"');
  });

  it('an unknown command and no command print usage help', async () => {
    expect(await cli('fly')).toEqual({ code: 2, out: '', err: 'backprop: unknown command "fly"; expected train, predict, bench or help' });
    const none = await cli();
    expect(none.code).toBe(2);
    expect(none.out).toContain('backprop train');
    expect((await cli('predict', '--help')).code).toBe(0);
  });

  it('predict: missing --model, a non-model file, a CSV without the model’s columns', async () => {
    expect((await cli('predict')).err).toBe(
      'backprop predict: --model: expected the model file to load (written by backprop train --out), got nothing',
    );
    const r = await cli('predict', '--model', good);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(new RegExp(`^backprop predict: ${good}: expected JSON written by backprop train, got invalid JSON`));
    const notOurs = csv('other.json', JSON.stringify({ format: 'backprop', version: 1 }));
    expect((await cli('predict', '--model', notOurs)).err).toMatch(new RegExp(`^backprop predict: ${notOurs}: model\\.spec`));
    const old = csv('old.json', JSON.stringify({ format: 'backprop-cli', version: 1 }));
    expect((await cli('predict', '--model', old)).err).toBe(`backprop predict: ${old}: network: expected a saved network, got nothing`);
    const model = join(dir, 'good.json');
    expect((await cli('train', '--data', good, '--epochs', '1', '--out', model)).code).toBe(0);
    const wrong = csv('wrong.csv', 'a,c\n1,2\n');
    const p = await cli('predict', '--model', model, '--data', wrong);
    expect(p.code).toBe(1);
    expect(p.err).toBe(`backprop predict: ${wrong}: expected a column "b", as the model was trained on, got "a, c"`);
    const csvModel = await cli('predict', '--model', model);
    expect(csvModel.err).toBe('backprop predict: --data: expected a CSV file with the columns a, b, got nothing');
    const text = csv('text.csv', 'a,b\n1,x\n');
    expect((await cli('predict', '--model', model, '--data', text)).err).toBe(
      `backprop predict: ${text} line 2, column "b": expected a number (the column is numeric), got "x"`,
    );
  });

  it('parseFlags throws BackpropError with the flag as field', () => {
    let e: unknown;
    try {
      parseFlags(['--momentum', '1'], TRAIN_FLAGS);
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(BackpropError);
    expect((e as BackpropError).field).toBe('--momentum');
    expect((e as BackpropError).code).toBe('INVALID_OPTION');
  });
});
