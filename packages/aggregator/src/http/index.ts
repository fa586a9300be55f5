export { startHttpServer, HTTP_LIMITS } from './server.js';
export type { HttpServerHandle, HttpServerOptions } from './server.js';
export { renderStatusPage, escapeHtml } from './status-page.js';
export { summarizeStream, selectStreams, parseStreamFilter } from './stream-summary.js';
export type { StreamSummary, StreamFilter } from './stream-summary.js';
export { OTHER_PATH, STREAM_TEMPLATE } from './routes.js';
