import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseFlvFile } from '@video-exporter/flv-parser';
import { describe, expect, it } from 'vitest';

// Every H.264 fixture (tests/fixtures/make-fixtures.sh made them with Debian's ffmpeg 5.1) is compared with
// what ffprobe reports for the same file: the oracle runs live, nothing is copied from it into the test.
const dir = fileURLToPath(new URL('../fixtures/h264/', import.meta.url));
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.flv'))
  .sort();

interface FfStream {
  codec_type: string;
  codec_name: string;
  profile?: string;
  level?: number;
  width?: number;
  height?: number;
  avg_frame_rate?: string;
  nb_read_frames?: string;
  sample_rate?: string;
  channels?: number;
}

function ffprobe(file: string): { streams: FfStream[]; keyframes: number } {
  const streams = JSON.parse(
    execFileSync('ffprobe', ['-v', 'error', '-count_frames', '-show_streams', '-of', 'json', file], {
      encoding: 'utf8',
    }),
  ).streams as FfStream[];
  // Key packets (flag K) as ffprobe's FLV demuxer reads them: what a keyframe count over FLV means.
  const packets = execFileSync(
    'ffprobe',
    ['-v', 'error', '-select_streams', 'v', '-show_entries', 'packet=flags', '-of', 'csv=p=0', file],
    {
      encoding: 'utf8',
    },
  );
  return { streams, keyframes: packets.split('\n').filter((l) => l.includes('K')).length };
}

const rate = (r: string) => {
  const [n, d] = r.split('/').map(Number);
  return n! / d!;
};

describe('H.264 fixtures against ffprobe', () => {
  it('has the fixtures', () => expect(files.length).toBeGreaterThanOrEqual(15));

  for (const name of files) {
    it(name, () => {
      const path = dir + name;
      const ours = parseFlvFile(readFileSync(path));
      const oracle = ffprobe(path);
      const v = oracle.streams.find((s) => s.codec_type === 'video');
      const a = oracle.streams.find((s) => s.codec_type === 'audio');
      expect(ours.anomalies).toEqual({});
      if (v) {
        expect(ours.video.codec).toBe('H.264');
        expect(ours.video.width).toBe(v.width);
        expect(ours.video.height).toBe(v.height);
        expect(ours.video.profile).toBe(v.profile);
        expect(ours.video.level).toBe((v.level! / 10).toFixed(1));
        expect(ours.video.frames).toBe(Number(v.nb_read_frames));
        expect(ours.video.keyframes).toBe(oracle.keyframes);
        // DTS in FLV has 1 ms resolution: 29.97 fps steps are 33/34 ms.
        expect(ours.video.framerate!).toBeCloseTo(rate(v.avg_frame_rate!), 1);
      } else {
        expect(ours.video.frames).toBe(0);
        expect(ours.video.codec).toBeUndefined();
      }
      if (a) {
        expect(ours.audio.codec).toBe(a.codec_name === 'aac' ? 'AAC' : a.codec_name === 'mp3' ? 'MP3' : a.codec_name);
        expect(ours.audio.sample_rate).toBe(Number(a.sample_rate));
        expect(ours.audio.channels).toBe(a.channels);
      } else {
        expect(ours.audio.frames).toBe(0);
      }
    });
  }
});
