/**
 * A small reader of the Prometheus text exposition format (0.0.4), written for the tests so that the
 * assertions do not go through prom-client, the code under test.
 */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  samples: Sample[];
  /** family name -> TYPE */
  types: Map<string, string>;
  /** family name -> HELP */
  help: Map<string, string>;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;

export function parseExposition(text: string): Exposition {
  const out: Exposition = { samples: [], types: new Map(), help: new Map() };
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '') continue;
    if (line.startsWith('#')) {
      const m = /^#\s+(HELP|TYPE)\s+(\S+)\s?(.*)$/.exec(line);
      if (m) (m[1] === 'HELP' ? out.help : out.types).set(m[2]!, m[3]!);
      continue;
    }
    out.samples.push(parseSample(line, i + 1));
  }
  return out;
}

function parseSample(line: string, lineNo: number): Sample {
  const fail = (why: string): never => {
    throw new Error(`exposition line ${lineNo}: ${why}: ${line}`);
  };
  const name = NAME.exec(line)?.[0] ?? fail('no metric name');
  let pos = name.length;
  const labels: Record<string, string> = {};
  if (line[pos] === '{') {
    pos++;
    while (line[pos] !== '}') {
      const key = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(line.slice(pos))?.[0] ?? fail('bad label name');
      pos += key.length;
      if (line[pos] !== '=' || line[pos + 1] !== '"') fail('expected ="');
      pos += 2;
      let value = '';
      for (;;) {
        const c = line[pos++] ?? fail('unterminated label value');
        if (c === '"') break;
        if (c === '\\') {
          const e = line[pos++] ?? fail('dangling escape');
          value += e === 'n' ? '\n' : e;
        } else value += c;
      }
      if (key in labels) fail(`label ${key} repeated`);
      labels[key] = value;
      if (line[pos] === ',') pos++;
      else if (line[pos] !== '}') fail('expected , or }');
    }
    pos++;
  }
  const rest = line.slice(pos).trim().split(/\s+/);
  const v = rest[0] ?? fail('no value');
  // Prometheus reads values with Go's ParseFloat: NaN and Inf in any case (prom-client writes "Nan")
  const lower = v.toLowerCase();
  const value =
    lower === 'nan' ? NaN : /^[+-]?inf$/.test(lower) ? (lower.startsWith('-') ? -Infinity : Infinity) : Number(v);
  if (Number.isNaN(value) && lower !== 'nan') fail(`bad value ${v}`);
  return { name, labels, value };
}

/** Samples named `name` whose labels include every pair of `match`. */
export function select(e: Exposition, name: string, match: Record<string, string> = {}): Sample[] {
  return e.samples.filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v));
}

/** The single sample named `name` matching `match`; throws when there is none or more than one. */
export function one(e: Exposition, name: string, match: Record<string, string> = {}): Sample {
  const found = select(e, name, match);
  if (found.length !== 1) throw new Error(`expected one ${name}${JSON.stringify(match)}, found ${found.length}`);
  return found[0]!;
}

/** The value of the single matching sample, or undefined when the series is absent. */
export function sampleValue(e: Exposition, name: string, match: Record<string, string> = {}): number | undefined {
  const found = select(e, name, match);
  if (found.length > 1) throw new Error(`expected at most one ${name}${JSON.stringify(match)}, found ${found.length}`);
  return found[0]?.value;
}
