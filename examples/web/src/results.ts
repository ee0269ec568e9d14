// After each epoch: per-class accuracy, the confusion matrix and a gallery of misclassified test
// digits with their true and predicted labels.
import type { Evaluation } from './messages.js';

const SIDE = 28;

export function showEvaluation(
  e: Evaluation,
  into: { perClass: HTMLElement; confusion: HTMLElement; gallery: HTMLElement; summary: HTMLElement },
): void {
  const row = (t: number) => e.confusion.slice(t * 10, t * 10 + 10);
  const totals = Array.from({ length: 10 }, (_, t) => row(t).reduce((a, b) => a + b, 0));
  into.summary.textContent = `${(100 * e.accuracy).toFixed(2)}% of ${totals.reduce((a, b) => a + b, 0).toLocaleString('en-US')} test digits right; ${e.mistakeCount} wrong.`;
  into.perClass.innerHTML = Array.from({ length: 10 }, (_, d) => {
    const acc = totals[d] ? row(d)[d] / totals[d] : 0;
    return `<li><span>${d}</span><span class="bar"><i style="width:${(100 * acc).toFixed(1)}%"></i></span><span>${(100 * acc).toFixed(1)}%</span></li>`;
  }).join('');
  const max = Math.max(1, ...e.confusion.filter((_, i) => i % 11 !== 0));
  let html = '<tr><th title="true ↓ / predicted →">t\\p</th>' + Array.from({ length: 10 }, (_, p) => `<th>${p}</th>`).join('') + '</tr>';
  for (let t = 0; t < 10; t++) {
    html +=
      `<tr><th>${t}</th>` +
      row(t)
        .map((c, p) => {
          const style = t === p ? 'diag' : c ? `style="background:rgba(255,166,87,${(0.15 + (0.85 * c) / max).toFixed(2)})"` : '';
          return `<td ${style === 'diag' ? 'class="diag"' : style} title="true ${t}, predicted ${p}: ${c}">${c || ''}</td>`;
        })
        .join('') +
      '</tr>';
  }
  into.confusion.innerHTML = html;
  into.gallery.replaceChildren(
    ...e.mistakes.map((m) => {
      const fig = document.createElement('figure');
      const canvas = document.createElement('canvas');
      canvas.width = canvas.height = SIDE;
      const ctx = canvas.getContext('2d')!;
      const img = ctx.createImageData(SIDE, SIDE);
      m.pixels.forEach((g, i) => img.data.set([g, g, g, 255], i * 4));
      ctx.putImageData(img, 0, 0);
      const caption = document.createElement('figcaption');
      caption.innerHTML = `<b>${m.predicted}</b> <s>${m.label}</s>`;
      caption.title = `predicted ${m.predicted}, true ${m.label}`;
      fig.append(canvas, caption);
      return fig;
    }),
  );
}
