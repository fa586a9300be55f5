export * from './result.js';
export type { ProbeJob } from './job.js';
export { probeFileBytes } from './file-probe.js';
export { runProbe } from './probe.js';
export { applyMediaSummary, emptyResult } from './media-fields.js';
export { redactUrl, redactText, requestSecrets, urlSecrets } from './redact.js';
export { httpProbe, type HttpProbeOptions, type HttpProbeOutcome } from './http/index.js';
