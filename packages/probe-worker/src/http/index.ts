export {
  httpProbe,
  DEFAULT_MAX_REDIRECTS,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_HEADERS_TIMEOUT_MS,
  DEFAULT_FIRST_BYTE_TIMEOUT_MS,
  DEFAULT_IDLE_TIMEOUT_MS,
} from './client.js';
export { DEFAULT_USER_AGENT } from './request.js';
export { READ_BUFFER_BYTES } from './read-buffer.js';
export type { HttpProbeOptions, HttpProbeOutcome, BodyVerdict, LookupFn } from './types.js';
