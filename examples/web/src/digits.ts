// The demo's digit file: [trainCount, testCount] as u32 LE, then train pixels (u8, 0–255),
// train labels (u8), test pixels, test labels. 8 MB instead of the package's 22 MB of JSON.
export const DIGITS_FILE = 'mnist-digits.bin';

export interface Digits {
  trainX: Float64Array;
  trainLabels: Uint8Array;
  testX: Float64Array;
  testLabels: Uint8Array;
  trainCount: number;
  testCount: number;
}

export function encodeDigits(
  trainX: Float64Array,
  trainLabels: Uint8Array,
  testX: Float64Array,
  testLabels: Uint8Array,
  pixels: number,
): Uint8Array {
  const out = new Uint8Array(8 + (trainLabels.length + testLabels.length) * (pixels + 1));
  const dv = new DataView(out.buffer);
  dv.setUint32(0, trainLabels.length, true);
  dv.setUint32(4, testLabels.length, true);
  let at = 8;
  for (const [x, labels] of [
    [trainX, trainLabels],
    [testX, testLabels],
  ] as const) {
    for (let i = 0; i < x.length; i++) out[at++] = Math.round(x[i] * 255);
    out.set(labels, at);
    at += labels.length;
  }
  return out;
}

export function decodeDigits(buf: ArrayBuffer, pixels: number): Digits {
  const dv = new DataView(buf);
  const trainCount = dv.getUint32(0, true),
    testCount = dv.getUint32(4, true);
  const bytes = new Uint8Array(buf);
  if (bytes.length !== 8 + (trainCount + testCount) * (pixels + 1)) throw new Error(`${DIGITS_FILE}: unexpected length ${bytes.length}`);
  let at = 8;
  const take = (count: number) => {
    const x = Float64Array.from(bytes.subarray(at, at + count * pixels), (v) => v / 255);
    at += count * pixels;
    const labels = bytes.slice(at, at + count);
    at += count;
    return { x, labels };
  };
  const tr = take(trainCount),
    te = take(testCount);
  return { trainX: tr.x, trainLabels: tr.labels, testX: te.x, testLabels: te.labels, trainCount, testCount };
}
