/**
 * rtmp:// and rtmps:// URLs (SPEC §14): `rtmp://host[:port]/app/stream[?query]`. The app is the path
 * without its last segment (it may hold slashes: `live/sub`), the stream name is the last segment plus the
 * query, as FFmpeg and OBS split them. The tcUrl sent in `connect` is scheme://host[:port]/app.
 */
export const RTMP_DEFAULT_PORT = 1935;
export const RTMPS_DEFAULT_PORT = 443;

export interface RtmpTarget {
  secure: boolean;
  /** host name or IP literal without brackets */
  host: string;
  port: number;
  app: string;
  stream: string;
  tcUrl: string;
}

export function isRtmpUrl(raw: string): boolean {
  return /^rtmps?:\/\//i.test(raw);
}

/**
 * Parses an RTMP URL; throws TypeError (a caller bug: config validation accepts only good ones).
 * `tcUrlHost` replaces host[:port] in the tcUrl: when the connection is pinned to an address (/probe's
 * SSRF policy), the server still sees the name it serves (SRS picks its vhost from the tcUrl).
 */
export function parseRtmpUrl(raw: string, tcUrlHost?: string): RtmpTarget {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new TypeError('invalid RTMP URL');
  }
  const secure = url.protocol === 'rtmps:';
  if (!secure && url.protocol !== 'rtmp:') throw new TypeError(`not an RTMP URL scheme: ${url.protocol}`);
  if (url.hostname === '') throw new TypeError('RTMP URL without a host');
  const segments = url.pathname.split('/').filter((s) => s !== '');
  if (segments.length < 2) throw new TypeError('RTMP URL needs /app/stream in its path');
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const port = url.port !== '' ? Number(url.port) : secure ? RTMPS_DEFAULT_PORT : RTMP_DEFAULT_PORT;
  const app = segments.slice(0, -1).map(decodeURIComponent).join('/');
  const stream = decodeURIComponent(segments[segments.length - 1]!) + url.search;
  const tcUrl = `${url.protocol}//${tcUrlHost ?? url.host}/${app}`;
  return { secure, host, port, app, stream, tcUrl };
}

/** The URL schemes a probe reads (config, discovery, CLI, /probe): HTTP-FLV and RTMP. */
export const PROBE_URL_SCHEMES: readonly string[] = ['http', 'https', 'rtmp', 'rtmps'];
export const PROBE_URL_SCHEMES_TEXT = 'http, https, rtmp and rtmps';

/** Why `raw` (an absolute URL of an rtmp scheme) cannot be probed, or undefined when it can. */
export function rtmpUrlProblem(raw: string): string | undefined {
  try {
    parseRtmpUrl(raw);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}
