import { type Exposition, parseExposition } from './prom-text.js';

export interface TextReply {
  status: number;
  contentType: string;
  body: string;
}

export async function getText(url: string): Promise<TextReply> {
  const r = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  return { status: r.status, contentType: r.headers.get('content-type') ?? '', body: await r.text() };
}

export async function getJson<T = unknown>(url: string): Promise<{ status: number; body: T }> {
  const r = await getText(url);
  return { status: r.status, body: JSON.parse(r.body) as T };
}

/** GET /metrics and parse it. */
export async function scrape(base: string): Promise<Exposition> {
  const r = await getText(`${base}/metrics`);
  if (r.status !== 200) throw new Error(`/metrics answered ${r.status}`);
  return parseExposition(r.body);
}

/** The raw /metrics text. */
export async function scrapeText(base: string): Promise<string> {
  const r = await getText(`${base}/metrics`);
  if (r.status !== 200) throw new Error(`/metrics answered ${r.status}`);
  return r.body;
}

export interface ApiStream {
  key: string;
  project: string;
  line: string;
  id: string;
  url: string;
  tags: Record<string, string>;
  /** `config` or the discovery source's name */
  source: string;
  gone?: boolean;
  state: 'pending' | 'up' | 'down';
  up: boolean;
  healthy: boolean;
  last_check?: number;
  last_error?: { reason: string; message: string };
}

export async function apiStreams(base: string): Promise<ApiStream[]> {
  const r = await getJson<{ streams: ApiStream[] }>(`${base}/api/streams`);
  if (r.status !== 200) throw new Error(`/api/streams answered ${r.status}`);
  return r.body.streams;
}
