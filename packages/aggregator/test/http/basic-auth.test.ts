/**
 * Basic auth against bcrypt hashes: header parsing (RFC 7617), the verdict cache (hashes of verified
 * pairs, TTL, size cap), the decoy round for unknown users and the cap on bcrypt rounds at once.
 */
import bcrypt from 'bcryptjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { BasicAuth, parseBasicAuthorization } from '../../src/http/basic-auth.js';

const header = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;

describe('parseBasicAuthorization', () => {
  it.each([
    [header('prom', 'secret'), { user: 'prom', password: 'secret' }],
    [`basic ${Buffer.from('prom:secret').toString('base64')}`, { user: 'prom', password: 'secret' }],
    [`BASIC   ${Buffer.from('prom:secret').toString('base64')} `, { user: 'prom', password: 'secret' }],
    // the first colon splits: passwords may contain colons, user names may not
    [header('prom', 'a:b:c'), { user: 'prom', password: 'a:b:c' }],
    [header('prom', ''), { user: 'prom', password: '' }],
    [header('ünïcode', 'pässwörd'), { user: 'ünïcode', password: 'pässwörd' }],
  ])('%s', (h, expected) => {
    expect(parseBasicAuthorization(h)).toEqual(expected);
  });

  it.each([
    undefined,
    '',
    'Basic',
    'Basic ',
    `Bearer ${Buffer.from('prom:secret').toString('base64')}`,
    `Basic ${Buffer.from('no-colon').toString('base64')}`,
    'Basic !!!notbase64!!!',
    `Basic ${Buffer.from('prom:secret').toString('base64')} extra`,
  ])('refuses %j', (h) => {
    expect(parseBasicAuthorization(h)).toBeUndefined();
  });
});

describe('BasicAuth with real bcrypt', () => {
  let auth: BasicAuth;
  beforeAll(async () => {
    const users = new Map([
      ['prom', await bcrypt.hash('right horse battery', 4)],
      ['grafana', await bcrypt.hash('staple', 4)],
    ]);
    auth = new BasicAuth({ users });
  });

  it('accepts each user with their own password only', async () => {
    expect(await auth.check(header('prom', 'right horse battery'))).toBe('ok');
    expect(await auth.check(header('grafana', 'staple'))).toBe('ok');
    expect(await auth.check(header('prom', 'staple'))).toBe('denied');
    expect(await auth.check(header('grafana', 'right horse battery'))).toBe('denied');
    expect(await auth.check(header('prom', 'right horse batter'))).toBe('denied');
    expect(await auth.check(header('nobody', 'staple'))).toBe('denied');
    expect(await auth.check(undefined)).toBe('denied');
  });

  it('challenges with the video-exporter realm', () => {
    expect(auth.challenge).toBe('Basic realm="video-exporter"');
  });
});

/** A fake bcrypt: "hash" = `H:` + password; counts rounds and can hold them open. */
function fakeBcrypt() {
  const calls: { password: string; hash: string }[] = [];
  const held: (() => void)[] = [];
  let hold = false;
  return {
    calls,
    holdNext(on: boolean) {
      hold = on;
    },
    release() {
      for (const r of held.splice(0)) r();
    },
    compare: async (password: string, hash: string) => {
      calls.push({ password, hash });
      if (hold) await new Promise<void>((r) => held.push(r));
      return hash === `H:${password}`;
    },
  };
}

