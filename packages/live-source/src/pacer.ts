/**
 * The one timer of a live source: every tick, every stream gets the chance to send what its timeline says
 * is due. One setInterval for thousands of connections instead of one timer each; streams compute what is
 * due from the clock reading, so timer jitter never changes the pacing, only the batch sizes.
 */

export interface PacedStream {
  tick(nowMs: number): void;
  /** called when tick threw: the stream must tear itself down */
  abort(err: unknown): void;
}

export class Pacer {
  private readonly streams = new Set<PacedStream>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly tickMs: number,
    private readonly clock: () => number = () => performance.now(),
  ) {
    if (!(tickMs >= 1)) throw new Error(`tickMs must be >= 1, got ${tickMs}`);
  }

  get size(): number {
    return this.streams.size;
  }

  add(stream: PacedStream): void {
    this.streams.add(stream);
    if (this.timer === undefined) {
      this.timer = setInterval(() => this.runTick(), this.tickMs);
      // the server's listening socket is what keeps a process alive, not the pacing timer
      this.timer.unref();
    }
  }

  delete(stream: PacedStream): void {
    this.streams.delete(stream);
    if (this.streams.size === 0) this.stop();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  private runTick(): void {
    const now = this.clock();
    for (const stream of this.streams) {
      try {
        stream.tick(now);
      } catch (err) {
        this.streams.delete(stream);
        stream.abort(err);
      }
    }
    if (this.streams.size === 0) this.stop();
  }
}
