export { type ContentResult, runContentCheck } from './content-check.js';
export type { DecodeMode } from './elementary-streams.js';
export { SampleRecorder } from './sample-recorder.js';
export { type ContentCheckJob, DEFAULT_CONTENT_CHECK, DEFAULT_MAX_SAMPLE_BYTES } from './settings.js';