describe('BasicAuth verdict cache', () => {
  const users = new Map([
    ['prom', 'H:pw1'],
    ['other', 'H:pw2'],
  ]);

  it('pays bcrypt once per pair while it keeps coming within the TTL (sliding), again after a silent TTL', async () => {
    const b = fakeBcrypt();
    let now = 1_000_000;
    const auth = new BasicAuth({ users, compare: b.compare, now: () => now, cacheTtlMs: 60_000 });
    for (let i = 0; i < 5; i++) expect(await auth.check(header('prom', 'pw1'))).toBe('ok');
    expect(b.calls.length).toBe(1);
    now += 59_000;
    expect(await auth.check(header('prom', 'pw1'))).toBe('ok');
    now += 59_000;
    expect(await auth.check(header('prom', 'pw1'))).toBe('ok');
    expect(b.calls.length).toBe(1);
    now += 61_000;
    expect(await auth.check(header('prom', 'pw1'))).toBe('ok');
    expect(b.calls.length).toBe(2);
  });

  it('a pair verified before is re-checked even while wrong passwords hold every bcrypt slot', async () => {
    const b = fakeBcrypt();
    let now = 1_000_000;
    const auth = new BasicAuth({ users, compare: b.compare, now: () => now, cacheTtlMs: 60_000, maxPendingChecks: 2 });
    expect(await auth.check(header('prom', 'pw1'))).toBe('ok');
    now += 120_000; // expired
    b.holdNext(true);
    const flood = [auth.check(header('prom', 'guess1')), auth.check(header('prom', 'guess2'))];
    expect(await auth.check(header('prom', 'guess3'))).toBe('busy');
    const scraper = auth.check(header('prom', 'pw1'));
    b.holdNext(false);
    b.release();
    expect(await scraper).toBe('ok');
    expect(await Promise.all(flood)).toEqual(['denied', 'denied']);
  });

  it('never caches a failure, and a cached pair does not admit another password', async () => {
    const b = fakeBcrypt();
    const auth = new BasicAuth({ users, compare: b.compare });
    expect(await auth.check(header('prom', 'pw1'))).toBe('ok');
    for (let i = 0; i < 3; i++) expect(await auth.check(header('prom', 'wrong'))).toBe('denied');
    expect(await auth.check(header('other', 'pw1'))).toBe('denied');
    expect(b.calls.length).toBe(1 + 3 + 1);
  });

  it('keeps no password in memory: the cache holds keyed hashes of the pairs', async () => {
    const b = fakeBcrypt();
    const auth = new BasicAuth({ users, compare: b.compare });
    expect(await auth.check(header('prom', 'pw1'))).toBe('ok');
    const cache = (auth as unknown as { verified: Map<string, number> }).verified;
    expect(cache.size).toBe(1);
    const key = [...cache.keys()][0]!;
    expect(key).not.toContain('pw1');
    expect(key).not.toContain('prom');
    expect(Buffer.from(key, 'base64').length).toBe(32); // SHA-256
  });

  it('an unknown user costs a bcrypt round against a configured hash, and is denied even on a match', async () => {
    const b = fakeBcrypt();
    const auth = new BasicAuth({ users, compare: b.compare });
    // the decoy is the first user's hash: its password must not open the door under another name
    expect(await auth.check(header('ghost', 'pw1'))).toBe('denied');
    expect(b.calls).toEqual([{ password: 'pw1', hash: 'H:pw1' }]);
    expect(auth.cacheSize).toBe(0);
  });

  it('drops the oldest verified pairs beyond the size cap', async () => {
    const b = fakeBcrypt();
    const many = new Map(Array.from({ length: 5 }, (_, i) => [`u${i}`, `H:p${i}`] as [string, string]));
    const auth = new BasicAuth({ users: many, compare: b.compare, maxCacheEntries: 3 });
    for (let i = 0; i < 5; i++) expect(await auth.check(header(`u${i}`, `p${i}`))).toBe('ok');
    expect(auth.cacheSize).toBe(3);
    const before = b.calls.length;
    expect(await auth.check(header('u4', 'p4'))).toBe('ok'); // recent: cached
    expect(b.calls.length).toBe(before);
    expect(await auth.check(header('u0', 'p0'))).toBe('ok'); // oldest: dropped, paid again
    expect(b.calls.length).toBe(before + 1);
  });

  it('answers busy beyond the cap of bcrypt rounds at once, while cached pairs still pass', async () => {
    const b = fakeBcrypt();
    const auth = new BasicAuth({ users, compare: b.compare, maxPendingChecks: 2 });
    expect(await auth.check(header('prom', 'pw1'))).toBe('ok'); // cached from now on
    b.holdNext(true);
    const slow = [auth.check(header('prom', 'guess1')), auth.check(header('prom', 'guess2'))];
    expect(await auth.check(header('prom', 'guess3'))).toBe('busy');
    expect(await auth.check(header('prom', 'pw1'))).toBe('ok');
    b.holdNext(false);
    b.release();
    expect(await Promise.all(slow)).toEqual(['denied', 'denied']);
    expect(await auth.check(header('prom', 'guess4'))).toBe('denied'); // slots free again
  });

  it('a throwing bcrypt (a corrupt hash) denies instead of failing the request', async () => {
    const auth = new BasicAuth({
      users,
      compare: async () => {
        throw new Error('Invalid salt version');
      },
    });
    expect(await auth.check(header('prom', 'pw1'))).toBe('denied');
  });

  it('needs at least one user', () => {
    expect(() => new BasicAuth({ users: new Map() })).toThrow(RangeError);
  });
});
