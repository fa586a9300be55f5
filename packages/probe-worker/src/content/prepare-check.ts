import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type ElementaryStreams, extractElementaryStreams } from './elementary-streams.js';
import { ivfFileHeader, ivfFrameHeader } from './ivf.js';
import type { ContentCheckJob } from './settings.js';
import { makeContentTempDir } from './temp-dirs.js';

const MS_PER_S = 1000;
/** IVF header picture size: the decoders take the real size from the bitstream */
const IVF_PLACEHOLDER_SIZE = 0;
const HEVC_FOURCC = 'HEVC';
/** the lowest rate a raw input is read at (a keyframes-only sample has about one frame in seconds) */
const MIN_FRAMERATE = 0.01;

export interface PreparedVideo {
  /**
   * IVF (timestamps per frame) or, for HEVC, which FFmpeg 5.1's IVF reader does not map, raw Annex-B
   * read at the sample's mean frame rate
   */
  path: string;
  format: 'ivf' | 'hevc';
  framerate: number;
  /** pictures handed to the decoder */
  frames: number;
  /** decode-order index of the last keyframe: the one picture scaled and encoded (not every keyframe) */
  lastKeyIndex: number;
  /** media time the video covers, s */
  spanS: number;
  /** pts of the decoded pictures, s, ascending */
  framesS: number[];
}

export interface PreparedAudio {
  path: string;
  format: 'adts' | 'mp3';
  spanS: number;
}

/** One check's media as files in its own private temp dir, ready for a decoder. */
export interface PreparedCheck {
  dir: string;
  video: PreparedVideo | null;
  audio: PreparedAudio | null;
  /** whether the decoder writes a thumbnail of the last keyframe */
  thumbnail: boolean;
}

/**
 * Turns a recorded FLV sample into elementary-stream files (FFmpeg never sees FLV, so Enhanced FLV codecs
 * work). Files, not pipes: ffmpeg can probe them at leisure and one process can read many. A string is the
 * reason there is nothing to decode.
 */
export async function prepareCheck(flv: Uint8Array, job: ContentCheckJob): Promise<PreparedCheck | string> {
  const es = extractElementaryStreams(flv, job.decode);
  if (!es.video && !es.audio) return 'no decodable media in the sample';
  const dir = await makeContentTempDir(job.tempDir, 'content');
  const video = es.video ? await writeVideo(dir, es.video) : null;
  const audio = es.audio ? await writeAudio(dir, es.audio) : null;
  return { dir, video, audio, thumbnail: video !== null && job.thumbnailWidth > 0 };
}

async function writeVideo(dir: string, v: NonNullable<ElementaryStreams['video']>): Promise<PreparedVideo> {
  const { frames, fourcc, spanMs } = v;
  const framerate = Math.max(MIN_FRAMERATE, (frames.length * MS_PER_S) / Math.max(1, spanMs));
  let lastKeyIndex = frames.length - 1;
  while (lastKeyIndex > 0 && !frames[lastKeyIndex]!.key) lastKeyIndex--;
  const common = {
    framerate,
    frames: frames.length,
    lastKeyIndex,
    spanS: spanMs / MS_PER_S,
    framesS: frames.map((f) => f.ptsMs / MS_PER_S).sort((a, b) => a - b),
  };
  if (fourcc === HEVC_FOURCC) {
    const path = join(dir, 'video.hevc');
    await writeFile(path, joined(frames.map((f) => f.data)));
    return { path, format: 'hevc', ...common };
  }
  const parts: Uint8Array[] = [ivfFileHeader(fourcc, IVF_PLACEHOLDER_SIZE, IVF_PLACEHOLDER_SIZE, frames.length)];
  for (const f of frames) parts.push(ivfFrameHeader(f.data.length, f.ptsMs), f.data);
  const path = join(dir, 'video.ivf');
  await writeFile(path, joined(parts));
  return { path, format: 'ivf', ...common };
}

async function writeAudio(dir: string, a: NonNullable<ElementaryStreams['audio']>): Promise<PreparedAudio> {
  const path = join(dir, a.format === 'adts' ? 'audio.aac' : 'audio.mp3');
  await writeFile(path, joined(a.chunks));
  return { path, format: a.format, spanS: a.spanMs / MS_PER_S };
}

/** One buffer per file: writeFile writes each element of an array on its own (hundreds of AAC frames). */
const joined = (parts: readonly Uint8Array[]) => Buffer.concat(parts);
