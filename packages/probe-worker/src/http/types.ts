/**
 * Public types of the probe's HTTP/1.1 client (see client.ts for the behaviour).
 */
import type { FailureReason } from '../result.js';

/** What the body consumer wants after a chunk. */
export type BodyVerdict = 'continue' | 'stop';

/** Resolves a host name to one address; replaceable for tests. */
export type LookupFn = (hostname: string) => Promise<{ address: string; family: number }>;

export interface HttpProbeOptions {
  /** absolute http:// or https:// URL */
  url: string;
  /**
   * Extra request headers (Referer, auth headers, a Host override for probing an edge by IP).
   * They replace the client's defaults of the same name (case-insensitive), except `Connection`,
   * which is always `close`. Names must be HTTP tokens and values free of CR/LF/NUL.
   */
  headers?: Record<string, string>;
  /** default `video-exporter/<version>` */
  userAgent?: string;
  /** accept any certificate (self-signed test sources); default false: verify */
  insecureTls?: boolean;
  /** redirects followed at most (default 5); one more is `too_many_redirects` */
  maxRedirects?: number;
  /** per hop: DNS + TCP connect + TLS handshake (default 5000) */
  connectTimeoutMs?: number;
  /** per hop: request written → complete response head (default 5000) */
  headersTimeoutMs?: number;
  /** response head → first body byte (default 5000) */
  firstByteTimeoutMs?: number;
  /** after the first body byte: longest silence between two reads (default 5000) */
  idleTimeoutMs?: number;
  /** hard deadline / shutdown from the caller: aborting ends the probe with reason `timeout` */
  signal: AbortSignal;
  /**
   * Graceful end of the sample from the caller (e.g. its sample timer): aborting ends the probe with
   * `endedBy: 'stopped'` once the body has begun; before the response head it counts like `signal`.
   */
  stopSignal?: AbortSignal;
  /** custom DNS (tests); default `dns.promises.lookup` */
  lookup?: LookupFn;
  /**
   * Connect the first hop to this IP instead of resolving the URL's host, which still names the server
   * (Host header, TLS SNI and certificate check): the /probe endpoint checked this very address, so DNS
   * cannot answer differently between the check and the connection (rebinding).
   */
  connectAddress?: string;
  /**
   * Called synchronously for every slice of body bytes (after chunked decoding): `bytes[start, end)`,
   * with the monotonic time of the socket read that delivered it (same clock as `t0`). `bytes` is the
   * buffer every socket on this thread reads into: its contents are only valid during the call; copy
   * what must be kept. A range, not a view: a view per read was an allocation per read.
   * Return 'stop' to end the probe (`endedBy: 'stopped'`).
   */
  onBody: (bytes: Uint8Array, start: number, end: number, nowMs: number) => BodyVerdict;
}

export interface HttpProbeOutcome {
  /** monotonic time (performance.now()) of the first request start; all *Ms below are relative */
  t0: number;
  /** monotonic time the probe ended */
  endedAt: number;
  /** status of the last hop's response (absent when the last hop got none) */
  status?: number;
  /** redirects followed */
  redirects: number;
  /** URL of the last request (NOT redacted: redact before logging) */
  finalUrl: string;
  /** DNS lookup of the last hop; absent for an IP-literal host */
  dnsMs?: number;
  /** TCP connect of the last hop */
  connectMs?: number;
  /** TLS handshake of the last hop (https only) */
  tlsMs?: number;
  /** t0 (first request, so redirects included) → response head of the last hop complete; absent when
   *  the last hop got no response head */
  responseMs?: number;
  /** t0 → first body byte */
  ttfbMs?: number;
  /** monotonic time of the first body byte (sample start for the stall tracker) */
  firstByteAt?: number;
  /** body bytes delivered to onBody (after chunked decoding) */
  bodyBytes: number;
  endedBy: 'stopped' | 'eof' | 'error';
  error?: { reason: FailureReason; message: string };
  /** Content-Type of the 200 response */
  contentType?: string;
}
