export { runContentCheck, type ContentResult } from './content-check.js';
export { SampleRecorder } from './sample-recorder.js';
export { DEFAULT_CONTENT_CHECK, DEFAULT_MAX_SAMPLE_BYTES, type ContentCheckJob } from './settings.js';
export type { DecodeMode } from './elementary-streams.js';
