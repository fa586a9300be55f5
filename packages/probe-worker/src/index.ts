export * from './content/index.js';
export { probeFileBytes } from './file-probe.js';
export { type HttpProbeOptions, type HttpProbeOutcome, httpProbe } from './http/index.js';
export type { ProbeJob } from './job.js';
export { applyMediaSummary, emptyResult } from './media-fields.js';
export { runProbe } from './probe.js';
export { redactText, redactUrl, requestSecrets, urlSecrets } from './redact.js';
export * from './result.js';
export { type Amf0Out, encodeAmf0 } from './rtmp/amf0-writer.js';
// RTMP protocol pieces, for the live source's RTMP server mode (and tests)
export { ChunkReader, type MessageSink, type StreamingSink } from './rtmp/chunk-reader.js';
export { encodeMessage } from './rtmp/chunk-writer.js';
export { isRtmpUrl, PROBE_URL_SCHEMES, PROBE_URL_SCHEMES_TEXT, parseRtmpUrl, rtmpUrlProblem } from './rtmp/url.js';
export type { ProbeTask } from './worker.js';
