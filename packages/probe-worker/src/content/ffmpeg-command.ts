import type { PreparedCheck } from './prepare-check.js';
import type { ContentCheckJob } from './settings.js';

/**
 * Where check `i` of a batch finds what ffmpeg wrote, relative to the decoder's working directory (plain
 * names: a path inside a filter graph would need two levels of escaping).
 */
export const batchFiles = (i: number) => ({ video: `v${i}.txt`, audio: `a${i}.txt`, thumbnail: `t${i}.jpg` });

/**
 * The one ffmpeg command of a batch of checks: per check, blackdetect and freezedetect on the pictures and
 * the last keyframe scaled into a JPEG, silencedetect and ebur128 on the sound. Each chain ends in a
 * metadata printer writing its own file, so every figure is tied to its check (the log names filters
 * only by address). One thread each: many checks share the machine with the probes. The JPEG output
 * passes frames through as they come: at the muxer's default constant rate ffmpeg would encode a copy
 * of the picture for every frame interval up to the last keyframe.
 */
export function ffmpegArgs(c: ContentCheckJob, checks: readonly PreparedCheck[]): string[] {
  const args = ['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'error'];
  const graph: string[] = [];
  const outputs: string[] = [];
  const d = c.minDurationS;
  let input = 0;
  checks.forEach((check, i) => {
    const files = batchFiles(i);
    const v = check.video;
    if (v !== null) {
      args.push('-threads', '1');
      if (v.format === 'ivf') args.push('-f', 'ivf', '-i', v.path);
      else args.push('-f', v.format, '-framerate', v.framerate.toFixed(3), '-i', v.path);
      const detect =
        `[${input++}:v]blackdetect=d=${d}:pix_th=${c.blackPixelThreshold},` +
        `freezedetect=n=${c.freezeNoiseDb}dB:d=${d},metadata=mode=print:file=${files.video}`;
      if (check.thumbnail) {
        graph.push(`${detect},select='eq(n\\,${v.lastKeyIndex})',scale=${c.thumbnailWidth}:-2[t${i}]`);
        outputs.push('-map', `[t${i}]`, '-fps_mode', 'passthrough', '-threads', '1', '-q:v', '5');
        outputs.push('-update', '1', '-f', 'image2', '-y', files.thumbnail);
      } else {
        graph.push(`${detect}[v${i}]`);
        outputs.push('-map', `[v${i}]`, '-f', 'null', '-');
      }
    }
    if (check.audio !== null) {
      args.push('-f', check.audio.format === 'adts' ? 'aac' : 'mp3', '-i', check.audio.path);
      graph.push(
        `[${input++}:a]silencedetect=n=${c.silenceDb}dB:d=${d},ebur128=metadata=1:framelog=verbose,` +
          `ametadata=mode=print:file=${files.audio}[a${i}]`,
      );
      outputs.push('-map', `[a${i}]`, '-f', 'null', '-');
    }
  });
  args.push('-filter_complex_threads', '1', '-filter_complex', graph.join(';'), ...outputs);
  return args;
}
