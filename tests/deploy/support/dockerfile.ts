/**
 * Just enough of the Dockerfile and .dockerignore formats to check the image's build statically
 * (no Docker engine runs on CI machines).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from './files.js';

export interface Instruction {
  keyword: string;
  /** the text after the keyword, continuation lines joined */
  args: string;
  line: number;
}

export interface Stage {
  /** the image as written, and with global ARG defaults substituted */
  from: string;
  image: string;
  name?: string;
  instructions: Instruction[];
}

/** Instructions in order; `\` continuations joined, comments and blank lines dropped. */
export function parseInstructions(text: string): Instruction[] {
  const out: Instruction[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let line = lines[i]!;
    if (/^\s*(#|$)/.test(line)) continue;
    while (/\\\s*$/.test(line) && i + 1 < lines.length) {
      line = line.replace(/\\\s*$/, ' ');
      i++;
      // comment lines inside a continuation are dropped, as Docker does
      if (!/^\s*#/.test(lines[i]!)) line += lines[i]!.trim();
    }
    const m = /^\s*([A-Za-z]+)\s+(.*)$/.exec(line);
    if (!m) throw new Error(`Dockerfile line ${start + 1}: cannot parse ${JSON.stringify(line)}`);
    out.push({ keyword: m[1]!.toUpperCase(), args: m[2]!.trim(), line: start + 1 });
  }
  return out;
}

/** Splits instructions into stages; global ARGs (before the first FROM) are substituted into FROM. */
export function parseStages(text: string): { globalArgs: Record<string, string>; stages: Stage[] } {
  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const ins of parseInstructions(text)) {
    if (ins.keyword === 'FROM') {
      const m = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args);
      if (!m) throw new Error(`line ${ins.line}: bad FROM`);
      const image = m[1]!.replace(/\$\{?(\w+)\}?/g, (_, name: string) => globalArgs[name] ?? '');
      stages.push({ from: m[1]!, image, ...(m[2] ? { name: m[2] } : {}), instructions: [] });
    } else if (stages.length === 0) {
      if (ins.keyword !== 'ARG') throw new Error(`line ${ins.line}: ${ins.keyword} before FROM`);
      const [name, value] = ins.args.split('=', 2);
      globalArgs[name!] = value ?? '';
    } else {
      stages.at(-1)!.instructions.push(ins);
    }
  }
  return { globalArgs, stages };
}

/** JSON (exec) form `["a", "b"]`, or undefined for the shell form. */
export function execForm(args: string): string[] | undefined {
  if (!args.startsWith('[')) return undefined;
  return JSON.parse(args) as string[];
}

export interface Copy {
  from?: string;
  sources: string[];
  dest: string;
  line: number;
}

export function parseCopy(ins: Instruction): Copy {
  const words = execForm(ins.args) ?? ins.args.split(/\s+/);
  const flags = words.filter((w) => w.startsWith('--'));
  const paths = words.filter((w) => !w.startsWith('--'));
  const from = flags.find((f) => f.startsWith('--from='))?.slice('--from='.length);
  return { ...(from ? { from } : {}), sources: paths.slice(0, -1), dest: paths.at(-1)!, line: ins.line };
}

/**
 * .dockerignore as Docker reads it: patterns relative to the context root, `*` within one path segment,
 * `**` across segments, a pattern that matches a directory excludes everything below it, `!` re-includes,
 * the last matching pattern wins.
 */
export function dockerignore(text: string): (path: string) => boolean {
  const rules = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const negate = l.startsWith('!');
      const pattern = (negate ? l.slice(1) : l).replace(/^\/+|\/+$/g, '');
      const re = pattern
        .split('/')
        .map((seg) =>
          seg === '**'
            ? '(?:.*)'
            : seg
                .replace(/[.+^${}()|[\]\\]/g, '\\$&')
                .replace(/\*/g, '[^/]*')
                .replace(/\?/g, '[^/]'),
        )
        .join('/')
        .replace(/\(\?:\.\*\)\//g, '(?:.*/)?');
      return { negate, re: new RegExp(`^${re}(?:/.*)?$`) };
    });
  return (path) => {
    let excluded = false;
    for (const r of rules) if (r.re.test(path)) excluded = !r.negate;
    return excluded;
  };
}

/** Files of the repository (not .git / node_modules, which .dockerignore must exclude anyway). */
export function repoFiles(dir = ROOT, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === '.git' || name === 'node_modules') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) repoFiles(p, out);
    else out.push(relative(ROOT, p).split('\\').join('/'));
  }
  return out;
}

/** The build context Docker would send: repository files that .dockerignore keeps (paths relative to ROOT). */
export function buildContext(): { files: string[]; ignored: (path: string) => boolean } {
  const ignored = dockerignore(readFileSync(join(ROOT, '.dockerignore'), 'utf8'));
  return { files: repoFiles().filter((f) => !ignored(f)), ignored };
}
