import { rtmpProbe } from '../rtmp/client.js';
import { isRtmpUrl } from '../rtmp/url.js';
import { httpSource } from './http-source.js';
import type { SourceOptions, SourceOutcome } from './types.js';

export type { BodyVerdict, MediaSink, SourceOptions, SourceOutcome } from './types.js';

/** Reads the stream at `opts.url` with the transport its scheme names (http(s), rtmp(s)). */
export function readSource(opts: SourceOptions): Promise<SourceOutcome> {
  return isRtmpUrl(opts.url) ? rtmpProbe(opts) : httpSource(opts);
}
