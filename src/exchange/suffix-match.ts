// Finding, for each of a few keys, the first name that ends with "/" + key — in one pass over the
// names, linear in their total length however many slashes they hold (slicing every suffix of a
// name would be quadratic in its length, scanning every name per key quadratic in their number).

const P = 2147483647; // 2³¹ − 1, prime; h·base + id stays below 2⁵³, so every step is exact

/**
 * name index per key, for the keys some name ends with right after a "/". Names and keys are
 * split at "/"; each component a key uses gets a number, and a run of components is hashed as a
 * polynomial in those numbers with a base drawn per call (so no file can be made to collide on
 * purpose). A name is walked from its end and left at its first component no key has, since no
 * longer suffix can match; every hash hit is confirmed by comparing the strings.
 */
export function firstWithSuffix(names: readonly string[], keys: Iterable<string>): Map<string, number> {
  const base = 2 ** 16 + Math.floor(Math.random() * (2 ** 21 - 2 ** 16));
  const ids = new Map<string, number>();
  const wanted = new Map<number, string[]>();
  for (const key of new Set(keys)) {
    const parts = key.split('/');
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
    const parts = name.split('/');
    let h = 0, length = -1; // length of the suffix parts[j..] joined by "/"
    for (let j = parts.length - 1; j >= 1; j--) {
      const id = ids.get(parts[j]);
      if (id === undefined) return;
      h = (h * base + id) % P;
      length += parts[j].length + 1;
      for (const key of wanted.get(h) ?? []) {
        if (!found.has(key) && key.length === length && name.endsWith(key)) found.set(key, index);
      }
    }
  });
  return found;
}
