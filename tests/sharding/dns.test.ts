/**
 * Sharding in dns mode across real exporter processes (SPEC §9, issue 6): the peers are the A records
 * of a headless Service, served here by a loopback DNS server; each process is one "pod" whose
 * identity (POD_IP) is its own loopback address 127.0.0.N (Linux routes all of 127/8 to lo, and the
 * exporters themselves listen on 127.0.0.1:<port>).
 *
 * The pods find the DNS server through `sharding.dns_server`, the 4th through SHARD_DNS_SERVER
 * (which overrides a dead server in its file).
 *
 * One story, in order: 3 pods split the streams exactly; a 4th pod joins (it counts itself in before
 * DNS lists it) and takes at most 1/4 + 5 % of them, all from the others, none between them; DNS
 * failing keeps the split; the 4th leaves and the first split comes back exactly; an original pod
 * vanishes and the two left take its streams over at their next look-up.
 *
 * The streams answer 404 at once (the live source's `status` fault): sharding needs their series to
 * exist, not to be healthy, and 60 instant probes every 3 s keep the load low.
 */
import { writeFileSync } from 'node:fs';
import { type LiveSource, startLiveSource } from '@video-exporter/live-source';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StreamSpec, tempDir } from '../exporter/support/config-file.js';
import { LIVE_FIXTURE, until } from '../exporter/support/exporter-process.js';
import { scrape } from '../exporter/support/http.js';
import { sampleValue } from '../exporter/support/prom-text.js';
import { TestDnsServer } from './support/dns-server.js';
import { describeSplit, exactSplit, keyOf, ownersByKey, Pod, shardedConfigYaml } from './support/pods.js';

const SERVICE = 'video-exporter-peers.shard.test';
const RESOLVE_S = 2;
const CHECK_S = 3;
const N_STREAMS = 60;
const IPS = ['127.0.0.2', '127.0.0.3', '127.0.0.4'];
const JOINER = '127.0.0.5';
/** a peer change reaches every pod within one look-up; the rest is slack for a loaded 2-core box */
const PEER_CHANGE_MS = RESOLVE_S * 1000 + 12_000;
/** a moved-in stream's first probe comes at its phase, within one check interval */
const FIRST_PROBE_MS = CHECK_S * 1000 + 15_000;

