/**
 * The /probe address policy (ssrf.ts) as tables: address classes from the IANA special-purpose
 * registries (RFC 6890 and the cloud providers' documented metadata addresses), target verdicts for
 * the URL tricks SSRF payload lists use, and resolved-address checks.
 */
import { describe, expect, it } from 'vitest';
import type { AddressClass } from '../../src/http/ssrf.js';
import {
  checkResolved,
  checkTarget,
  classifyAddress,
  compileAllowList,
  isSpecialAddress,
  nameAllowed,
} from '../../src/http/ssrf.js';

describe('classifyAddress', () => {
  const table: [string, AddressClass][] = [
    // IPv4 loopback 127/8 (RFC 1122), every address of it
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['127.1.2.3', 'loopback'],
    // "this network" 0/8; 0.0.0.0 reaches the local host on Linux
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    // link-local 169.254/16 (RFC 3927), metadata inside it
    ['169.254.0.1', 'link-local'],
    ['169.254.255.255', 'link-local'],
    ['169.254.169.254', 'metadata'],
    ['169.254.169.253', 'link-local'],
    // Alibaba Cloud metadata, inside CGNAT space; Azure WireServer, a public-looking address
    ['100.100.100.200', 'metadata'],
    ['168.63.129.16', 'metadata'],
    // private: RFC 1918 and CGNAT (RFC 6598), boundaries included
    ['10.0.0.0', 'private'],
    ['10.255.255.255', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['172.15.255.255', 'public'],
    ['172.32.0.0', 'public'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'private'],
    ['100.127.255.255', 'private'],
    ['100.128.0.0', 'public'],
    // multicast 224/4, reserved 240/4 with broadcast, IETF protocol assignments 192.0.0/24
    ['224.0.0.1', 'multicast'],
    ['239.255.255.255', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'reserved'],
    ['192.0.0.8', 'reserved'],
    // ordinary
    ['8.8.8.8', 'public'],
    ['1.1.1.1', 'public'],
    ['126.255.255.255', 'public'],
    ['128.0.0.0', 'public'],
    ['169.253.255.255', 'public'],
    ['169.255.0.0', 'public'],
    // IPv6
    ['::', 'unspecified'],
    ['0:0:0:0:0:0:0:0', 'unspecified'],
    ['::1', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['fe80::1', 'link-local'],
    ['febf:ffff::1', 'link-local'],
    ['fec0::1', 'private'],
    ['fd00:ec2::254', 'metadata'],
    ['fd00:ec2:0:0:0:0:0:254', 'metadata'],
    ['fd00:ec2::253', 'private'],
    ['fc00::1', 'private'],
    ['fdff:ffff::1', 'private'],
    ['ff02::1', 'multicast'],
    ['100::1', 'reserved'],
    ['2001:0:4136:e378::1', 'reserved'], // Teredo
    ['2606:4700:4700::1111', 'public'],
    ['2001:db8::1', 'public'],
    // IPv6 forms that carry an IPv4 address take that address's class
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:169.254.169.254', 'metadata'],
    ['::ffff:10.1.2.3', 'private'],
    ['::ffff:8.8.8.8', 'public'],
    ['::127.0.0.1', 'loopback'],
    ['64:ff9b::127.0.0.1', 'loopback'],
    ['64:ff9b::a9fe:a9fe', 'metadata'],
    ['64:ff9b:1::a00:1', 'private'],
    ['64:ff9b::808:808', 'public'],
    ['2002:7f00:1::', 'loopback'],
    ['2002:a9fe:a9fe::1', 'metadata'],
    ['2002:808:808::1', 'public'],
  ];
  it.each(table)('%s is %s', (ip, cls) => {
    expect(classifyAddress(ip)).toBe(cls);
  });

  it('only public and private are ordinary', () => {
    const all: AddressClass[] = [
      'public',
      'private',
      'loopback',
      'link-local',
      'metadata',
      'unspecified',
      'multicast',
      'reserved',
    ];
    expect(all.filter((c) => !isSpecialAddress(c))).toEqual(['public', 'private']);
  });

  it('throws for something that is not an IP (a caller bug)', () => {
    expect(() => classifyAddress('localhost')).toThrow(TypeError);
    expect(() => classifyAddress('127.0.0.1.5')).toThrow(TypeError);
  });
});

describe('compileAllowList', () => {
  it('splits names, wildcards and IPs, canonicalising IPs like URLs do', () => {
    const a = compileAllowList([
      'CDN.Example.com',
      '*.edge.example.net',
      '127.0.0.1',
      '0177.0.0.2',
      'fd00::1',
      'origin.example.org.',
    ]);
    expect([...a.names].sort()).toEqual(['cdn.example.com', 'origin.example.org']);
    expect(a.suffixes).toEqual(['.edge.example.net']);
    expect([...a.ips].sort()).toEqual(['127.0.0.1', '127.0.0.2', 'fd00::1']);
  });

  it('wildcards match sub-domains at any depth, never the bare suffix or a look-alike', () => {
    const a = compileAllowList(['*.example.com']);
    expect(nameAllowed('a.example.com', a)).toBe(true);
    expect(nameAllowed('a.b.example.com', a)).toBe(true);
    expect(nameAllowed('example.com', a)).toBe(false);
    expect(nameAllowed('badexample.com', a)).toBe(false);
    expect(nameAllowed('example.com.evil.net', a)).toBe(false);
  });
});

describe('checkTarget', () => {
  const allow = compileAllowList([
    'cdn.example.com',
    '*.edge.example.net',
    '127.0.0.1',
    '10.0.0.5',
    'fd00::1',
    'localhost',
    '*.internal',
    '*.localhost',
  ]);
  type Row = [target: string, verdict: 'ip' | 'name' | 400 | 403, host?: string];
  const table: Row[] = [
    // allowed
    ['http://cdn.example.com/live/a.flv', 'name', 'cdn.example.com'],
    ['https://CDN.EXAMPLE.COM:8443/live/a.flv?token=x', 'name', 'cdn.example.com'],
    ['http://cdn.example.com./live/a.flv', 'name', 'cdn.example.com'],
    ['http://a.edge.example.net/x.flv', 'name', 'a.edge.example.net'],
    ['http://127.0.0.1:8080/live/a.flv', 'ip', '127.0.0.1'],
    ['http://10.0.0.5/x.flv', 'ip', '10.0.0.5'],
    ['http://[fd00::1]:80/x.flv', 'ip', 'fd00::1'],
    ['http://user:pass@cdn.example.com/x.flv', 'name', 'cdn.example.com'],
    // encodings of 127.0.0.1 are the listed IP once canonical
    ['http://2130706433/x.flv', 'ip', '127.0.0.1'],
    ['http://0x7f.0.0.1/x.flv', 'ip', '127.0.0.1'],
    ['http://0177.0.0.1/x.flv', 'ip', '127.0.0.1'],
    ['http://127.1/x.flv', 'ip', '127.0.0.1'],
    // a name that is listed passes here; its addresses are checked after DNS (checkResolved)
    ['http://localhost:8080/x.flv', 'name', 'localhost'],
    ['http://foo.localhost/x.flv', 'name', 'foo.localhost'],
    // not listed
    ['http://127.0.0.2/x.flv', 403],
    ['http://[::1]/x.flv', 403],
    ['http://[::ffff:127.0.0.1]/x.flv', 403], // the mapped form of a listed IP is another IP text
    ['http://0.0.0.0/x.flv', 403],
    ['http://0/x.flv', 403],
    ['http://169.254.169.254/latest/meta-data/', 403],
    ['http://[fd00:ec2::254]/latest/meta-data/', 403],
    ['http://100.100.100.200/latest/meta-data/', 403],
    ['http://edge.example.net/x.flv', 403],
    ['http://cdn.example.com.evil.net/x.flv', 403],
    ['http://evil.net/#@cdn.example.com/x.flv', 403],
    ['http://cdn.example.com@evil.net/x.flv', 403],
    ['http://xn--cdn-example-com/x.flv', 403],
    // metadata names: refused even when a wildcard would match
    ['http://metadata.google.internal/computeMetadata/v1/', 403],
    ['http://metadata.google.internal./computeMetadata/v1/', 403],
    ['http://metadata/computeMetadata/v1/', 403],
    ['http://instance-data/latest/meta-data/', 403],
    // schemes and malformed URLs
    ['ftp://cdn.example.com/x.flv', 400],
    ['file:///etc/passwd', 400],
    ['gopher://127.0.0.1:6379/_INFO', 400],
    ['srt://cdn.example.com:9000', 400],
    // RTMP (SPEC §14): the same host rules; an RTMP URL names /app/stream
    ['rtmp://cdn.example.com/live/a', 'name', 'cdn.example.com'],
    ['rtmps://cdn.example.com/live/a?token=1', 'name', 'cdn.example.com'],
    ['rtmp://evil.net/live/a', 403],
    ['rtmp://169.254.169.254/live/a', 403],
    ['rtmp://cdn.example.com/live', 400],
    ['javascript:alert(1)', 400],
    ['//cdn.example.com/x.flv', 400],
    ['cdn.example.com/x.flv', 400],
    ['http://', 400],
    ['http://[::1/x.flv', 400],
  ];
  it.each(table)('%s -> %s', (target, expected, host) => {
    const v = checkTarget(target, allow);
    if (expected === 'ip' || expected === 'name') {
      expect(v).toMatchObject({ ok: true, kind: expected, host });
    } else {
      expect(v).toMatchObject({ ok: false, status: expected });
      if (!v.ok) expect(v.error.length).toBeGreaterThan(10);
    }
  });

  it('says which rule refused', () => {
    const refused = (t: string) => {
      const v = checkTarget(t, allow);
      return v.ok ? '' : v.error;
    };
    expect(refused('http://evil.net/')).toContain('not in exporter.probe_endpoint.allowed_hosts');
    expect(refused('http://metadata.google.internal/')).toContain('metadata');
    expect(refused('ftp://cdn.example.com/')).toContain('"ftp"');
  });

  it('an empty allow-list allows nothing', () => {
    const none = compileAllowList([]);
    expect(checkTarget('http://cdn.example.com/x.flv', none).ok).toBe(false);
    expect(checkTarget('http://127.0.0.1/x.flv', none).ok).toBe(false);
  });
});

describe('checkResolved', () => {
  const table: [addresses: string[], ok: boolean][] = [
    [['93.184.216.34'], true],
    [['10.0.0.7', '10.0.0.8'], true],
    [['2606:2800:220:1:248:1893:25c8:1946'], true],
    [['fd12:3456::1'], true],
    [['127.0.0.1'], false],
    [['::1'], false],
    [['93.184.216.34', '127.0.0.1'], false], // one bad record among good ones is enough
    [['93.184.216.34', '::ffff:169.254.169.254'], false],
    [['169.254.169.254'], false],
    [['fd00:ec2::254'], false],
    [['0.0.0.0'], false],
    [['fe80::1'], false],
    [['224.0.0.1'], false],
    [[], false],
  ];
  it.each(table)('%j -> ok %s', (addresses, ok) => {
    expect(checkResolved('stream.example.com', addresses).ok).toBe(ok);
  });

  it('names the address and its class', () => {
    const v = checkResolved('rebind.example.com', ['93.184.216.34', '169.254.169.254']);
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.error).toMatch(/rebind\.example\.com resolves to 169\.254\.169\.254 \(metadata\)/);
  });
});
