import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/index.js';
import { parseDnsServer } from '../../src/sharding/dns-server-address.js';
import { normalizeIp, podIdentity } from '../../src/sharding/pod-identity.js';
import { parseResolvConf, searchNames } from '../../src/sharding/resolv-conf.js';

const K8S_RESOLV = `# written by the kubelet
search monitoring.svc.cluster.local svc.cluster.local cluster.local
nameserver 10.96.0.10
options ndots:5
`;

describe('resolv.conf search list', () => {
  it('reads search and ndots', () => {
    expect(parseResolvConf(K8S_RESOLV)).toEqual({
      domains: ['monitoring.svc.cluster.local', 'svc.cluster.local', 'cluster.local'],
      ndots: 5,
    });
    expect(parseResolvConf('nameserver 1.1.1.1\n')).toEqual({ domains: [], ndots: 1 });
    // the last of search / domain wins, as in glibc
    expect(parseResolvConf('search a.example b.example\ndomain c.example\n').domains).toEqual(['c.example']);
  });

  it(
    'tries short names through the search list first, long' + ' ones as they are first, absolute ones only as they are',
    () => {
      const k8s = parseResolvConf(K8S_RESOLV);
      expect(searchNames('peers', k8s)).toEqual([
        'peers.monitoring.svc.cluster.local',
        'peers.svc.cluster.local',
        'peers.cluster.local',
        'peers',
      ]);
      expect(searchNames('peers.monitoring.svc.cluster.local.', k8s)).toEqual(['peers.monitoring.svc.cluster.local']);
      expect(searchNames('a.b.c.d.e.f', k8s)[0]).toBe('a.b.c.d.e.f');
      expect(searchNames('peers.shard.test', { domains: [], ndots: 1 })).toEqual(['peers.shard.test']);
    },
  );
});

describe('parseDnsServer', () => {
  it.each([
    ['10.96.0.10', '10.96.0.10'],
    ['127.0.0.1:5353', '127.0.0.1:5353'],
    ['::1', '::1'],
    ['[::1]:5353', '[::1]:5353'],
  ])('%s', (text, server) => {
    expect(parseDnsServer(text)).toEqual({ ok: true, server });
  });

  it.each(['localhost', 'localhost:53', '10.0.0.300', 'http://10.0.0.1', '[10.0.0.1]:53', ''])('rejects %j', (text) => {
    expect(parseDnsServer(text).ok).toBe(false);
  });

  it('rejects a port out of range', () => {
    expect(parseDnsServer('10.0.0.1:70000')).toEqual({ ok: false, reason: '"10.0.0.1:70000": port must be 1..65535' });
  });
});

describe('pod identity', () => {
  it('normalises addresses so POD_IP and DNS answers compare equal', () => {
    expect(normalizeIp(' 10.0.0.1 ')).toBe('10.0.0.1');
    expect(normalizeIp('FD00:0:0:0:0:0:0:1')).toBe('fd00::1');
    expect(normalizeIp('pod-a')).toBeUndefined();
    // a zone id passes net.isIP but names no pod (and the URL parser would throw on it)
    expect(normalizeIp('fe80::1%eth0')).toBeUndefined();
  });

  it('prefers POD_IP, else the first external interface address', () => {
    const ifaces = {
      lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true, netmask: '', mac: '', cidr: null }],
      eth0: [
        { address: 'fe80::1', family: 'IPv6', internal: false, netmask: '', mac: '', cidr: null, scopeid: 2 },
        { address: '10.244.1.7', family: 'IPv4', internal: false, netmask: '', mac: '', cidr: null },
      ],
    } as const;
    expect(podIdentity({ POD_IP: '10.244.9.9' }, ifaces as never)).toEqual({
      ok: true,
      ip: '10.244.9.9',
      family: 4,
      source: 'POD_IP',
    });
    expect(podIdentity({ POD_IP: 'fd00::9' }, ifaces as never)).toEqual({
      ok: true,
      ip: 'fd00::9',
      family: 6,
      source: 'POD_IP',
    });
    expect(podIdentity({}, ifaces as never)).toEqual({
      ok: true,
      ip: '10.244.1.7',
      family: 4,
      source: 'interface eth0',
    });
    expect(podIdentity({}, { lo: ifaces.lo } as never)).toMatchObject({ ok: false });
  });
});

describe('sharding config keys', () => {
  const doc = (sharding: string) =>
    `exporter:\n  sharding: ${sharding}\nstreams:\n  G: {CDN: [{url: "http://cdn.example/a.flv", id: a}]}\n`;

  it('accepts dns_server in mode dns and keeps it normalised', () => {
    const c = parseConfigText(doc('{mode: dns, service: peers, dns_server: "127.0.0.1:5353", resolve_interval_s: 2}'), {
      env: {},
    });
    expect(c.exporter.sharding).toEqual({
      mode: 'dns',
      service: 'peers',
      dns_server: '127.0.0.1:5353',
      resolve_interval_s: 2,
    });
  });

  it('rejects dns_server outside mode dns', () => {
    expect(() => parseConfigText(doc('{mode: static, count: 2, dns_server: "10.0.0.1"}'), { env: {} })).toThrow(
      'exporter.sharding.dns_server: only applies to mode dns (mode is static)',
    );
  });
});
