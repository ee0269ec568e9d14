// The script of a fresh Node process that runs one short threaded fit (three chunks of one batch on
// 2 threads) and prints how many threads ran: the process must then exit by itself. Run with
// `node --import tsx --input-type=module -e <script>` from the repository's root.
export const threadedFitScript = (enable: boolean) => `
  import { Network } from './src/index.ts';
  import { enableThreads } from './src/parallel/enable.ts';
  if (${enable}) enableThreads();
  const net = await Network.create({ inputs: 2, layers: [{ units: 8 }, { units: 1 }], loss: 'mse', seed: 1 });
  const h = await net.fit({ inputs: [[0, 0], [0, 1], [1, 0], [1, 1]], targets: [[0], [1], [1], [0]] }, { epochs: 3, batchSize: 4, threads: 2 });
  console.log('threads', h.threads);`;
