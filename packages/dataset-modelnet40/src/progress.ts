import type { Logger } from '@ungreedy/core';

/** Where a bar is drawn: process.stderr, or anything with the same two members. */
export interface ProgressStream {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

/**
 * A progress reporter: a redrawn one-line bar when `stream` is a terminal, else a log line every 10 %.
 * `update` is cheap to call per item.
 */
export class Progress {
  private done = 0;
  private lastDraw = 0;
  private lastLoggedDecile = 0;
  private readonly started = Date.now();

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly sink: { stream?: ProgressStream | undefined; log?: Logger | undefined },
  ) {}

  update(step = 1): void {
    this.done += step;
    const now = Date.now();
    const stream = this.sink.stream;
    if (stream?.isTTY) {
      if (now - this.lastDraw < 100 && this.done < this.total) return;
      this.lastDraw = now;
      const width = 30;
      const frac = this.total > 0 ? this.done / this.total : 1;
      const filled = Math.round(frac * width);
      const rate = this.done / Math.max(1e-3, (now - this.started) / 1000);
      stream.write(
        `\r${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${this.done}/${this.total} ${rate.toFixed(1)}/s`,
      );
    } else if (this.sink.log && this.total > 0) {
      const decile = Math.floor((10 * this.done) / this.total);
      if (decile > this.lastLoggedDecile) {
        this.lastLoggedDecile = decile;
        this.sink.log.info({ task: this.label, done: this.done, total: this.total }, 'progress');
      }
    }
  }

  finish(): void {
    if (this.sink.stream?.isTTY) this.sink.stream.write('\n');
  }
}
