/// <reference types="node" />
// Output while training: a redrawn progress bar on a terminal, nothing extra when piped (so
// logs and tests see plain lines only). Bars go to stderr, results to stdout.

export interface Out {
  line(text: string): void; // a result line (stdout)
  note(text: string): void; // a remark (stderr)
}

export const consoleOut: Out = {
  line: (t) => process.stdout.write(t + '\n'),
  note: (t) => process.stderr.write(t + '\n'),
};

export class ProgressBar {
  private shown = false;
  constructor(
    private readonly stream: NodeJS.WriteStream = process.stderr,
    readonly enabled = stream.isTTY === true && !process.env.CI,
  ) {}

  /** Redraws `label [#####-----] 45% extra` in place. */
  update(label: string, fraction: number, extra = ''): void {
    if (!this.enabled) return;
    const width = 30;
    const full = Math.round(Math.min(1, Math.max(0, fraction)) * width);
    const bar = '█'.repeat(full) + '░'.repeat(width - full);
    this.stream.write(`\r\x1b[2K${label} ${bar} ${String(Math.floor(fraction * 100)).padStart(3)}% ${extra}`);
    this.shown = true;
  }

  /** Removes the bar so a result line can take its place. */
  clear(): void {
    if (!this.shown) return;
    this.stream.write('\r\x1b[2K');
    this.shown = false;
  }
}

/** 12345.6 → "12,346" */
export const count = (v: number): string => Math.round(v).toLocaleString('en-US');
export const percent = (v: number): string => `${(100 * v).toFixed(2)}%`;
