import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import { createPeerSource } from '../../src/sharding/create-source.js';
import { lookupPeers, type PeerResolver } from '../../src/sharding/dns-lookup.js';
import { DnsPeerSource, type DnsPeerSourceOptions } from '../../src/sharding/dns-source.js';

/** node's resolver errors carry a c-ares code */
const dnsError = (code: string) => Object.assign(new Error(`query ${code}`), { code });

/** A scripted resolver: `answers[name]` is a list, an error code, or absent (ENOTFOUND). */
class FakeResolver implements PeerResolver {
  answers4: Record<string, string[] | string> = {};
  answers6: Record<string, string[] | string> = {};
  queries: string[] = [];
  cancelled = 0;

  resolve4(name: string): Promise<string[]> {
    return this.answer('A', name, this.answers4[name]);
  }

  resolve6(name: string): Promise<string[]> {
    return this.answer('AAAA', name, this.answers6[name]);
  }

  cancel(): void {
    this.cancelled++;
  }

  private async answer(type: string, name: string, a: string[] | string | undefined): Promise<string[]> {
    this.queries.push(`${type} ${name}`);
    if (a === undefined) throw dnsError('ENOTFOUND');
    if (typeof a === 'string') throw dnsError(a);
    return [...a];
  }
}

class LogSpy {
  lines: { level: string; message: string; meta?: Record<string, unknown> }[] = [];
  info = (message: string, meta?: Record<string, unknown>) =>
    this.lines.push({ level: 'info', message, ...(meta ? { meta } : {}) });
  warn = (message: string, meta?: Record<string, unknown>) =>
    this.lines.push({ level: 'warn', message, ...(meta ? { meta } : {}) });
  count(level: string): number {
    return this.lines.filter((l) => l.level === level).length;
  }
}

const SERVICE = 'video-exporter-peers';
const sources: DnsPeerSource[] = [];
afterEach(() => {
  for (const s of sources.splice(0)) s.stop();
});

function source(
  resolver: PeerResolver,
  over: Partial<DnsPeerSourceOptions> = {},
): { src: DnsPeerSource; log: LogSpy; changes: string[][] } {
  const log = new LogSpy();
  // a long interval: these tests drive look-ups with refresh() unless they test the timer
  const src = new DnsPeerSource({
    service: SERVICE,
    self: '10.0.0.2',
    family: 4,
    intervalMs: 3_600_000,
    resolver,
    logger: log,
    ...over,
  });
  sources.push(src);
  return { src, log, changes: [] };
}