describe('sharding, dns mode: several exporter processes behind one headless Service', () => {
  const dir = tempDir('shard-dns');
  let dns: TestDnsServer;
  let source: LiveSource;
  let configPath: string;
  /** the same config with a dead dns_server: the joiner must be saved by SHARD_DNS_SERVER */
  let joinerConfigPath: string;
  let streams: StreamSpec[];
  let keys: string[];
  const pods = new Map<string, Pod>();
  let original: Map<string, string>;

  const spawn = (ip: string, path = configPath, env: NodeJS.ProcessEnv = {}): Pod => {
    const pod = Pod.spawn(ip, path, { POD_IP: ip, ...env });
    pods.set(ip, pod);
    return pod;
  };
  const live = (): Pod[] => [...pods.values()].filter((p) => p.process.running);
  const waitPeers = (list: readonly Pod[], peers: readonly string[], what: string) =>
    until(what, PEER_CHANGE_MS, async () => {
      const views = await Promise.all(list.map((p) => p.shard()));
      return views.every((v) => JSON.stringify(v.peers) === JSON.stringify([...peers].sort())) ? views : undefined;
    });
  const waitSplit = async (
    list: readonly Pod[],
    what: string,
    of: (p: Pod) => Promise<string[]> = (p) => p.owned(),
    timeoutMs = PEER_CHANGE_MS,
  ) => {
    let last = new Map<string, string[]>();
    try {
      return await until(what, timeoutMs, async () => {
        last = await ownersByKey(list, of);
        return exactSplit(last, keys);
      });
    } catch (err) {
      throw new Error(`${(err as Error).message}: ${describeSplit(last, keys)}`);
    }
  };

  beforeAll(async () => {
    dns = await TestDnsServer.start();
    source = await startLiveSource({ fixtures: { hd: LIVE_FIXTURE } });
    streams = Array.from({ length: N_STREAMS }, (_, i) => ({
      project: i % 2 === 0 ? 'G01' : 'G02',
      line: i % 3 === 0 ? 'SOURCE' : 'CDN',
      id: `room-${String(i).padStart(2, '0')}`,
      url: `${source.url}/live/hd/room-${i}.flv?status=404`,
    }));
    keys = streams.map(keyOf);
    configPath = dir.file('config.yml');
    joinerConfigPath = dir.file('joiner.yml');
    const config = (dnsServer: string) =>
      shardedConfigYaml(
        { check_interval: CHECK_S, sample_duration: 1, max_retries: 0, workers: 1 },
        { mode: 'dns', service: SERVICE, resolve_interval_s: RESOLVE_S, dns_server: dnsServer },
        streams,
      );
    writeFileSync(configPath, config(dns.address));
    // port 9 (discard): nothing answers there
    writeFileSync(joinerConfigPath, config('127.0.0.1:9'));
    dns.set(SERVICE, IPS);
    await Promise.all(IPS.map((ip) => spawn(ip).ready()));
  }, 60_000);

  afterAll(async () => {
    await Promise.all([...pods.values()].map((p) => p.process.stop()));
    await source?.close();
    await dns?.close();
    dir.cleanup();
  });

  it('3 pods: every stream is probed and exported by exactly one of them', async () => {
    const three = live();
    const views = await waitPeers(three, IPS, 'all three pods to see three peers');
    for (const [i, v] of views.entries()) {
      expect(v).toMatchObject({ mode: 'dns', self: three[i]!.name, lookup_failing: false });
    }
    original = await waitSplit(three, 'an exact split of the streams (/api/streams)');
    // every pod has a share (60 streams over 3 peers: an empty one would mean a broken hash)
    for (const p of three) expect([...original.values()].filter((o) => o === p.name).length).toBeGreaterThan(5);

    // the union of /metrics covers every configured stream exactly once, after the first probes
    const exported = await waitSplit(
      three,
      'video_stream_up of every stream on exactly one pod',
      (p) => p.exported(),
      FIRST_PROBE_MS,
    );
    expect(exported).toEqual(original);
    for (const p of three) {
      const m = await scrape(p.url);
      const mine = [...original.values()].filter((o) => o === p.name).length;
      expect(sampleValue(m, 'video_exporter_streams', { state: 'owned' })).toBe(mine);
      expect(sampleValue(m, 'video_exporter_streams', { state: 'configured' })).toBe(N_STREAMS);
      expect(sampleValue(m, 'video_exporter_shard_peers')).toBe(3);
      expect((await p.shard()).owned).toBe(mine);
    }
  }, 60_000);

  it('a 4th pod joins: it counts itself in at once, then takes' +
    ' at most 1/4 + 5 % of the streams, all from the others', async () => {
    const joiner = spawn(JOINER, joinerConfigPath, { SHARD_DNS_SERVER: dns.address });
    await joiner.ready();
    // DNS does not list it yet, but it is a peer in its own view from the start
    expect((await joiner.shard()).peers).toEqual([...IPS, JOINER].sort());
    const changesBefore = await Promise.all(
      IPS.map((ip) =>
        pods
          .get(ip)!
          .shard()
          .then((s) => s.changes),
      ),
    );

    dns.set(SERVICE, [...IPS, JOINER]);
    await waitPeers(live(), [...IPS, JOINER], 'all four pods to see four peers');
    const four = await waitSplit(live(), 'an exact split over four pods');

    const moved = keys.filter((k) => four.get(k) !== original.get(k));
    expect(moved.length).toBeGreaterThan(0);
    expect(moved.length).toBeLessThanOrEqual(Math.floor(N_STREAMS * (1 / 4 + 0.05)));
    // rendezvous hashing: a stream either stays or goes to the newcomer, never between old pods
    for (const k of moved) expect(four.get(k), k).toBe(JOINER);

    for (const [i, ip] of IPS.entries()) {
      const pod = pods.get(ip)!;
      const lostHere = moved.filter((k) => original.get(k) === ip).length;
      expect((await pod.shard()).changes).toBe(changesBefore[i]! + 1);
      const m = await scrape(pod.url);
      expect(sampleValue(m, 'video_exporter_shard_changes_total')).toBe(changesBefore[i]! + 1);
      expect(sampleValue(m, 'video_exporter_shard_peers')).toBe(4);
      // a stream that moved away lost ALL its series here at once
      for (const k of moved.filter((k) => original.get(k) === ip)) {
        const [project, line, id] = k.split('/');
        expect(
          m.samples.filter(
            (s) =>
              s.name.startsWith('video_stream_') &&
              s.labels.project === project &&
              s.labels.line === line &&
              s.labels.id === id,
          ),
          k,
        ).toEqual([]);
      }
      expect(pod.peerChanges().at(-1)).toMatchObject({
        peers_before: [...IPS].sort(),
        peers_after: [...IPS, JOINER].sort(),
        moved_out: lostHere,
        moved_in: 0,
      });
    }
    // the newcomer exports what it owns after one interval
    await waitSplit(
      live(),
      'video_stream_up of every stream on exactly one of four pods',
      (p) => p.exported(),
      FIRST_PROBE_MS,
    );
  }, 60_000);

  it('DNS failing keeps the last known peer set (and the split); one warning per pod', async () => {
    const four = live();
    const warningsBefore = four.map(
      (p) => p.process.logs.filter((l) => l.message.startsWith('shard peer lookup failed')).length,
    );
    const lookupsBefore = await Promise.all(four.map((p) => p.shard().then((s) => s.lookups)));
    dns.failWith('SERVFAIL');
    try {
      // two failed look-ups each, at least
      await until('two failed look-ups on every pod', PEER_CHANGE_MS + RESOLVE_S * 1000, async () => {
        const views = await Promise.all(four.map((p) => p.shard()));
        return views.every((v, i) => v.lookup_failing && v.lookups >= lookupsBefore[i]! + 3) ? views : undefined;
      });
      for (const v of await Promise.all(four.map((p) => p.shard()))) {
        expect(v.peers).toEqual([...IPS, JOINER].sort());
        expect(v.last_error).toBe(`A ${SERVICE}: ESERVFAIL`);
      }
      expect(exactSplit(await ownersByKey(four), keys)).toBeDefined();
      four.forEach((p, i) => {
        const failures = p.process.logs.filter((l) => l.message.startsWith('shard peer lookup failed'));
        expect(failures.length).toBe(warningsBefore[i]! + 1);
      });
    } finally {
      dns.failWith(undefined);
    }
    await until('look-ups to recover', PEER_CHANGE_MS, async () =>
      (await Promise.all(four.map((p) => p.shard()))).every((v) => !v.lookup_failing) ? true : undefined,
    );
  }, 60_000);

  it('back to 3 (the 4th removed from DNS and stopped): the first split comes back exactly', async () => {
    dns.set(SERVICE, IPS);
    await pods.get(JOINER)!.process.stop();
    const three = live();
    await waitPeers(three, IPS, 'the three pods to see three peers again');
    expect(await waitSplit(three, 'the three-pod split again')).toEqual(original);
  }, 60_000);

  it('a pod vanishes from DNS and stops: the others take its streams over at their next look-up', async () => {
    const gone = pods.get(IPS[1]!)!;
    const survivors = IPS.filter((ip) => ip !== gone.name).map((ip) => pods.get(ip)!);
    const lookupsAtChange = await Promise.all(survivors.map((p) => p.shard().then((s) => s.lookups)));
    const changesLogged = survivors.map((p) => p.peerChanges().length);
    dns.set(
      SERVICE,
      IPS.filter((ip) => ip !== gone.name),
    );
    await gone.process.stop();

    const two = await waitSplit(survivors, 'the two survivors to own every stream');
    for (const k of keys) if (original.get(k) !== gone.name) expect(two.get(k), `${k} stays put`).toBe(original.get(k));
    survivors.forEach((p, i) => {
      const change = p.peerChanges()[changesLogged[i]!];
      expect(change).toMatchObject({ peers_after: IPS.filter((ip) => ip !== gone.name) });
      // "within one re-resolve period": the change came with the first look-up that finished after
      // the DNS answer changed (+1 for one that may have been in flight at that moment)
      expect(change!.lookup as number).toBeLessThanOrEqual(lookupsAtChange[i]! + 2);
    });
    await waitSplit(
      survivors,
      'video_stream_up of every stream on exactly one survivor',
      (p) => p.exported(),
      FIRST_PROBE_MS,
    );
  }, 60_000);
});
