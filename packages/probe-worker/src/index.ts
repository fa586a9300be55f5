export * from './result.js';
export type { ProbeJob } from './job.js';
export { probeFileBytes } from './file-probe.js';
export { runProbe } from './probe.js';
export { applyMediaSummary, emptyResult } from './media-fields.js';
export { redactUrl, redactText, urlSecrets } from './redact.js';
export { isRtmpUrl, parseRtmpUrl, rtmpUrlProblem, PROBE_URL_SCHEMES, PROBE_URL_SCHEMES_TEXT } from './rtmp/url.js';
