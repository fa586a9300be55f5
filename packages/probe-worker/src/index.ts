export * from './result.js';
export { probeFileBytes } from './file-probe.js';
export { applyMediaSummary, emptyResult } from './media-fields.js';
