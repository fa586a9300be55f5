/**
 * One JSON request to a media server's API or an http_sd list, with a time limit, a size limit and one
 * clear error per way it can go wrong. Messages carry the redacted URL only, never headers or bodies
 * beyond a short redacted excerpt.
 */
import { redactText, redactUrl, requestSecrets } from '@video-exporter/probe-worker/common';

/** per request; a refresh may make several (pages, vhosts, a re-login) */
export const REQUEST_TIMEOUT_MS = 10_000;
/** 100 000 SRS entries are about 60 MB of JSON; more than this is not a stream list */
export const MAX_BODY_BYTES = 128 * 1024 * 1024;
const EXCERPT_CHARS = 60;
/** text looked at around an excerpt, so a secret cut by the excerpt's end is still recognised */
const EXCERPT_CONTEXT_CHARS = 500;

/** A failed request or an answer that is not the expected JSON; `status` when the server answered. */
export class DiscoveryError extends Error {
  override readonly name = 'DiscoveryError';
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface JsonRequest {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Readonly<Record<string, string>>;
  body?: unknown;
  signal?: AbortSignal;
  timeoutMs?: number;
}

export async function fetchJson(r: JsonRequest): Promise<unknown> {
  const shown = redactUrl(r.url);
  const timeoutMs = r.timeoutMs ?? REQUEST_TIMEOUT_MS;
  const signals = [AbortSignal.timeout(timeoutMs), ...(r.signal ? [r.signal] : [])];
  let res: Response;
  try {
    res = await fetch(r.url, {
      method: r.method ?? 'GET',
      headers: {
        accept: 'application/json',
        ...(r.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...r.headers,
      },
      ...(r.body !== undefined ? { body: JSON.stringify(r.body) } : {}),
      signal: AbortSignal.any(signals),
      redirect: 'follow',
    });
  } catch (err) {
    throw new DiscoveryError(`${shown}: ${requestFailure(err, timeoutMs)}`);
  }
  let text: string;
  try {
    text = await readCapped(res);
  } catch (err) {
    throw err instanceof DiscoveryError
      ? new DiscoveryError(`${shown}: ${err.message}`, res.status)
      : new DiscoveryError(`${shown}: ${requestFailure(err, timeoutMs)}`, res.status);
  }
  // a server may echo the request (its token, the login password) in an error page or a JSON error
  const password = (r.body as { password?: unknown } | undefined)?.password;
  const secrets = [...requestSecrets(r.url, r.headers), ...(typeof password === 'string' ? [password] : [])];
  if (res.status < 200 || res.status > 299)
    throw new DiscoveryError(`${shown}: HTTP ${res.status}${excerpt(text, secrets)}`, res.status);
  return parseJson(text, shown, res.headers.get('content-type'), secrets);
}

/** JSON text -> value, or an error saying what came instead (HTML, nothing, cut short). */
export function parseJson(
  text: string,
  shown: string,
  contentType: string | null = null,
  secrets: string[] = [],
): unknown {
  const head = text.trimStart();
  if (head === '') throw new DiscoveryError(`${shown}: empty answer, expected JSON`);
  if (head.startsWith('<'))
    throw new DiscoveryError(
      `${shown}: answered HTML${contentType ? ` (${contentType.split(';')[0]})` : ''}, ` +
        `expected JSON${excerpt(text, secrets)}`,
    );
  try {
    return JSON.parse(text);
  } catch (err) {
    // V8 quotes a piece of the text in its message
    throw new DiscoveryError(`${shown}: invalid JSON (${redactText((err as Error).message, secrets)})`);
  }
}

function excerpt(text: string, secrets: readonly string[]): string {
  // redact before cutting: half a secret would no longer be recognised
  const t = redactText(
    text
      .slice(0, EXCERPT_CHARS + EXCERPT_CONTEXT_CHARS)
      .trim()
      .replace(/\s+/g, ' '),
    secrets,
  );
  if (t === '') return '';
  return `: ${JSON.stringify(t.length > EXCERPT_CHARS ? `${t.slice(0, EXCERPT_CHARS)}...` : t)}`;
}

async function readCapped(res: Response): Promise<string> {
  if (!res.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > MAX_BODY_BYTES) throw new DiscoveryError(`answer larger than ${MAX_BODY_BYTES / 1024 / 1024} MiB`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** fetch()'s errors hide the cause in `cause.code`: name the usual ones plainly. */
function requestFailure(err: unknown, timeoutMs: number): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return `no answer within ${timeoutMs / 1000} s`;
  if (e.name === 'AbortError') return 'aborted';
  const code = e.cause?.code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host not found';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'connection reset';
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT')
    return `no answer within ${timeoutMs / 1000} s`;
  return redactText(e.cause?.message ?? e.message);
}
