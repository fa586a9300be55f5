export {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_FIRST_BYTE_TIMEOUT_MS,
  DEFAULT_HEADERS_TIMEOUT_MS,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_MAX_REDIRECTS,
  httpProbe,
} from './client.js';
export { READ_BUFFER_BYTES } from './read-buffer.js';
export { DEFAULT_USER_AGENT } from './request.js';
export type { BodyVerdict, HttpProbeOptions, HttpProbeOutcome, LookupFn } from './types.js';
