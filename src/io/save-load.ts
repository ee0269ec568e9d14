// net.save(where) and Network.load(where): toJSON()'s text, written to or read from a place named
// as TF.js names them — a file path or file:// URL in Node; localstorage://name,
// indexeddb://name, downloads://name in browsers; http(s):// URLs and File/Blob objects to load.
import { BackpropError, words } from '../errors.js';
import { isNode, filePath, readFileText, writeFileAtomic } from './node-file.js';
import { download, loadIndexedDB, loadLocal, saveIndexedDB, saveLocal } from './browser-storage.js';

/** Where a model goes or comes from. */
export type ModelLocation = string | URL;
/** What `save` did: the place written and the size of the text. */
export interface SaveResult {
  url: string;
  characters: number;
}

type Place =
  | { kind: 'file'; where: string | URL }
  | { kind: 'localstorage' | 'indexeddb' | 'downloads'; name: string }
  | { kind: 'http'; url: string };

const SCHEMES =
  'a file path or file:// URL (Node), localstorage://name, indexeddb://name or downloads://name (browsers), or an http(s):// URL (load only)';

function placeOf(where: unknown, field: string, code: 'SAVE_FAILED' | 'LOAD_FAILED'): Place {
  const text = where instanceof URL ? where.href : where;
  if (typeof text !== 'string' || text === '') throw new BackpropError('INVALID_OPTION', field, SCHEMES, where);
  const scheme = /^([a-z][a-z0-9+.-]*):\/\/(.*)$/i.exec(text);
  if (!scheme) {
    if (isNode) return { kind: 'file', where: text };
    // In a page a plain string is a URL relative to it, as for fetch().
    if (code === 'LOAD_FAILED') return { kind: 'http', url: text };
    throw new BackpropError('INVALID_OPTION', field, 'localstorage://name, indexeddb://name or downloads://name in a browser', text);
  }
  const kind = scheme[1].toLowerCase();
  if (kind === 'file') return { kind: 'file', where: where as string | URL };
  if (kind === 'http' || kind === 'https') {
    if (code === 'SAVE_FAILED') throw new BackpropError('INVALID_OPTION', field, `a place to save to: ${SCHEMES}`, text);
    return { kind: 'http', url: text };
  }
  if (kind === 'localstorage' || kind === 'indexeddb' || kind === 'downloads') {
    if (scheme[2] === '') throw new BackpropError('INVALID_OPTION', field, `a name after ${kind}://`, text);
    if (kind === 'downloads' && code === 'LOAD_FAILED')
      throw new BackpropError(
        'INVALID_OPTION',
        field,
        'a place to load from (load a downloaded file as a File, e.g. from <input type=file>)',
        text,
      );
    return { kind, name: scheme[2] };
  }
  throw new BackpropError('INVALID_OPTION', field, SCHEMES, text);
}

/** Writes `text` (a model's JSON) to `where`; a failure leaves what was there before. */
export async function saveText(text: string, where: ModelLocation): Promise<SaveResult> {
  const field = String(where instanceof URL ? where.href : where);
  const place = placeOf(where, field, 'SAVE_FAILED');
  if (place.kind === 'file') {
    const path = await filePath(place.where);
    await writeFileAtomic(path, text, field);
    return { url: path, characters: text.length };
  }
  if (place.kind === 'localstorage') saveLocal(place.name, text, field);
  else if (place.kind === 'indexeddb') await saveIndexedDB(place.name, text, field);
  else if (place.kind === 'downloads') download(place.name, text, field);
  return { url: field, characters: text.length };
}

/** The text of a saved model at `where`, or in a File/Blob. */
export async function loadText(where: ModelLocation | Blob): Promise<{ text: string; field: string }> {
  if (typeof Blob === 'function' && where instanceof Blob) {
    const field = (where as File).name || 'blob';
    try {
      return { text: await where.text(), field };
    } catch (e) {
      throw new BackpropError('LOAD_FAILED', field, 'a readable File or Blob', words(String(e)));
    }
  }
  const field = String(where instanceof URL ? where.href : where);
  const place = placeOf(where, field, 'LOAD_FAILED');
  if (place.kind === 'file') return { text: await readFileText(await filePath(place.where), field), field };
  if (place.kind === 'localstorage') return { text: loadLocal(place.name, field), field };
  if (place.kind === 'indexeddb') return { text: await loadIndexedDB(place.name, field), field };
  if (place.kind === 'http') return { text: await fetchText(place.url, field), field };
  throw new BackpropError('INVALID_OPTION', field, SCHEMES, field);
}

async function fetchText(url: string, field: string): Promise<string> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (e) {
    throw new BackpropError('LOAD_FAILED', field, 'a URL that answers', words(String(e)));
  }
  if (!response.ok)
    throw new BackpropError('LOAD_FAILED', field, 'a URL that answers 200 with a saved model', words(`HTTP ${response.status}`));
  return response.text();
}
