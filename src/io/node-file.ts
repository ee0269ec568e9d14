// Saving to and loading from files in Node. Node's modules are looked up at run time
// (process.getBuiltinModule, or a dynamic import the bundlers are told to leave alone), so that
// browser bundles never see them.
import { BackpropError, words } from '../errors.js';

interface FileHandle {
  writeFile(data: string): Promise<void>;
  sync(): Promise<void>;
  close(): Promise<void>;
}
interface NodeFs {
  open(path: string, flags: string): Promise<FileHandle>;
  readFile(path: string, encoding: 'utf8'): Promise<string>;
  rename(from: string, to: string): Promise<void>;
  rm(path: string, options: { force: boolean }): Promise<void>;
}
interface NodePath {
  resolve(...parts: string[]): string;
  dirname(path: string): string;
  basename(path: string): string;
  join(...parts: string[]): string;
}
interface NodeUrl {
  fileURLToPath(url: string | URL): string;
}

type NodeProcess = { getBuiltinModule?(id: string): unknown; versions?: { node?: string }; pid?: number };
const nodeProcess = (globalThis as { process?: NodeProcess }).process;
export const isNode = typeof nodeProcess?.versions?.node === 'string';

async function builtin<T>(id: string): Promise<T> {
  const found = nodeProcess?.getBuiltinModule?.(id);
  if (found) return found as T;
  // Node < 20.16: a dynamic import of a name bundlers cannot see (and are told to ignore).
  const specifier = id;
  return (await import(/* webpackIgnore: true */ /* @vite-ignore */ specifier)) as T;
}

/** The absolute path a plain path or file:// URL names (relative paths: from the working directory). */
export async function filePath(where: string | URL): Promise<string> {
  const path = await builtin<NodePath>('node:path');
  if (where instanceof URL || /^file:\/\//i.test(where)) return (await builtin<NodeUrl>('node:url')).fileURLToPath(where);
  return path.resolve(where);
}

const reason = (e: unknown) => words(e instanceof Error ? e.message : String(e));

/**
 * Writes `text` to `file` atomically: into a temporary file in the same folder (same file
 * system, so the rename cannot copy), flushed to disk, then renamed over the target. A failure
 * removes the temporary file and leaves any previous file as it was.
 */
export async function writeFileAtomic(file: string, text: string, field: string): Promise<void> {
  const fs = await builtin<NodeFs>('node:fs/promises');
  const path = await builtin<NodePath>('node:path');
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${nodeProcess?.pid ?? 0}.${Math.random().toString(36).slice(2)}.tmp`);
  try {
    const handle = await fs.open(temp, 'wx');
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, file);
  } catch (e) {
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw new BackpropError('SAVE_FAILED', field, `a writable file at ${file}`, reason(e));
  }
}

export async function readFileText(file: string, field: string): Promise<string> {
  const fs = await builtin<NodeFs>('node:fs/promises');
  try {
    return await fs.readFile(file, 'utf8');
  } catch (e) {
    throw new BackpropError('LOAD_FAILED', field, `a readable model file at ${file}`, reason(e));
  }
}
