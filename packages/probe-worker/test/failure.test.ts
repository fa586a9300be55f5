import { describe, expect, it } from 'vitest';
import { classifyNetworkError, describeError } from '../src/failure.js';
import { FAILURE_REASONS } from '../src/result.js';

const err = (code: string, message = code): Error => Object.assign(new Error(message), { code });

describe('classifyNetworkError', () => {
  const table: [string, string][] = [
    ['ENOTFOUND', 'dns'],
    ['EAI_AGAIN', 'dns'],
    ['EAI_FAIL', 'dns'],
    ['ESERVFAIL', 'dns'],
    ['ECONNREFUSED', 'refused'],
    ['EHOSTUNREACH', 'refused'],
    ['ENETUNREACH', 'refused'],
    ['ECONNRESET', 'reset'],
    ['EPIPE', 'reset'],
    ['ECONNABORTED', 'reset'],
    ['ETIMEDOUT', 'timeout'],
    ['ABORT_ERR', 'timeout'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'tls'],
    ['SELF_SIGNED_CERT_IN_CHAIN', 'tls'],
    ['CERT_HAS_EXPIRED', 'tls'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'tls'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'tls'],
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'tls'],
    ['EPROTO', 'tls'],
  ];
  for (const [code, reason] of table) {
    it(`${code} → ${reason}`, () => {
      expect(classifyNetworkError(err(code))).toBe(reason);
    });
  }

  it('names abort and timeout errors by name', () => {
    expect(classifyNetworkError(new DOMException('x', 'AbortError'))).toBe('timeout');
    expect(classifyNetworkError(new DOMException('x', 'TimeoutError'))).toBe('timeout');
  });

  it('lets the phase decide what the code cannot', () => {
    // any failure of the lookup is a DNS failure, whatever libuv called it
    expect(classifyNetworkError(err('ECONNREFUSED'), 'dns')).toBe('dns');
    expect(classifyNetworkError(new Error('odd'), 'tls')).toBe('tls');
    expect(classifyNetworkError(new Error('odd'), 'body')).toBe('reset');
    // a reset during the handshake is still a reset
    expect(classifyNetworkError(err('ECONNRESET'), 'tls')).toBe('reset');
  });

  it('recognises OpenSSL errors by library', () => {
    expect(classifyNetworkError(Object.assign(new Error('x'), { library: 'SSL routines' }))).toBe('tls');
  });

  it('always answers with a member of the closed set, even for junk', () => {
    for (const junk of [undefined, null, 42, 'text', {}, { code: 7 }, err('E_WHATEVER')]) {
      expect(FAILURE_REASONS).toContain(classifyNetworkError(junk));
    }
  });
});

describe('describeError', () => {
  it('puts the code in front when the message lacks it', () => {
    expect(describeError(err('EPROTO', 'wrong version number'))).toBe('EPROTO: wrong version number');
    expect(describeError(err('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1'))).toBe(
      'connect ECONNREFUSED 127.0.0.1:1',
    );
    expect(describeError('plain')).toBe('plain');
    const ssl = Object.assign(
      new Error('80EC:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:x.c:350:\n'),
      {
        code: 'ERR_SSL_WRONG_VERSION_NUMBER',
        reason: 'wrong version number',
      },
    );
    expect(describeError(ssl)).toBe('ERR_SSL_WRONG_VERSION_NUMBER: wrong version number');
  });
});
