/**
 * HTTP Basic authentication (RFC 7617) against the bcrypt hashes of `--web.config.file`
 * (`basic_auth_users`), as Prometheus exporters do.
 *
 * bcrypt is slow on purpose (cost 10 ≈ 50-100 ms of CPU in bcryptjs), and Prometheus sends the same
 * credentials every scrape. So a successful (user, password) pair is remembered for a short time, as a
 * keyed hash of the pair (HMAC-SHA-256 with a per-process random key), never the password itself.
 * Failures are not remembered: every wrong guess costs a bcrypt round, and the number of bcrypt rounds
 * running at once is capped, beyond which requests get 429 instead of queueing CPU work.
 *
 * An unknown user still costs a bcrypt round (against a configured hash), so response time does not
 * tell which user names exist.
 */
import { createHmac, randomBytes } from 'node:crypto';

export const AUTH_REALM = 'video-exporter';

export type AuthVerdict = 'ok' | 'denied' | 'busy';

export interface BasicAuthOptions {
  /** user → bcrypt hash ($2a$/$2b$/$2y$), at least one */
  users: ReadonlyMap<string, string>;
  realm?: string;
  /** how long a verified pair is trusted without bcrypt; default 60 s */
  cacheTtlMs?: number;
  /** verified pairs remembered at most (oldest dropped first); default 1000 */
  maxCacheEntries?: number;
  /** bcrypt rounds running at once; more → 'busy'; default 4 */
  maxPendingChecks?: number;
  /** clock (ms), injectable for tests */
  now?: () => number;
  /** the bcrypt comparison, injectable for tests (to count rounds); default bcryptjs.compare */
  compare?: (password: string, hash: string) => Promise<boolean>;
}

export const BASIC_AUTH_DEFAULTS = { cacheTtlMs: 60_000, maxCacheEntries: 1000, maxPendingChecks: 4 } as const;

export class BasicAuth {
  /** the WWW-Authenticate value of a 401 */
  readonly challenge: string;
  private readonly users: ReadonlyMap<string, string>;
  /** a configured hash: unknown users are compared against it, so they cost the same time */
  private readonly decoy: string;
  private readonly key = randomBytes(32);
  /** keyed hash of a verified (user, password) → expiry (ms); Map order = insertion order = age */
  private readonly verified = new Map<string, number>();
  private pending = 0;
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly maxPending: number;
  private readonly now: () => number;
  private readonly compare: (password: string, hash: string) => Promise<boolean>;

  constructor(o: BasicAuthOptions) {
    const first = o.users.values().next();
    if (first.done) throw new RangeError('BasicAuth needs at least one user');
    this.users = o.users;
    this.decoy = first.value;
    this.challenge = `Basic realm="${(o.realm ?? AUTH_REALM).replace(/["\\]/g, '')}"`;
    this.ttlMs = o.cacheTtlMs ?? BASIC_AUTH_DEFAULTS.cacheTtlMs;
    this.maxEntries = o.maxCacheEntries ?? BASIC_AUTH_DEFAULTS.maxCacheEntries;
    this.maxPending = o.maxPendingChecks ?? BASIC_AUTH_DEFAULTS.maxPendingChecks;
    this.now = o.now ?? Date.now;
    // bcryptjs loads with the first login: an exporter without basic auth never needs it
    this.compare = o.compare ?? (async (password, hash) => (await import('bcryptjs')).default.compare(password, hash));
  }

  /** The verdict for a request's Authorization header (undefined when absent). Never rejects. */
  async check(authorization: string | undefined): Promise<AuthVerdict> {
    const credentials = parseBasicAuthorization(authorization);
    if (credentials === undefined) return 'denied';
    const { user, password } = credentials;
    const hash = this.users.get(user);
    const id = this.pairId(user, password);
    // a pair verified before skips the busy cap: clients flooding wrong passwords must not lock out the
    // scraper whose cache entry just expired
    let knownGood = false;
    if (hash !== undefined) {
      const until = this.verified.get(id);
      if (until !== undefined) {
        if (until > this.now()) {
          this.remember(id); // sliding: a scraper every 15 s never pays bcrypt again
          return 'ok';
        }
        knownGood = true;
        this.verified.delete(id);
      }
    }
    if (!knownGood && this.pending >= this.maxPending) return 'busy';
    this.pending++;
    let match: boolean;
    try {
      match = await this.compare(password, hash ?? this.decoy);
    } catch {
      match = false;
    } finally {
      this.pending--;
    }
    if (!match || hash === undefined) return 'denied';
    this.remember(id);
    return 'ok';
  }

  /** verified pairs currently remembered (tests, diagnostics) */
  get cacheSize(): number {
    return this.verified.size;
  }

  private pairId(user: string, password: string): string {
    // NUL cannot occur in a user name (refused by web-config) so the pair encodes unambiguously
    return createHmac('sha256', this.key).update(user).update('\0').update(password).digest('base64');
  }

  private remember(id: string): void {
    this.verified.delete(id);
    while (this.verified.size >= this.maxEntries) {
      const oldest = this.verified.keys().next();
      if (oldest.done) break;
      this.verified.delete(oldest.value);
    }
    this.verified.set(id, this.now() + this.ttlMs);
  }
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** `Basic <base64(user:password)>` → its parts; undefined for anything else. */
export function parseBasicAuthorization(header: string | undefined): { user: string; password: string } | undefined {
  if (header === undefined) return undefined;
  const m = /^basic[ \t]+(\S+)[ \t]*$/i.exec(header);
  if (m === null || !BASE64.test(m[1]!)) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
