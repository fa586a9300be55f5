import { execFile } from 'node:child_process';

export interface FfStream {
  codec_type: string;
  codec_name?: string;
  profile?: string;
  level?: number;
  width?: number;
  height?: number;
  r_frame_rate?: string;
  avg_frame_rate?: string;
  sample_rate?: string;
  channels?: number;
}

/**
 * ffprobe's view of a live URL: `-show_streams` only, with bounded reading — `-analyzeduration` caps how
 * much stream it reads to fill in the stream info (µs), `-rw_timeout` ends a silent read (µs), and the
 * process itself is killed after `killAfterMs`.
 */
export function ffprobeLiveStreams(url: string, killAfterMs = 15_000): Promise<FfStream[]> {
  const args = [
    '-v',
    'error',
    '-rw_timeout',
    '5000000',
    '-analyzeduration',
    '3000000',
    '-show_streams',
    '-of',
    'json',
    url,
  ];
  return new Promise<FfStream[]>((resolve, reject) => {
    execFile(
      'ffprobe',
      args,
      { timeout: killAfterMs, killSignal: 'SIGKILL', encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (err) return reject(new Error(`ffprobe ${url} failed: ${err.message}\n${stderr}`));
        try {
          resolve((JSON.parse(stdout) as { streams?: FfStream[] }).streams ?? []);
        } catch {
          reject(new Error(`ffprobe ${url} printed no JSON: ${stdout.slice(0, 500)}\n${stderr}`));
        }
      },
    );
  });
}

/** "25/1" → 25; undefined for a missing or 0/0 rate. */
export function ffRate(r: string | undefined): number | undefined {
  if (!r) return undefined;
  const [n, d] = r.split('/').map(Number);
  return n && d ? n / d : undefined;
}

/** ffprobe codec_name → the project's codec label (SPEC names). */
export const FF_CODEC_LABEL: Record<string, string> = {
  h264: 'H.264',
  hevc: 'H.265',
  av1: 'AV1',
  vp9: 'VP9',
  aac: 'AAC',
  mp3: 'MP3',
};
