/**
 * A minimal server-sent-events follower (only event names are needed): connects, reads `event:` lines,
 * reconnects after a pause when the stream ends or fails, until stopped.
 */
import { redactUrl } from '@video-exporter/probe-worker/common';

export const SSE_RECONNECT_MS = 3_000;
/** failures in a row double the pause up to this: a refused login must not hit NMS's login limits */
export const SSE_MAX_RECONNECT_MS = 60_000;
const CONNECT_TIMEOUT_MS = 10_000;
const HTTP_UNAUTHORIZED = 401;

export interface FollowOptions {
  url: string;
  headers(signal: AbortSignal): Promise<Record<string, string>>;
  onEvent(name: string): void;
  onError(message: string): void;
  onUnauthorized(): void;
  reconnectMs?: number;
}

export function followEvents(o: FollowOptions): () => void {
  const stop = new AbortController();
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      t.unref();
      stop.signal.addEventListener(
        'abort',
        () => {
          clearTimeout(t);
          resolve();
        },
        { once: true },
      );
    });
  const loop = async () => {
    let failures = 0;
    while (!stop.signal.aborted) {
      try {
        await readOnce(o, stop.signal, () => (failures = 0));
      } catch (err) {
        if (stop.signal.aborted) return;
        failures++;
        o.onError(`${redactUrl(o.url)}: ${(err as Error).message}`);
      }
      const base = o.reconnectMs ?? SSE_RECONNECT_MS;
      await pause(Math.min(SSE_MAX_RECONNECT_MS, base * 2 ** Math.max(0, failures - 1)));
    }
  };
  void loop();
  return () => stop.abort();
}

async function readOnce(o: FollowOptions, signal: AbortSignal, connected: () => void): Promise<void> {
  // a timer, not AbortSignal.timeout: fetch's signal also governs the body, which must outlive the timeout
  const request = new AbortController();
  const timer = setTimeout(
    () => request.abort(new Error(`no answer within ${CONNECT_TIMEOUT_MS / 1000} s`)),
    CONNECT_TIMEOUT_MS,
  );
  const connect = AbortSignal.any([signal, request.signal]);
  let res: Response;
  try {
    res = await fetch(o.url, {
      headers: { accept: 'text/event-stream', ...(await o.headers(connect)) },
      signal: connect,
    });
  } finally {
    clearTimeout(timer);
  }
  if (res.status === HTTP_UNAUTHORIZED) {
    o.onUnauthorized();
    throw new Error('HTTP 401 (logging in again)');
  }
  if (res.status !== 200 || !res.body) throw new Error(`HTTP ${res.status}`);
  connected();
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  const onStop = () => void reader.cancel().catch(() => {});
  signal.addEventListener('abort', onStop, { once: true });
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? ''; // an unfinished line waits for the next chunk
      for (const raw of lines) {
        const line = raw.replace(/\r$/, '');
        if (line.startsWith('event:')) o.onEvent(line.slice('event:'.length).trim());
      }
    }
  } finally {
    signal.removeEventListener('abort', onStop);
  }
}
