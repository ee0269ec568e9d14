// Prints the seeded workload's saved models as JSON, for a determinism check from another process.
import { runWorkload } from './seeded-workload.js';

process.stdout.write(JSON.stringify(await runWorkload((process.argv[2] as 'wasm' | 'js') ?? 'wasm')));
