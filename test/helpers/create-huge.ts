// Tries to create a network of `inputs` × `units` on a backend; prints "CODE field" or what was thrown.
import { Network, BackpropError } from '../../src/index.js';

const [backend, inputs, units] = process.argv.slice(2);
try {
  await Network.create({ inputs: Number(inputs), layers: [{ units: Number(units) }] }, { backend: backend as 'wasm' | 'js' });
  process.stdout.write('created');
} catch (e) {
  process.stdout.write(e instanceof BackpropError ? `${e.code} ${e.field}: ${e.message}` : `not a BackpropError: ${String(e)}`);
}
