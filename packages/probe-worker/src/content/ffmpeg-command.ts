import type { ContentCheckJob } from './settings.js';

export interface CommandInputs {
  /**
   * the video: IVF (timestamps per frame) or, for HEVC, which FFmpeg 5.1's IVF reader does not map, raw
   * Annex-B read at the sample's mean frame rate; null without video
   */
  video: { path: string; format: 'ivf' | 'hevc'; framerate: number } | null;
  audio: { path: string; format: 'adts' | 'mp3' } | null;
  /** where the JPEG goes; null: no thumbnail */
  thumbnailPath: string | null;
  /** decode-order index of the last keyframe: the one picture scaled and encoded (not every keyframe) */
  lastKeyIndex: number;
}

/**
 * The one ffmpeg command of a check: blackdetect and freezedetect on the pictures, the last keyframe
 * scaled into a JPEG, silencedetect and ebur128 on the sound. One thread each: many checks share the
 * machine with the probes. Inputs are files of bounded size, so the run is bounded too.
 */
export function ffmpegArgs(c: ContentCheckJob, inputs: CommandInputs): string[] {
  const args = ['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'info', '-threads', '1'];
  const graph: string[] = [];
  const outputs: string[] = [];
  let audioIndex = 0;
  const d = c.minDurationS;
  if (inputs.video !== null) {
    const v = inputs.video;
    if (v.format === 'ivf') args.push('-f', 'ivf', '-i', v.path);
    else args.push('-f', v.format, '-framerate', v.framerate.toFixed(3), '-i', v.path);
    audioIndex = 1;
    const detect = `blackdetect=d=${d}:pix_th=${c.blackPixelThreshold},freezedetect=n=${c.freezeNoiseDb}dB:d=${d}`;
    if (inputs.thumbnailPath !== null) {
      graph.push(`[0:v]${detect},select='eq(n\\,${inputs.lastKeyIndex})',scale=${c.thumbnailWidth}:-2[thumb]`);
      outputs.push('-map', '[thumb]', '-update', '1', '-q:v', '5', '-f', 'image2', '-y', inputs.thumbnailPath);
    } else {
      graph.push(`[0:v]${detect}[v]`);
      outputs.push('-map', '[v]', '-f', 'null', '-');
    }
  }
  if (inputs.audio !== null) {
    args.push('-f', inputs.audio.format === 'adts' ? 'aac' : 'mp3', '-i', inputs.audio.path);
    // framelog=verbose: the per-100 ms lines stay out of the info log, the summary stays in
    graph.push(`[${audioIndex}:a]silencedetect=n=${c.silenceDb}dB:d=${d},ebur128=framelog=verbose[a]`);
    outputs.push('-map', '[a]', '-f', 'null', '-');
  }
  args.push('-filter_complex_threads', '1', '-filter_complex', graph.join(';'), ...outputs);
  return args;
}
