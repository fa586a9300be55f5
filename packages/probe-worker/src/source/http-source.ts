import { httpProbe } from '../http/index.js';
import type { SourceOptions, SourceOutcome } from './types.js';

/** HTTP-FLV: the response body is an FLV byte stream. */
export function httpSource(opts: SourceOptions): Promise<SourceOutcome> {
  const { sink, ...rest } = opts;
  return httpProbe({
    ...rest,
    onBody(bytes, start, end, at) {
      sink.onRead(at);
      return sink.onBytes(bytes, start, end);
    },
  });
}
