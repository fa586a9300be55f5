/**
 * Reads what ffmpeg's blackdetect, freezedetect, silencedetect and ebur128 put on the frames, as a
 * metadata printer writes it (`frame:N pts:… pts_time:…` lines, then `key=value` lines). Pure.
 * A run still open when the media ends (no end is ever set then) counts to the end.
 */

export interface DetectedContent {
  /** seconds of black picture / frozen picture / silence, within [0, span] */
  blackS: number;
  frozenS: number;
  silentS: number;
  /** integrated loudness, LUFS (ebur128's figure on the last frame); undefined when there was none */
  loudnessLufs?: number;
  /** lines that looked like a detector's but did not parse, for the log */
  garbage: number;
}

type Kind = 'black' | 'freeze' | 'silence';

const NUM = String.raw`(-?\d+(?:\.\d+)?(?:e[-+]?\d+)?)`;
const START = new RegExp(String.raw`\b(black|freeze|silence)_start=${NUM}$`, 'gm');
const END = new RegExp(String.raw`\b(black|freeze|silence)_end=${NUM}$`, 'gm');
/** ebur128 sets the integrated loudness so far on every frame it passes: the last one is the summary's */
const INTEGRATED = new RegExp(String.raw`^lavfi\.r128\.I=${NUM}$`, 'gm');

class Runs {
  private open: number | undefined;
  total = 0;
  /**
   * `lastFrameS`: pts of the last decoded picture; with `extendAtLast` a run ended there reaches the
   * sample's end (blackdetect ends an open run at the last picture, whose duration it cannot know; in
   * keyframes mode that picture stands for seconds of media). `framesS`: pts of the decoded pictures;
   * with it, a run holding a single picture is dropped (freezedetect reports one when two pictures are
   * `d` apart, as keyframes are, even if they differ).
   */
  constructor(
    private readonly spanS: number,
    private readonly lastFrameS = Infinity,
    private readonly extendAtLast = false,
    private readonly framesS?: readonly number[],
  ) {}

  start(t: number): void {
    this.open ??= t;
  }
  end(t: number): void {
    const from = this.open ?? 0;
    this.open = undefined;
    if (this.framesS && !this.framesS.some((f) => f > from && f < t)) return;
    const to = this.extendAtLast && t >= this.lastFrameS ? this.spanS : Math.min(t, this.spanS);
    this.total += Math.max(0, to - Math.max(0, from));
  }
  finish(): number {
    // open at the end: the run lasted to the sample's end (freezedetect prints no freeze_end then)
    if (this.open !== undefined) this.end(Infinity);
    return Math.min(this.total, this.spanS);
  }
}

export function parseDetectors(
  videoMeta: string,
  audioMeta: string,
  videoSpanS: number,
  audioSpanS: number,
  framesS: readonly number[] = [],
): DetectedContent {
  const lastFrameS = framesS.at(-1) ?? Infinity;
  const runs: Record<Kind, Runs> = {
    black: new Runs(videoSpanS, lastFrameS, true),
    freeze: new Runs(videoSpanS, lastFrameS, false, framesS),
    silence: new Runs(audioSpanS),
  };
  let garbage = 0;
  // events in the order ffmpeg printed them: a start and an end may share a line (blackdetect)
  const events: { at: number; kind: Kind; edge: 'start' | 'end'; t: number }[] = [];
  // the two files: sound events after the pictures' (each kind lives in one of them)
  const text = `${videoMeta}\n${audioMeta}`;
  for (const [re, edge] of [
    [START, 'start'],
    [END, 'end'],
  ] as const) {
    for (const m of text.matchAll(re)) {
      const t = Number(m[2]);
      if (!Number.isFinite(t)) {
        garbage++;
        continue;
      }
      events.push({ at: m.index ?? 0, kind: m[1] as Kind, edge, t });
    }
  }
  events.sort((a, b) => a.at - b.at);
  for (const e of events) {
    if (e.edge === 'start') runs[e.kind].start(e.t);
    else runs[e.kind].end(e.t);
  }
  const out: DetectedContent = {
    blackS: runs.black.finish(),
    frozenS: runs.freeze.finish(),
    silentS: runs.silence.finish(),
    garbage,
  };
  const last = [...audioMeta.matchAll(INTEGRATED)].at(-1);
  if (last && Number.isFinite(Number(last[1]))) out.loudnessLufs = Number(last[1]);
  return out;
}
