// Finding, for each of a few keys, the first name that ends with "/" + key — in one pass over the
// names, linear in their total length however many slashes they hold (slicing every suffix of a
// name would be quadratic in its length, scanning every name per key quadratic in their number).

const P = 2147483647; // 2³¹ − 1, prime; h·base + id stays below 2⁵³, so every step is exact

/**
 * name index per key, for the keys some name ends with right after a "/". Names and keys are
 * split at "/"; each component a key uses gets a number, and a run of components is hashed as a
 * polynomial in those numbers with a base drawn per call (so no file can be made to collide on
 * purpose). A name is walked from its end and left at its first component no key has, or past
 * as many components as the longest key, since no longer suffix can match; every hash hit is
 * confirmed by comparing the strings.
 */
export function firstWithSuffix(names: readonly string[], keys: Iterable<string>): Map<string, number> {
  const base = 2 ** 16 + Math.floor(Math.random() * (2 ** 21 - 2 ** 16));
  const ids = new Map<string, number>();
  const wanted = new Map<number, string[]>();
  let longest = 0; // components in the longest key: no longer suffix can match
  for (const key of new Set(keys)) {
    const parts = key.split('/');
    longest = Math.max(longest, parts.length);
    let h = 0;
    for (let j = parts.length - 1; j >= 0; j--) {
      let id = ids.get(parts[j]);
      if (id === undefined) ids.set(parts[j], (id = ids.size + 1));
      h = (h * base + id) % P;
    }
    const list = wanted.get(h);
    if (list) list.push(key);
    else wanted.set(h, [key]);
  }
  const found = new Map<string, number>();
  if (wanted.size === 0) return found;
  names.forEach((name, index) => {
    let h = 0;
    // Components from the end: name.slice(start + 1, end) is the one in hand, after a "/" at start.
    for (
      let end = name.length, start = name.lastIndexOf('/'), steps = 0;
      start >= 0 && steps < longest;
      end = start, start = name.lastIndexOf('/', start - 1), steps++
    ) {
      const id = ids.get(name.slice(start + 1, end));
      if (id === undefined) return;
      h = (h * base + id) % P;
      const hits = wanted.get(h);
      if (hits) {
        for (const key of hits) if (!found.has(key) && key.length === name.length - start - 1 && name.endsWith(key)) found.set(key, index);
      }
      if (start === 0) return;
    }
  });
  return found;
}
