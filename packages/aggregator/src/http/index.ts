export type { AuthVerdict, BasicAuthOptions } from './basic-auth.js';
export { AUTH_REALM, BASIC_AUTH_DEFAULTS, BasicAuth, parseBasicAuthorization } from './basic-auth.js';
export type { ProbeEndpointDeps } from './probe-endpoint.js';
export { createProbeRoute, PROBE_LIMITS, PROBE_PATH } from './probe-endpoint.js';
export { OTHER_PATH, STREAM_TEMPLATE } from './routes.js';
export type { HttpServerHandle, HttpServerOptions, WebSecurity } from './server.js';
export { HTTP_LIMITS, OPEN_PATHS, startHttpServer } from './server.js';
export type { AddressClass, AllowList, TargetVerdict } from './ssrf.js';
export {
  checkResolved,
  checkTarget,
  classifyAddress,
  compileAllowList,
  isSpecialAddress,
  nameAllowed,
} from './ssrf.js';
export { escapeHtml, renderStatusPage } from './status-page.js';
export type { StreamFilter, StreamSummary } from './stream-list.js';
export { parseStreamFilter, selectStreams, summarizeStream } from './stream-list.js';
export type { ParseWebConfigOptions, TlsSettings, WebConfig } from './web-config.js';
export { loadWebConfigFile, parseWebConfigText, WebConfigError } from './web-config.js';
