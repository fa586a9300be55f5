/**
 * Mapping of Node network errors to the closed set of failure reasons (SPEC §4).
 *
 * The HTTP client knows which phase of a probe an error happened in, and the phase decides when the
 * error code alone is ambiguous: a getaddrinfo error is `dns` whatever its code, an unknown error during
 * the TLS handshake is `tls`. Everything else goes by `err.code`.
 *
 * Choices where the closed set has no exact name (documented so dashboards can be read):
 * - EHOSTUNREACH / ENETUNREACH / EHOSTDOWN / ENETDOWN / EADDRNOTAVAIL → `refused`: like a closed port,
 *   the connection was never established and the kernel said so at once (a silent drop is `timeout`).
 * - An unknown code on an established connection → `reset`: the connection broke for a reason we
 *   cannot name, which is what an operator reads `reset` as.
 */
import type { FailureReason } from './result.js';

/** Where in a probe an error happened; the HTTP client passes it. */
export type NetworkPhase = 'dns' | 'connect' | 'tls' | 'request' | 'response' | 'body';

const DNS_CODES = new Set([
  'ENOTFOUND',
  'ENODATA',
  'ESERVFAIL',
  'EREFUSED', // c-ares: the DNS server refused (net's refused is ECONNREFUSED)
  'EBADNAME',
  'EBADRESP',
  'ENONAME',
  'ENOTIMP',
  'EFORMERR',
  'EBADQUERY',
  'EBADFAMILY',
]);

const REFUSED_CODES = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENETDOWN',
  'EADDRNOTAVAIL',
]);

const RESET_CODES = new Set([
  'ECONNRESET',
  'EPIPE',
  'ECONNABORTED',
  'ERR_STREAM_PREMATURE_CLOSE',
  'ERR_SOCKET_CLOSED',
  'ERR_STREAM_DESTROYED',
]);

const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT', 'ERR_SOCKET_CONNECTION_TIMEOUT', 'ABORT_ERR']);

/** OpenSSL certificate-verification codes that Node puts in err.code as-is. */
const TLS_CODES = new Set([
  'EPROTO', // e.g. "wrong version number": the port does not speak TLS
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_CHAIN_TOO_LONG',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  'INVALID_CA',
  'INVALID_PURPOSE',
  'PATH_LENGTH_EXCEEDED',
  'HOSTNAME_MISMATCH',
]);

function codeOf(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

function nameOf(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const name = (err as { name?: unknown }).name;
  return typeof name === 'string' ? name : undefined;
}

function isTlsCode(code: string): boolean {
  return (
    TLS_CODES.has(code) ||
    code.startsWith('ERR_TLS_') ||
    code.startsWith('ERR_SSL_') ||
    code.startsWith('ERR_OSSL_') ||
    code.includes('CERT')
  );
}

/**
 * The failure reason of a network error. `phase` (optional) breaks ties: errors in the `dns` phase are
 * always `dns`; an unrecognised error in the `tls` phase is `tls`.
 */
export function classifyNetworkError(err: unknown, phase?: NetworkPhase): FailureReason {
  if (phase === 'dns') return 'dns';
  const code = codeOf(err);
  const name = nameOf(err);
  if (name === 'AbortError' || name === 'TimeoutError') return 'timeout';
  if (code !== undefined) {
    if (DNS_CODES.has(code) || code.startsWith('EAI_')) return 'dns';
    if (REFUSED_CODES.has(code)) return 'refused';
    if (TIMEOUT_CODES.has(code)) return 'timeout';
    if (isTlsCode(code)) return 'tls';
    if (RESET_CODES.has(code)) return 'reset';
  }
  // OpenSSL errors without a known code still carry the library name.
  if (typeof err === 'object' && err !== null && (err as { library?: unknown }).library === 'SSL routines') {
    return 'tls';
  }
  if (phase === 'tls') return 'tls';
  return 'reset';
}

/** A short human-readable description of an error (code + message, no stack). */
export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const code = codeOf(err);
    // OpenSSL errors carry a readable `reason` ("wrong version number") next to a message full of
    // library internals
    const sslReason = (err as { reason?: unknown }).reason;
    const message = typeof sslReason === 'string' && sslReason !== '' ? sslReason : err.message.trim();
    return code !== undefined && !message.includes(code) ? `${code}: ${message}` : message;
  }
  return String(err);
}
