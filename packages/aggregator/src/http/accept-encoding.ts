/**
 * Content negotiation of the response encoding (RFC 9110 §12.5.3), for the one coding /metrics offers:
 * gzip, as Prometheus' own client libraries do (Prometheus always sends `Accept-Encoding: gzip`).
 *
 * gzip is chosen when the client gives it (or `x-gzip`, or else `*`) a q-value above 0: `gzip;q=0`, or
 * `*;q=0` with gzip not named, refuse it. An element with a malformed q-value is ignored (not taken as
 * q=1). No header: identity.
 */
const GZIP_NAMES = new Set(['gzip', 'x-gzip']);
const QVALUE = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/;

/** q of one list element's parameters; undefined when a q parameter is present but malformed */
function qOf(params: string[]): number | undefined {
  for (const p of params) {
    const eq = p.indexOf('=');
    if (eq < 0 || p.slice(0, eq).trim().toLowerCase() !== 'q') continue;
    const v = p.slice(eq + 1).trim();
    return QVALUE.test(v) ? Number(v) : undefined;
  }
  return 1;
}

export function acceptsGzip(header: string | string[] | undefined): boolean {
  if (header === undefined) return false;
  const text = Array.isArray(header) ? header.join(',') : header;
  let gzip: number | undefined;
  let any: number | undefined;
  for (const element of text.split(',')) {
    const [coding = '', ...params] = element.split(';');
    const name = coding.trim().toLowerCase();
    if (name === '') continue;
    const q = qOf(params);
    if (q === undefined) continue;
    if (GZIP_NAMES.has(name)) gzip = Math.max(gzip ?? 0, q);
    else if (name === '*') any = Math.max(any ?? 0, q);
  }
  return (gzip ?? any ?? 0) > 0;
}
