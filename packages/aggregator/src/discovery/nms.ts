/**
 * Node-Media-Server 4: `POST {url}/api/v1/login` {username, password} -> data.token, then
 * `GET {url}/api/v1/streams` with the token -> data.streams[] ({app, name, status, publisher}). A stream
 * without a publisher is skipped; one whose publisher is reconnecting is kept (its probe shows the outage).
 * NMS limits logins per minute, so the token is reused while it works and renewed only on a 401.
 * With `events`, `GET {url}/api/v1/events` (server-sent events) triggers a refresh on publish/unpublish.
 */
import type { DiscoverySourceConfig } from '../config/types.js';
import { DiscoveryError, fetchJson } from './fetch-json.js';
import { followEvents } from './sse.js';
import type { DiscoverySource, MediaEntry } from './types.js';

const HTTP_UNAUTHORIZED = 401;
/** events that change the list of published streams */
const LIST_EVENTS = new Set(['postPublish', 'donePublish']);
export const NMS_VHOST = 'default';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export class NmsSource implements DiscoverySource {
  private token: string | undefined;
  /** a login under way: the events stream and a refresh starting together share it (NMS limits logins) */
  private loggingIn: Promise<string> | undefined;

  constructor(
    private readonly c: Pick<DiscoverySourceConfig, 'url' | 'headers' | 'username' | 'password' | 'events'>,
  ) {}

  async refresh(signal: AbortSignal): Promise<MediaEntry[]> {
    let doc: unknown;
    try {
      doc = await this.streams(signal);
    } catch (err) {
      // an expired or revoked token: log in again once, within this refresh
      if (!(err instanceof DiscoveryError) || err.status !== HTTP_UNAUTHORIZED || this.c.username === undefined)
        throw err;
      this.token = undefined;
      doc = await this.streams(signal);
    }
    const url = `${this.c.url}/api/v1/streams`;
    const data = isObject(doc) ? doc.data : undefined;
    if (!isObject(data) || !Array.isArray(data.streams))
      throw new DiscoveryError(`${url}: no data.streams list in the answer`);
    const out: MediaEntry[] = [];
    for (const [i, s] of data.streams.entries()) {
      if (!isObject(s)) throw new DiscoveryError(`${url}: data.streams[${i}] is not an object`);
      if (s.publisher === null || s.publisher === undefined) continue; // players waiting, nobody publishing
      const [, appFromKey, nameFromKey] = typeof s.key === 'string' ? s.key.split('/') : [];
      const app = typeof s.app === 'string' ? s.app : appFromKey;
      const name = typeof s.name === 'string' ? s.name : nameFromKey;
      if (typeof app !== 'string' || typeof name !== 'string')
        throw new DiscoveryError(`${url}: data.streams[${i}] has no app/name strings`);
      out.push({ kind: 'media', vhost: NMS_VHOST, app, stream: name });
    }
    return out;
  }

  watch(changed: () => void, onError: (message: string) => void): () => void {
    if (!this.c.events) return () => {};
    return followEvents({
      url: `${this.c.url}/api/v1/events`,
      headers: async (signal) => ({ ...this.c.headers, ...(await this.authHeader(signal)) }),
      onEvent: (name) => {
        if (LIST_EVENTS.has(name)) changed();
      },
      onError,
      onUnauthorized: () => {
        this.token = undefined;
      },
    });
  }

  private async streams(signal: AbortSignal): Promise<unknown> {
    const headers = { ...this.c.headers, ...(await this.authHeader(signal)) };
    return fetchJson({ url: `${this.c.url}/api/v1/streams`, headers, signal });
  }

  private async authHeader(signal: AbortSignal): Promise<Record<string, string>> {
    if (this.c.username === undefined) return {};
    if (this.token === undefined) {
      this.loggingIn ??= this.login(signal).finally(() => {
        this.loggingIn = undefined;
      });
      this.token = await this.loggingIn;
    }
    return { Authorization: `Bearer ${this.token}` };
  }

  private async login(signal: AbortSignal): Promise<string> {
    const url = `${this.c.url}/api/v1/login`;
    let doc: unknown;
    try {
      doc = await fetchJson({
        url,
        method: 'POST',
        headers: this.c.headers,
        body: { username: this.c.username, password: this.c.password },
        signal,
      });
    } catch (err) {
      if (err instanceof DiscoveryError && err.status === HTTP_UNAUTHORIZED)
        throw new DiscoveryError(`${url}: login refused (wrong username or password)`, err.status);
      throw err;
    }
    const data = isObject(doc) ? doc.data : undefined;
    if (!isObject(data) || typeof data.token !== 'string' || data.token === '')
      throw new DiscoveryError(`${url}: no data.token in the login answer`);
    return data.token;
  }
}
