/** Whole (non-streaming) answers of the live source: errors, fault pages and redirects. */

import type { ServerResponse } from 'node:http';
import { STATUS_CODES } from 'node:http';

export function sendText(res: ServerResponse, status: number, text: string): void {
  const body = `${text}\n`;
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    Connection: 'close',
  });
  res.end(body);
}

export function sendStatus(res: ServerResponse, status: number): void {
  sendText(res, status, `${status} ${STATUS_CODES[status] ?? 'Status'}`);
}

/** What a CDN edge answers for a blocked or unknown stream: 200 and a web page instead of media. */
export function sendHtml(res: ServerResponse): void {
  const body =
    '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>Stream unavailable</title></head>' +
    '<body><h1>This live stream is not available</h1><p>Please try again later.</p></body></html>\n';
  res.writeHead(200, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    Connection: 'close',
  });
  res.end(body);
}

export function sendRedirect(res: ServerResponse, location: string): void {
  res.writeHead(302, { Location: location, 'Content-Length': 0, Connection: 'close' });
  res.end();
}

/** The same URL with `key` set to `value`, or removed when value is undefined. */
export function withParam(
  base: string,
  pathname: string,
  query: URLSearchParams,
  key: string,
  value: string | undefined,
): string {
  const q = new URLSearchParams(query);
  if (value === undefined) q.delete(key);
  else q.set(key, value);
  const s = q.toString();
  return `${base}${pathname}${s ? `?${s}` : ''}`;
}
