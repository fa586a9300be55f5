// Minimal reader of the Prometheus text exposition format: enough for the bench to check the
// exporter's own series (names, label sets, values); comments and timestamps are skipped.

/** Parses exposition text into [{ name, labels, value }]. */
export function parseProm(text) {
  const out = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const brace = line.indexOf('{');
    const space = line.indexOf(' ');
    let name;
    const labels = {};
    let rest;
    if (brace >= 0 && (space < 0 || brace < space)) {
      name = line.slice(0, brace);
      const close = parseLabels(line, brace + 1, labels);
      rest = line.slice(close + 1).trim();
    } else {
      name = line.slice(0, space);
      rest = line.slice(space + 1).trim();
    }
    const value = parseValue(rest.split(' ')[0]);
    out.push({ name, labels, value });
  }
  return out;
}

function parseValue(s) {
  if (s === '+Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  return Number(s);
}

/** Reads `a="x",b="y"}` from `i`; returns the index of the closing brace. */
function parseLabels(line, i, labels) {
  while (i < line.length && line[i] !== '}') {
    const eq = line.indexOf('=', i);
    const key = line.slice(i, eq).trim().replace(/^,/, '').trim();
    let j = eq + 2; // past ="
    let value = '';
    while (j < line.length && line[j] !== '"') {
      if (line[j] === '\\') {
        const n = line[j + 1];
        value += n === 'n' ? '\n' : n;
        j += 2;
      } else {
        value += line[j++];
      }
    }
    labels[key] = value;
    i = j + 1;
    if (line[i] === ',') i++;
  }
  return i;
}

/** Sum of the values of every sample of `name` whose labels include `match`. */
export function sum(samples, name, match = {}) {
  let s = 0;
  for (const x of samples) {
    if (x.name !== name) continue;
    if (Object.entries(match).every(([k, v]) => x.labels[k] === v)) s += x.value;
  }
  return s;
}

/** The value of the single sample of `name` (first match), or undefined. */
export function one(samples, name) {
  return samples.find((x) => x.name === name)?.value;
}

/** Map stream id -> value for a per-stream gauge. */
export function byStream(samples, name) {
  const m = new Map();
  for (const x of samples) if (x.name === name) m.set(x.labels.id, x.value);
  return m;
}
