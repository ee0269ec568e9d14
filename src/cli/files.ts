/// <reference types="node" />
// The CLI's files: reading inputs with errors in CLI terms, checking an output path before any
// work starts, and writing it atomically (a temporary file in the same folder, flushed, then a rename),
// so an interrupted write never leaves a half-written model or the previous one gone.
import { readFileSync, statSync, accessSync, constants } from 'node:fs';
import { resolve, dirname } from 'node:path';
import { BackpropError, words } from '../errors.js';
import { writeFileAtomic } from '../io/node-file.js';

const flagError = (flag: string, expected: string, got: unknown): never => {
  throw new BackpropError('INVALID_OPTION', flag, expected, got);
};

export function readText(path: string, flag: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    return flagError(flag, what, words(`${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`));
  }
}

/**
 * Checks that `path` can be written as `flag`'s output: its folder exists and is writable, it is
 * not a folder, not one of the input files, and (unless `force`) not an existing file.
 */
export function checkOutput(path: string, flag: string, inputs: (string | undefined)[], force: boolean): void {
  const full = resolve(path);
  for (const input of inputs)
    if (input !== undefined && resolve(input) === full) flagError(flag, 'a file other than the input files', words(`${path}, an input`));
  let exists = false;
  try {
    const s = statSync(full);
    if (s.isDirectory()) flagError(flag, 'a file path, not a folder', path);
    exists = true;
  } catch (e) {
    if (e instanceof BackpropError) throw e;
  }
  if (exists && !force) flagError(flag, 'a file that does not exist yet (or --force to overwrite it)', words(`${path}, which exists`));
  const dir = dirname(full);
  try {
    if (!statSync(dir).isDirectory()) flagError(flag, 'a path in an existing folder', path);
    accessSync(dir, constants.W_OK);
  } catch (e) {
    if (e instanceof BackpropError) throw e;
    flagError(flag, 'a path in an existing, writable folder', words(`${path} (${(e as NodeJS.ErrnoException).code ?? 'not writable'})`));
  }
}

/**
 * Writes `text` to `path` atomically, as net.save does (src/io/node-file.ts: a temporary file beside
 * it, flushed, then renamed over it); a failure names the flag.
 */
export function writeAtomic(path: string, text: string, flag: string): Promise<void> {
  return writeFileAtomic(resolve(path), text, flag);
}
/** A Dataset complaint about a file's line and column, prefixed with the file's name. */
export function inFile(e: unknown, file: string): unknown {
  if (!(e instanceof BackpropError) || e.code !== 'INVALID_DATA') return e;
  const field = e.field === 'data' ? file : `${file} ${e.field}`;
  return e.got ? new BackpropError('INVALID_DATA', field, e.expected, words(e.got)) : new BackpropError('INVALID_DATA', field, e.expected);
}
