import { type DecoderOutput, decodeBatch } from './decode-batch.js';
import type { PreparedCheck } from './prepare-check.js';
import type { ContentCheckJob } from './settings.js';

/**
 * The most pictures one decoder takes in a batch: a keyframes-only 10 s sample has about five, a fully
 * decoded one hundreds, so `all` checks mostly run alone and a batch stays well inside the timeout.
 */
export const MAX_BATCH_FRAMES = 300;

interface Waiting {
  check: PreparedCheck;
  job: ContentCheckJob;
  /** checks with equal settings may share a decoder */
  settings: string;
  since: number;
  done: (o: DecoderOutput) => void;
}

/** Checks of equal settings share a decoder; these fields differ per check or only steer the batching. */
const settingsKey = (j: ContentCheckJob) =>
  JSON.stringify({ ...j, batchSize: 0, batchWaitMs: 0, decoders: 0, maxSampleBytes: 0 });

/**
 * Gathers the content checks of one worker thread into batches for one ffmpeg each: a batch starts when
 * it is full, or when its oldest check has waited `batchWaitMs`, and at most `decoders` run at once.
 * The clock is passed in, so the policy is testable without waiting.
 */
export class DecoderBatcher {
  private readonly waiting: Waiting[] = [];
  private running = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly decode: (checks: PreparedCheck[], job: ContentCheckJob) => Promise<DecoderOutput[]> = decodeBatch,
    private readonly now: () => number = () => performance.now(),
  ) {}

  submit(check: PreparedCheck, job: ContentCheckJob): Promise<DecoderOutput> {
    return new Promise((done) => {
      this.waiting.push({ check, job, settings: settingsKey(job), since: this.now(), done });
      this.pump();
    });
  }

  /** Starts every batch that is due while a decoder is free; otherwise wakes up when the oldest is due. */
  private pump(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.waiting.length > 0 && this.running < this.waiting[0]!.job.decoders) {
      const batch = this.nextBatch();
      if (batch === undefined) break;
      this.start(batch);
    }
    const first = this.waiting[0];
    if (first === undefined || this.running >= first.job.decoders) return;
    const dueIn = Math.max(0, first.since + first.job.batchWaitMs - this.now());
    this.timer = setTimeout(() => this.pump(), dueIn);
    this.timer.unref?.();
  }

  /** The oldest check and those that may join it, when full or due; undefined: keep waiting. */
  private nextBatch(): Waiting[] | undefined {
    const first = this.waiting[0]!;
    const batch: Waiting[] = [];
    let frames = 0;
    for (const w of this.waiting) {
      if (batch.length >= first.job.batchSize) break;
      if (w.settings !== first.settings) continue;
      const f = w.check.video?.frames ?? 0;
      if (batch.length > 0 && frames + f > MAX_BATCH_FRAMES) break;
      batch.push(w);
      frames += f;
    }
    const full = batch.length >= first.job.batchSize || batch.length < this.sameSettings(first.settings);
    const due = this.now() - first.since >= first.job.batchWaitMs;
    if (!full && !due) return undefined;
    for (const w of batch) this.waiting.splice(this.waiting.indexOf(w), 1);
    return batch;
  }

  private sameSettings(settings: string): number {
    return this.waiting.filter((w) => w.settings === settings).length;
  }

  private start(batch: Waiting[]): void {
    this.running++;
    const failAll = (e: Error): DecoderOutput[] => batch.map(() => ({ outcome: 'failed', error: e.message }));
    this.decode(
      batch.map((w) => w.check),
      batch[0]!.job,
    )
      .catch(failAll)
      .then((outputs) => {
        this.running--;
        batch.forEach((w, i) => {
          w.done(outputs[i] ?? { outcome: 'failed', error: 'the decoder gave no output for this check' });
        });
        this.pump();
      });
  }
}
