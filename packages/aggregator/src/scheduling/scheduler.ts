import { nextSlot, phaseMs } from './phase.js';

export interface SchedulerClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: SchedulerClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface SchedulerOptions {
  intervalMs: number;
  maxConcurrent: number;
  /** runs one probe of a stream; the scheduler never runs two of one key at once */
  run(key: string): Promise<void>;
  /** how late a probe started versus its slot, ms (queueing for a slot included) */
  onLag?(key: string, lagMs: number): void;
  /** a slot came while the previous probe of the stream still ran: skipped */
  onOverlap?(key: string): void;
  clock?: SchedulerClock;
}

interface Entry {
  key: string;
  phase: number;
  timer: unknown;
  running: boolean;
  queued: boolean;
}

/**
 * Fires each stream at its stable phase inside the interval; caps probes in flight at maxConcurrent
 * with a FIFO queue; never overlaps two probes of one stream.
 */
export class Scheduler {
  private readonly entries = new Map<string, Entry>();
  private readonly queue: { key: string; due: number }[] = [];
  private inFlight = 0;
  private stopped = false;
  private readonly clock: SchedulerClock;

  constructor(private readonly o: SchedulerOptions) {
    this.clock = o.clock ?? systemClock;
  }

  get running(): number {
    return this.inFlight;
  }

  get queued(): number {
    return this.queue.length;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  add(key: string): void {
    if (this.entries.has(key) || this.stopped) return;
    const entry: Entry = {
      key,
      phase: phaseMs(key, this.o.intervalMs),
      timer: undefined,
      running: false,
      queued: false,
    };
    this.entries.set(key, entry);
    this.arm(entry);
  }

  remove(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.clock.clearTimeout(entry.timer);
    this.entries.delete(key);
    const i = this.queue.findIndex((q) => q.key === key);
    if (i >= 0) this.queue.splice(i, 1);
  }

  stop(): void {
    this.stopped = true;
    for (const entry of this.entries.values()) this.clock.clearTimeout(entry.timer);
    this.entries.clear();
    this.queue.length = 0;
  }

  private arm(entry: Entry): void {
    const now = this.clock.now();
    let due = nextSlot(now, entry.phase, this.o.intervalMs);
    if (due <= now) due += this.o.intervalMs;
    entry.timer = this.clock.setTimeout(() => this.fire(entry, due), due - now);
  }

  private fire(entry: Entry, due: number): void {
    if (this.stopped || this.entries.get(entry.key) !== entry) return;
    this.arm(entry);
    if (entry.running || entry.queued) {
      this.o.onOverlap?.(entry.key);
      return;
    }
    if (this.inFlight >= this.o.maxConcurrent) {
      entry.queued = true;
      this.queue.push({ key: entry.key, due });
      return;
    }
    this.start(entry, due);
  }

  private start(entry: Entry, due: number): void {
    entry.running = true;
    this.inFlight++;
    this.o.onLag?.(entry.key, Math.max(0, this.clock.now() - due));
    this.o
      .run(entry.key)
      .catch(() => {
        // run() reports its own failures; the scheduler only keeps the cadence
      })
      .finally(() => {
        entry.running = false;
        this.inFlight--;
        this.drain();
      });
  }

  private drain(): void {
    while (!this.stopped && this.inFlight < this.o.maxConcurrent && this.queue.length > 0) {
      const next = this.queue.shift()!;
      const entry = this.entries.get(next.key);
      if (!entry) continue;
      entry.queued = false;
      this.start(entry, next.due);
    }
  }
}
