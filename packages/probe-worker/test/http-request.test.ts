import { describe, expect, it } from 'vitest';
import { buildRequest, DEFAULT_USER_AGENT, validateHeaders } from '../src/http/request.js';

describe('buildRequest', () => {
  it('writes a GET with Host, User-Agent and Connection: close', () => {
    const req = buildRequest(new URL('http://cdn.example.com:8080/live/a.flv?x=1&y=2'), 'ua/1', undefined);
    const lines = req.split('\r\n');
    expect(lines[0]).toBe('GET /live/a.flv?x=1&y=2 HTTP/1.1');
    expect(lines).toContain('Host: cdn.example.com:8080');
    expect(lines).toContain('User-Agent: ua/1');
    expect(lines).toContain('Connection: close');
    expect(req.endsWith('\r\n\r\n')).toBe(true);
  });

  it('omits the default port from Host and brackets IPv6', () => {
    expect(buildRequest(new URL('https://a.example:443/x'), 'u', undefined)).toContain('Host: a.example\r\n');
    expect(buildRequest(new URL('http://[::1]:81/x'), 'u', undefined)).toContain('Host: [::1]:81\r\n');
  });

  it('lets per-stream headers replace defaults, but never Connection', () => {
    const req = buildRequest(new URL('http://1.2.3.4/x'), 'u', {
      host: 'live.example.com',
      Referer: 'https://www.example.com/',
      connection: 'keep-alive',
    });
    expect(req).toContain('host: live.example.com\r\n');
    expect(req).not.toContain('Host: 1.2.3.4');
    expect(req).toContain('Referer: https://www.example.com/\r\n');
    expect(req).toContain('Connection: close\r\n');
    expect(req).not.toContain('keep-alive');
  });

  it('turns URL userinfo into Basic auth', () => {
    const req = buildRequest(new URL('http://us%40er:p%3Ass@h/x'), 'u', undefined);
    expect(req).toContain(`Authorization: Basic ${Buffer.from('us@er:p:ss').toString('base64')}\r\n`);
  });

  it('has a versioned default user agent', () => {
    expect(DEFAULT_USER_AGENT).toMatch(/^video-exporter\/\d+\.\d+\.\d+/);
  });
});

describe('validateHeaders', () => {
  it('rejects header injection', () => {
    expect(() => validateHeaders({ 'X-A': 'ok\r\nEvil: 1' })).toThrow(TypeError);
    expect(() => validateHeaders({ 'Bad Name': 'v' })).toThrow(TypeError);
    expect(() => validateHeaders({ Referer: 'https://x/' })).not.toThrow();
  });
});
