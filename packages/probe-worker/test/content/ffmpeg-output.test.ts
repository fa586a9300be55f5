import { describe, expect, it } from 'vitest';
import { parseDetectors } from '../../src/content/ffmpeg-output.js';

// metadata printer files as FFmpeg 5.1 writes them (copied from real runs)
const FREEZE_ONE_PICTURE = `frame:1    pts:2080    pts_time:2.08
lavfi.freezedetect.freeze_start=0.08
lavfi.freezedetect.freeze_duration=2
lavfi.freezedetect.freeze_end=2.08
`;
const frame = (n: number, t: number, ...lines: string[]) =>
  `frame:${n}    pts:${t * 1000}    pts_time:${t}\n${lines.join('\n')}\n`;

describe('parseDetectors', () => {
  it('a freeze run that holds one picture (two differing keyframes d apart) is no freeze', () => {
    expect(parseDetectors(FREEZE_ONE_PICTURE, '', 4, 0, [0.08, 2.08]).frozenS).toBe(0);
  });

  it('a freeze still open at the end counts to the end of the sample', () => {
    const d = parseDetectors(frame(3, 3, 'lavfi.freezedetect.freeze_start=1'), '', 10, 0, [0, 1, 2, 3, 9]);
    expect(d.frozenS).toBe(9);
  });

  it('a black run ended before the end counts to its end; one never ended reaches the end', () => {
    const closed = frame(0, 0, 'lavfi.black_start=0') + frame(3, 3, 'lavfi.black_end=3');
    expect(parseDetectors(closed, '', 6, 0, [0, 1, 2, 3, 4, 5]).blackS).toBe(3);
    expect(parseDetectors(frame(0, 0, 'lavfi.black_start=0'), '', 6, 0, [0, 1, 2, 3, 4, 5]).blackS).toBe(6);
  });

  it("takes ebur128's integrated loudness on the last frame", () => {
    const audio = frame(0, 0.1, 'lavfi.r128.M=-120.7', 'lavfi.r128.I=-70.000') + frame(9, 1, 'lavfi.r128.I=-21.8');
    expect(parseDetectors('', audio, 0, 6).loudnessLufs).toBe(-21.8);
    expect(parseDetectors('', frame(0, 0.1, 'lavfi.r128.M=-20'), 0, 6).loudnessLufs).toBeUndefined();
  });

  it('silence open at the end counts to the audio end; lines that are not figures add nothing', () => {
    const d = parseDetectors('lavfi.black_start=nope\nfreeze_end: x', frame(2, 2, 'lavfi.silence_start=2'), 0, 10);
    expect(d.silentS).toBe(8);
    expect(d.blackS).toBe(0);
  });

  it('silence that ends counts its length only', () => {
    const a = frame(2, 2, 'lavfi.silence_start=2') + frame(5, 5, 'lavfi.silence_end=5', 'lavfi.silence_duration=3');
    expect(parseDetectors('', a, 0, 10).silentS).toBe(3);
  });
});
