import { describe, expect, it } from 'vitest';
import { isSecretParam, redactText, redactUrl, requestSecrets, urlSecrets } from '../src/redact.js';

describe('redactUrl', () => {
  const table: [string, string][] = [
    ['http://user:pass@cdn.example.com/live/a.flv', 'http://***:***@cdn.example.com/live/a.flv'],
    ['https://user@cdn.example.com/a.flv', 'https://***@cdn.example.com/a.flv'],
    ['http://u:p@ss@host:8080/a.flv', 'http://***:***@host:8080/a.flv'],
    // Aliyun
    [
      'http://live.example.com/app/s.flv?auth_key=1700000000-0-0-abcdef',
      'http://live.example.com/app/s.flv?auth_key=***',
    ],
    // Tencent: txTime stays, it is not secret and tells an expired link apart
    [
      'http://x.livepull.myqcloud.com/live/s.flv?txSecret=f00d&txTime=65A0B1C2',
      'http://x.livepull.myqcloud.com/live/s.flv?txSecret=***&txTime=65A0B1C2',
    ],
    // Wangsu
    ['http://w.example/live/s.flv?wsSecret=abc&wsTime=123', 'http://w.example/live/s.flv?wsSecret=***&wsTime=123'],
    [
      'http://h/s.flv?token=t&sign=s&secret=x&key=k&password=p&pass=q&signature=g&access_token=a&auth=z',
      'http://h/s.flv?token=***&sign=***&secret=***&key=***&pass' +
        'word=***&pass=***&signature=***&access_token=***&auth=***',
    ],
    // by name part, any case
    [
      'http://h/s.flv?X-Auth-Token=1&clientSecret=2&MyTOKEN=3&stream_key=4',
      'http://h/s.flv?X-Auth-Token=***&clientSecret=***&MyTOKEN=***&stream_key=***',
    ],
    // harmless parameters and the rest of the URL stay byte for byte
    ['http://h/live/a%20b.flv?room=1&monkey=2&flag&t=9#frag', 'http://h/live/a%20b.flv?room=1&monkey=2&flag&t=9#frag'],
    ['http://h/a.flv?token=abc#access_token=xyz', 'http://h/a.flv?token=***#access_token=***'],
    // percent-encoded parameter name
    ['http://h/a.flv?%74oken=abc', 'http://h/a.flv?%74oken=***'],
  ];
  for (const [input, expected] of table) {
    it(`redacts ${input}`, () => {
      expect(redactUrl(input)).toBe(expected);
    });
  }

  it('never throws, and still redacts malformed URLs', () => {
    expect(redactUrl('not a url')).toBe('not a url');
    expect(redactUrl('')).toBe('');
    expect(redactUrl('http://u:p@[bad/x?token=%E0%A4%A&sign=1')).toBe('http://***:***@[bad/x?token=***&sign=***');
    expect(redactUrl('?key=1')).toBe('?key=***');
  });
});

describe('isSecretParam', () => {
  it('spares time and ordinary parameters', () => {
    for (const name of ['txTime', 'wsTime', 't', 'room', 'expires', 'keyframe', 'monkey'])
      expect(isSecretParam(name)).toBe(false);
    for (const name of ['KEY', 'Sign', 'api_key', 'refresh_token', 'Authorization'])
      expect(isSecretParam(name)).toBe(true);
  });
});

describe('urlSecrets / redactText', () => {
  const url = 'http://alice:s3cr%40t@cdn.example.com/live/a.flv?txSecret=deadbeef&txTime=1';

  it('lists the secret values, raw and decoded', () => {
    const secrets = urlSecrets(url);
    expect(secrets).toEqual(expect.arrayContaining(['alice', 's3cr%40t', 's3cr@t', 'deadbeef']));
    expect(secrets).not.toContain('1');
  });

  it('scrubs URLs and listed secrets out of a message', () => {
    const msg = `GET ${url} failed; server said "bad signature deadbeef" for user alice (pw s3cr@t)`;
    const out = redactText(msg, urlSecrets(url));
    expect(out).not.toContain('deadbeef');
    expect(out).not.toContain('alice');
    expect(out).not.toContain('s3cr');
    expect(out).toContain('http://***:***@cdn.example.com/live/a.flv?txSecret=***&txTime=1');
  });

  it('leaves very short secrets alone rather than garbling the text', () => {
    expect(redactText('a bad answer', ['a'])).toBe('a bad answer');
  });
});

describe('requestSecrets', () => {
  it('adds the Basic form of the userinfo and private header values, not public ones', () => {
    const secrets = requestSecrets('http://ops:p%40ss@cdn.example/live/a.flv?token=tok123', {
      Authorization: 'Bearer abc.def.ghi',
      'X-Api-Key': ' k-42-secret ',
      Referer: 'https://player.example/',
      'User-Agent': 'player/1.0',
      'X-Forwarded-Proto': 'https',
      'Cache-Control': 'no-cache',
    });
    expect(secrets).toContain('tok123');
    expect(secrets).toContain(Buffer.from('ops:p@ss').toString('base64'));
    expect(secrets).toContain('Bearer abc.def.ghi');
    expect(secrets).toContain('abc.def.ghi');
    expect(secrets).toContain('k-42-secret');
    expect(secrets).not.toContain('https://player.example/');
    expect(secrets).not.toContain('player/1.0');
    // scrubbing these would garble every "https://" and "no-cache" in error text
    expect(secrets).not.toContain('https');
    expect(secrets).not.toContain('no-cache');
  });

  it('an echoed Authorization header is scrubbed from a server message', () => {
    const headers = { Authorization: 'Basic c2VjcmV0OnBhc3M=' };
    const text = redactText(
      'HTTP/1.1 400 echo: Authorization: Basic c2VjcmV0OnBhc3M=',
      requestSecrets('http://h.example/a.flv', headers),
    );
    expect(text).not.toContain('c2VjcmV0OnBhc3M=');
  });

  it('a URL without credentials or headers carries no secrets', () => {
    expect(requestSecrets('http://h.example/live/a.flv')).toEqual([]);
  });
});
