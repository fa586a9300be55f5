/**
 * What the main thread needs of the probe worker (job and result types, failure reasons, redaction, URL
 * checks) without loading the parser, the transports or the decoder glue: a process that only runs the
 * pool keeps those in its worker threads (issue 17: every module a thread loads is memory it keeps).
 */
export type { ContentResult } from './content/content-check.js';
export { type ContentCheckJob, DEFAULT_MAX_SAMPLE_BYTES } from './content/settings.js';
export { processTempRoot, sweepContentTempDirs } from './content/temp-dirs.js';
export type { ProbeJob } from './job.js';
export { emptyResult } from './media-fields.js';
export { redactText, redactUrl, requestSecrets, urlSecrets } from './redact.js';
export * from './result.js';
export { isRtmpUrl, PROBE_URL_SCHEMES, PROBE_URL_SCHEMES_TEXT, parseRtmpUrl, rtmpUrlProblem } from './rtmp/url.js';
export type { ProbeTask } from './worker.js';