describe('DnsPeerSource', () => {
  it('starts with the resolved peers, itself included even before DNS lists it', async () => {
    const r = new FakeResolver();
    r.answers4[SERVICE] = ['10.0.0.7', '10.0.0.5'];
    const { src } = source(r);
    expect(await src.start(() => {})).toEqual(['10.0.0.2', '10.0.0.5', '10.0.0.7']);
    expect(src.health()).toEqual({ lookups: 1, failing: false });
  });

  it('reports changes (only changes) as the whole sorted set', async () => {
    const r = new FakeResolver();
    r.answers4[SERVICE] = ['10.0.0.2', '10.0.0.5'];
    const { src, changes } = source(r);
    await src.start((p) => changes.push(p));
    expect(changes).toEqual([]);
    await src.refresh(); // same answer: no change
    r.answers4[SERVICE] = ['10.0.0.5', '10.0.0.2', '10.0.0.9'];
    await src.refresh();
    r.answers4[SERVICE] = ['10.0.0.9', '10.0.0.2', '10.0.0.5']; // same set, another order
    await src.refresh();
    r.answers4[SERVICE] = ['10.0.0.9'];
    await src.refresh();
    expect(changes).toEqual([
      ['10.0.0.2', '10.0.0.5', '10.0.0.9'],
      ['10.0.0.2', '10.0.0.9'],
    ]);
    expect(src.health().lookups).toBe(5);
  });

  it('keeps the last known set while look-ups fail, warning once per failure streak', async () => {
    const r = new FakeResolver();
    r.answers4[SERVICE] = ['10.0.0.2', '10.0.0.5', '10.0.0.7'];
    const { src, log, changes } = source(r);
    await src.start((p) => changes.push(p));
    r.answers4[SERVICE] = 'ETIMEOUT';
    await src.refresh();
    await src.refresh();
    r.answers4[SERVICE] = 'ESERVFAIL';
    await src.refresh();
    expect(src.current()).toEqual(['10.0.0.2', '10.0.0.5', '10.0.0.7']);
    expect(changes).toEqual([]);
    expect(log.count('warn')).toBe(1);
    expect(log.lines[0]).toMatchObject({
      level: 'warn',
      message: 'shard peer lookup failed, keeping the last known peer set',
      meta: { service: SERVICE, error: `A ${SERVICE}: ETIMEOUT` },
    });
    expect(src.health()).toEqual({ lookups: 4, failing: true, last_error: `A ${SERVICE}: ESERVFAIL` });

    r.answers4[SERVICE] = ['10.0.0.2', '10.0.0.5'];
    await src.refresh();
    expect(log.lines.at(-1)).toMatchObject({ level: 'info', message: 'shard peer lookup works again' });
    expect(changes).toEqual([['10.0.0.2', '10.0.0.5']]);
    expect(src.health()).toEqual({ lookups: 5, failing: false });

    // a new streak warns again
    r.answers4[SERVICE] = 'ECONNREFUSED';
    await src.refresh();
    expect(log.count('warn')).toBe(2);
  });

  it('treats an empty answer (NXDOMAIN, no records) as a failure, not as "alone"', async () => {
    const r = new FakeResolver();
    r.answers4[SERVICE] = ['10.0.0.2', '10.0.0.5'];
    const { src, log, changes } = source(r);
    await src.start((p) => changes.push(p));
    delete r.answers4[SERVICE];
    await src.refresh();
    r.answers4[SERVICE] = [];
    await src.refresh();
    expect(src.current()).toEqual(['10.0.0.2', '10.0.0.5']);
    expect(changes).toEqual([]);
    expect(log.count('warn')).toBe(1);
  });

  it('owns everything alone when the very first look-up fails (it counts itself in)', async () => {
    const r = new FakeResolver();
    r.answers4[SERVICE] = 'ETIMEOUT';
    const { src } = source(r);
    expect(await src.start(() => {})).toEqual(['10.0.0.2']);
    expect(src.health().failing).toBe(true);
  });

  it('retries within a second, not after the interval, while no look-up has worked yet', async () => {
    const r = new FakeResolver();
    r.answers4[SERVICE] = 'ETIMEOUT';
    const { src, changes } = source(r);
    await src.start((p) => changes.push(p));
    r.answers4[SERVICE] = ['10.0.0.2', '10.0.0.3'];
    const deadline = Date.now() + 5000;
    while (changes.length === 0 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 20));
    expect(changes).toEqual([['10.0.0.2', '10.0.0.3']]);
    // resolved once: back to the (hour-long) interval
    const n = r.queries.length;
    await new Promise((res) => setTimeout(res, 1_500));
    expect(r.queries.length).toBe(n);
  });

  it('a peer-set consumer that throws is logged, and the next look-up still runs', async () => {
    const r = new FakeResolver();
    r.answers4[SERVICE] = ['10.0.0.2'];
    const { src, log } = source(r);
    await src.start(() => {
      throw new Error('boom');
    });
    r.answers4[SERVICE] = ['10.0.0.2', '10.0.0.3'];
    await src.refresh();
    expect(log.lines.at(-1)).toMatchObject({
      level: 'warn',
      message: 'applying a new shard peer set failed',
      meta: { error: 'boom' },
    });
    r.answers4[SERVICE] = ['10.0.0.2', '10.0.0.4'];
    await src.refresh();
    expect(src.current()).toEqual(['10.0.0.2', '10.0.0.4']);
  });

  it('walks the resolv.conf search list like libc, bare names last', async () => {
    const r = new FakeResolver();
    r.answers4[`${SERVICE}.monitoring.svc.cluster.local`] = 'ENODATA';
    r.answers4[`${SERVICE}.svc.cluster.local`] = ['10.0.0.5'];
    const { src } = source(r, {
      search: { domains: ['monitoring.svc.cluster.local', 'svc.cluster.local', 'cluster.local'], ndots: 5 },
    });
    expect(await src.start(() => {})).toEqual(['10.0.0.2', '10.0.0.5']);
    expect(r.queries).toEqual([`A ${SERVICE}.monitoring.svc.cluster.local`, `A ${SERVICE}.svc.cluster.local`]);
  });

  it('queries AAAA when the pod is IPv6, and compares addresses in canonical form', async () => {
    const r = new FakeResolver();
    r.answers4[SERVICE] = ['10.0.0.5'];
    r.answers6[SERVICE] = ['fd00::5', 'FD00:0:0:0:0:0:0:2'];
    const { src } = source(r, { self: 'fd00::2', family: 6 });
    expect(await src.start(() => {})).toEqual(['fd00::2', 'fd00::5']);
    expect(r.queries).toEqual([`AAAA ${SERVICE}`]);
  });

  it('re-resolves on its own every interval and stops cleanly', async () => {
    const r = new FakeResolver();
    r.answers4[SERVICE] = ['10.0.0.2'];
    const { src, changes } = source(r, { intervalMs: 20 });
    await src.start((p) => changes.push(p));
    r.answers4[SERVICE] = ['10.0.0.2', '10.0.0.3'];
    const deadline = Date.now() + 5000;
    while (changes.length === 0 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 10));
    expect(changes).toEqual([['10.0.0.2', '10.0.0.3']]);
    src.stop();
    expect(r.cancelled).toBe(1);
    const n = r.queries.length;
    r.answers4[SERVICE] = ['10.0.0.2', '10.0.0.4'];
    await new Promise((res) => setTimeout(res, 100));
    expect(r.queries.length).toBe(n);
    expect(changes).toHaveLength(1);
  });

  it('shares one look-up between concurrent refreshes', async () => {
    const r = new FakeResolver();
    r.answers4[SERVICE] = ['10.0.0.2'];
    const { src } = source(r);
    await Promise.all([src.refresh(), src.refresh(), src.refresh()]);
    expect(r.queries).toHaveLength(1);
  });
});

