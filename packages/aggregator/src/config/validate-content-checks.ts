import { availableParallelism } from 'node:os';
import {
  describe,
  type Mapping,
  type Problems,
  readEnum,
  readNonEmptyString,
  readNonNegativeInteger,
  readPositiveInteger,
  readPositiveNumber,
  walkMapping,
} from './problems.js';

export type ContentChecksEnabled = 'auto' | true | false;

/** `exporter.content_checks` (SPEC §13). */
export interface ContentChecksConfig {
  /** auto: on when ffmpeg is found (logged once) | true: required | false */
  enabled: ContentChecksEnabled;
  ffmpeg: string;
  /** seconds between checks of one stream */
  interval: number;
  decode: 'keyframes' | 'all';
  max_concurrent: number;
  /** seconds one decoder may run */
  timeout: number;
  black_pixel_threshold: number;
  freeze_noise_db: number;
  silence_db: number;
  min_duration: number;
  /** 0: no thumbnails */
  thumbnail_width: number;
  /** checks one decoder takes at once (one ffmpeg start shared by them) */
  batch_size: number;
  /** seconds a check may wait for others to share its decoder */
  batch_wait: number;
}

const DECODE_MODES = ['keyframes', 'all'] as const;
/** more inputs than this in one ffmpeg cost more memory than a start saves */
const MAX_BATCH_SIZE = 64;
/** a check that waits longer than this for company is late for nothing */
const MAX_BATCH_WAIT_S = 60;
/** a JPEG wider than this is no thumbnail */
const MAX_THUMBNAIL_WIDTH = 3840;

export function defaultContentChecks(): ContentChecksConfig {
  return {
    enabled: 'auto',
    ffmpeg: 'ffmpeg',
    interval: 300,
    decode: 'keyframes',
    max_concurrent: availableParallelism(),
    timeout: 10,
    black_pixel_threshold: 0.1,
    freeze_noise_db: -60,
    silence_db: -50,
    min_duration: 2,
    thumbnail_width: 320,
    batch_size: 8,
    batch_wait: 5,
  };
}

function readDecibels(v: unknown, p: string, problems: Problems): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v) && v < 0) return v;
  problems.add(p, `must be a negative number of dB, got ${describe(v)}`);
  return undefined;
}

export function readContentChecks(raw: Mapping, path: string, problems: Problems): ContentChecksConfig {
  const c = defaultContentChecks();
  const set = <K extends keyof ContentChecksConfig>(key: K, value: ContentChecksConfig[K] | undefined): void => {
    if (value !== undefined) c[key] = value;
  };
  walkMapping(raw, path, problems, {
    enabled: (v, p) => {
      if (v === 'auto' || v === true || v === false) c.enabled = v;
      else problems.add(p, `must be auto, true or false, got ${describe(v)}`);
    },
    ffmpeg: (v, p) => set('ffmpeg', readNonEmptyString(v, p, problems)),
    interval: (v, p) => set('interval', readPositiveNumber(v, p, problems, ' of seconds')),
    decode: (v, p) => set('decode', readEnum(v, p, problems, DECODE_MODES)),
    max_concurrent: (v, p) => set('max_concurrent', readPositiveInteger(v, p, problems, ' (decoders)')),
    timeout: (v, p) => set('timeout', readPositiveNumber(v, p, problems, ' of seconds')),
    black_pixel_threshold: (v, p) => {
      if (typeof v === 'number' && v >= 0 && v <= 1) c.black_pixel_threshold = v;
      else problems.add(p, `must be a number from 0 to 1, got ${describe(v)}`);
    },
    freeze_noise_db: (v, p) => set('freeze_noise_db', readDecibels(v, p, problems)),
    silence_db: (v, p) => set('silence_db', readDecibels(v, p, problems)),
    min_duration: (v, p) => set('min_duration', readPositiveNumber(v, p, problems, ' of seconds')),
    thumbnail_width: (v, p) => {
      const n = readNonNegativeInteger(v, p, problems);
      if (n !== undefined && n > MAX_THUMBNAIL_WIDTH)
        problems.add(p, `must be at most ${MAX_THUMBNAIL_WIDTH} pixels, got ${n}`);
      else if (n !== undefined && n % 2 === 1) problems.add(p, `must be even (JPEG chroma subsampling), got ${n}`);
      else set('thumbnail_width', n);
    },
    batch_size: (v, p) => {
      const n = readPositiveInteger(v, p, problems, ' (checks per decoder)');
      if (n !== undefined && n > MAX_BATCH_SIZE) problems.add(p, `must be at most ${MAX_BATCH_SIZE} checks, got ${n}`);
      else set('batch_size', n);
    },
    batch_wait: (v, p) => {
      if (typeof v === 'number' && v >= 0 && v <= MAX_BATCH_WAIT_S) c.batch_wait = v;
      else problems.add(p, `must be a number of seconds from 0 to ${MAX_BATCH_WAIT_S}, got ${describe(v)}`);
    },
  });
  return c;
}
