import { spawnSync } from 'node:child_process';

/** `ffmpeg -version` must answer within this: a binary that hangs is as good as none. */
const VERSION_TIMEOUT_MS = 5000;

/** Whether `ffmpeg` runs at all (SPEC §13 `enabled: auto`); once at start-up, never per check. */
export function ffmpegAvailable(ffmpeg: string): boolean {
  const r = spawnSync(ffmpeg, ['-hide_banner', '-version'], {
    timeout: VERSION_TIMEOUT_MS,
    killSignal: 'SIGKILL',
    stdio: 'ignore',
  });
  return r.error === undefined && r.status === 0;
}