describe('lookupPeers', () => {
  it('fails on a hard error at once, without trying further names', async () => {
    const r = new FakeResolver();
    r.answers4['a.example'] = 'EREFUSED';
    r.answers4.a = ['10.0.0.1'];
    expect(await lookupPeers(r, ['a.example', 'a'], 4)).toEqual({ ok: false, error: 'A a.example: EREFUSED' });
    expect(r.queries).toEqual(['A a.example']);
  });

  it('says which names it tried when none has records', async () => {
    expect(await lookupPeers(new FakeResolver(), ['a.example', 'a'], 6)).toEqual({
      ok: false,
      error: 'no AAAA records for a.example, a',
    });
  });
});

describe('createPeerSource for mode dns', () => {
  const silent = { info: () => {}, warn: () => {} };
  const dns = { mode: 'dns' as const, service: SERVICE, resolve_interval_s: 15 };

  it('takes its identity from POD_IP and uses the injected resolver', async () => {
    const r = new FakeResolver();
    r.answers4[SERVICE] = ['127.0.0.3'];
    const s = createPeerSource(dns, { env: { POD_IP: '127.0.0.2' }, logger: silent, resolver: r, resolvConf: '' });
    sources.push(s as DnsPeerSource);
    expect(s.self).toBe('127.0.0.2');
    expect(await s.start(() => {})).toEqual(['127.0.0.2', '127.0.0.3']);
  });

  it('rejects a POD_IP that is not an address, and a bad SHARD_DNS_SERVER', () => {
    expect(() => createPeerSource(dns, { env: { POD_IP: 'pod-a' }, logger: silent, resolvConf: '' })).toThrow(
      new ConfigError(['POD_IP: not an IP address: "pod-a"']),
    );
    expect(() =>
      createPeerSource(dns, {
        env: { POD_IP: '10.0.0.1', SHARD_DNS_SERVER: 'dns.local' },
        logger: silent,
        resolvConf: '',
      }),
    ).toThrow(
      new ConfigError([
        'SHARD_DNS_SERVER: "dns.local" is not an IP address with an optional port (e.g. "10.96.0.10" or' +
          ' "127.0.0.1:5353")',
      ]),
    );
  });
});
