// The browser's places for a saved model, under the scheme names TF.js uses: localstorage://,
// indexeddb:// (for large models: localStorage holds a few MB per origin) and downloads://.
// Each keeps the model as toJSON()'s text, so what loads is what fromJSON reads.
import { BackpropError, words } from '../errors.js';

/** The localStorage key and IndexedDB (database, store) of models saved under a name. */
export const LOCAL_STORAGE_PREFIX = 'backprop-wasm/models/';
export const IDB_DATABASE = 'backprop-wasm';
export const IDB_STORE = 'models';

const reason = (e: unknown) => words(e instanceof Error ? `${e.name}: ${e.message}` : String(e));

function storage(field: string, code: 'SAVE_FAILED' | 'LOAD_FAILED'): Storage {
  const ls = (globalThis as { localStorage?: Storage }).localStorage;
  if (!ls)
    throw new BackpropError(
      code,
      field,
      'localStorage, which pages have and Web Workers do not (indexeddb:// works in both)',
      words('no localStorage here'),
    );
  return ls;
}

/** setItem either stores the whole text or throws (QuotaExceededError) leaving the old value. */
export function saveLocal(name: string, text: string, field: string): void {
  const ls = storage(field, 'SAVE_FAILED');
  try {
    ls.setItem(LOCAL_STORAGE_PREFIX + name, text);
  } catch (e) {
    throw new BackpropError(
      'SAVE_FAILED',
      field,
      `room in localStorage for ${text.length.toLocaleString('en-US')} characters (indexeddb:// holds large models)`,
      reason(e),
    );
  }
}

export function loadLocal(name: string, field: string): string {
  const text = storage(field, 'LOAD_FAILED').getItem(LOCAL_STORAGE_PREFIX + name);
  if (text === null) throw new BackpropError('LOAD_FAILED', field, 'a model saved under this name', words('nothing in localStorage'));
  return text;
}

function openDatabase(field: string, code: 'SAVE_FAILED' | 'LOAD_FAILED'): Promise<IDBDatabase> {
  const idb = (globalThis as { indexedDB?: IDBFactory }).indexedDB;
  if (!idb) return Promise.reject(new BackpropError(code, field, 'IndexedDB (pages and Web Workers have it)', words('no indexedDB here')));
  return new Promise((resolve, reject) => {
    const request = idb.open(IDB_DATABASE, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(IDB_STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(new BackpropError(code, field, 'an IndexedDB database that opens', reason(request.error)));
    request.onblocked = () =>
      reject(new BackpropError(code, field, 'an IndexedDB database that opens', words('blocked by another connection')));
  });
}

/** One transaction: it commits the whole text or aborts (quota, …) leaving the old entry. */
export async function saveIndexedDB(name: string, text: string, field: string): Promise<void> {
  const db = await openDatabase(field, 'SAVE_FAILED');
  try {
    await new Promise<void>((resolve, reject) => {
      const tx = db.transaction(IDB_STORE, 'readwrite');
      tx.objectStore(IDB_STORE).put(text, name);
      tx.oncomplete = () => resolve();
      const fail = () =>
        reject(
          new BackpropError(
            'SAVE_FAILED',
            field,
            `room in IndexedDB for ${text.length.toLocaleString('en-US')} characters`,
            reason(tx.error),
          ),
        );
      tx.onabort = fail;
      tx.onerror = (event) => event.preventDefault(); // reported once, by onabort
    });
  } finally {
    db.close();
  }
}

export async function loadIndexedDB(name: string, field: string): Promise<string> {
  const db = await openDatabase(field, 'LOAD_FAILED');
  try {
    return await new Promise<string>((resolve, reject) => {
      const request = db.transaction(IDB_STORE, 'readonly').objectStore(IDB_STORE).get(name);
      request.onsuccess = () => {
        if (typeof request.result === 'string') resolve(request.result);
        else reject(new BackpropError('LOAD_FAILED', field, 'a model saved under this name', words('nothing in IndexedDB')));
      };
      request.onerror = () => reject(new BackpropError('LOAD_FAILED', field, 'a readable IndexedDB entry', reason(request.error)));
    });
  } finally {
    db.close();
  }
}

/** Offers the model as a file download, `<name>.json`, as TF.js's downloads:// does. */
export function download(name: string, text: string, field: string): void {
  const doc = (globalThis as { document?: Document }).document;
  if (!doc)
    throw new BackpropError('SAVE_FAILED', field, 'a page (downloads need a document; Web Workers have none)', words('no document here'));
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const link = doc.createElement('a');
  link.href = url;
  link.download = `${name}.json`;
  link.style.display = 'none';
  doc.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
