import { describe, expect, it } from 'vitest';
import { parseDetectors } from '../../src/content/ffmpeg-output.js';

// stderr lines as FFmpeg 5.1 prints them (copied from real runs)
const FREEZE_ONE_PICTURE = `[freezedetect @ 0x1] lavfi.freezedetect.freeze_start: 0.08
[freezedetect @ 0x1] lavfi.freezedetect.freeze_duration: 2
[freezedetect @ 0x1] lavfi.freezedetect.freeze_end: 2.08`;

describe('parseDetectors', () => {
  it('a freeze run that holds one picture (two differing keyframes d apart) is no freeze', () => {
    expect(parseDetectors(FREEZE_ONE_PICTURE, 4, 0, [0.08, 2.08]).frozenS).toBe(0);
  });

  it('a freeze still open at the end counts to the end of the sample', () => {
    const d = parseDetectors('[freezedetect @ 0x1] lavfi.freezedetect.freeze_start: 1', 10, 0, [0, 1, 2, 3, 9]);
    expect(d.frozenS).toBe(9);
  });

  it('a black run ended at the last picture reaches the end; one ended earlier does not', () => {
    const line = (a: number, b: number) =>
      `[blackdetect @ 0x1] black_start:${a} black_end:${b} black_duration:${b - a}`;
    expect(parseDetectors(line(0, 5), 6, 0, [0, 1, 2, 3, 4, 5]).blackS).toBe(6);
    expect(parseDetectors(line(0, 3), 6, 0, [0, 1, 2, 3, 4, 5]).blackS).toBe(3);
  });

  it('takes the last ebur128 summary (FFmpeg 5.1 prints one for an empty first graph)', () => {
    const summary = (i: number) =>
      `[Parsed_ebur128_1 @ 0x1] Summary:\n\n  Integrated loudness:\n    I:         ${i} LUFS\n`;
    expect(parseDetectors(summary(-70) + summary(-21.8), 0, 6).loudnessLufs).toBe(-21.8);
  });

  it('silence open at the end counts to the audio end; garbage adds nothing', () => {
    const d = parseDetectors('[silencedetect @ 0x1] silence_start: 2\nblack_start:nope freeze_end: x', 0, 10);
    expect(d.silentS).toBe(8);
    expect(d.blackS).toBe(0);
  });
});
