/** The worst schedule lag seen over a sliding window (one check interval): the overload signal. */
export class LagWindow {
  private readonly samples: { at: number; lagMs: number }[] = [];

  add(atMs: number, lagMs: number): void {
    this.samples.push({ at: atMs, lagMs });
    if (this.samples.length > 100_000) this.samples.splice(0, this.samples.length - 100_000);
  }

  max(nowMs: number, windowMs: number): number {
    while (this.samples.length > 0 && this.samples[0]!.at < nowMs - windowMs) this.samples.shift();
    let max = 0;
    for (const s of this.samples) if (s.lagMs > max) max = s.lagMs;
    return max;
  }
}
