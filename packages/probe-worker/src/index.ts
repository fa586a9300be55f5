export * from './result.js';
export type { ProbeJob } from './job.js';
export { probeFileBytes } from './file-probe.js';
export { runProbe } from './probe.js';
export { applyMediaSummary, emptyResult } from './media-fields.js';
export { redactUrl, redactText, requestSecrets, urlSecrets } from './redact.js';
export { isRtmpUrl, parseRtmpUrl, rtmpUrlProblem, PROBE_URL_SCHEMES, PROBE_URL_SCHEMES_TEXT } from './rtmp/url.js';
export { httpProbe, type HttpProbeOptions, type HttpProbeOutcome } from './http/index.js';
// RTMP protocol pieces, for the live source's RTMP server mode (and tests)
export { ChunkReader, type MessageSink, type StreamingSink } from './rtmp/chunk-reader.js';
export { encodeMessage } from './rtmp/chunk-writer.js';
export { encodeAmf0, type Amf0Out } from './rtmp/amf0-writer.js';
export * from './content/index.js';
