import { Network } from '/work/wt/playground/src/index.js';
const net = await Network.create({ inputs: 3, l2: 0.01, seed: 5, backend:'js', loss: 'mse',
  layers: [{ units: 4, activation: 'tanh' }, { units: 3, activation: 'leakyRelu', dropout: 0.5 }, { units: 2, activation: 'linear' }] });
const x = [[0.2, -0.5, 0.9], [1.1, 0.3, -0.7], [-0.4, 0.8, 0.1]];
const y = [[0.5, -0.2], [0.1, 0.3], [-0.6, 0.4]];
const g = net.gradients(x,y);
for (let l=0;l<3;l++){ const ws=net.getWeights(); const at=(d:number)=>{const c=structuredClone(ws); c[l].weights[1][0]+=d; net.setWeights(c); return net.loss(x,y)}; const fd=(at(1e-6)-at(-1e-6))/2e-6; net.setWeights(ws); console.log(l, g[l].weights[1][0], fd);}
