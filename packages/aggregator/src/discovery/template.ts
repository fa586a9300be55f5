/**
 * `{vhost}/{app}/{stream}` templates of discovery sources (SPEC §11). Pure: parsed once at config load,
 * rendered once per found stream. `${ENV}` is expanded earlier, at load, like every other config value.
 */

export const TEMPLATE_FIELDS = ['vhost', 'app', 'stream'] as const;
export type TemplateField = (typeof TEMPLATE_FIELDS)[number];
export type TemplateValues = Readonly<Record<TemplateField, string>>;

type Part = string | { field: TemplateField };

export type ParsedTemplate = { ok: true; parts: Part[]; fields: Set<TemplateField> } | { ok: false; error: string };

const PLACEHOLDER = /\{([^{}]*)\}/g;

/** Splits a template into literal text and placeholders; an unknown `{name}` or a stray brace is an error. */
export function parseTemplate(text: string): ParsedTemplate {
  const parts: Part[] = [];
  const fields = new Set<TemplateField>();
  let last = 0;
  for (const m of text.matchAll(PLACEHOLDER)) {
    const name = m[1]!;
    if (!(TEMPLATE_FIELDS as readonly string[]).includes(name)) {
      return { ok: false, error: `unknown placeholder "{${name}}" (expected {vhost}, {app} or {stream})` };
    }
    if (m.index > last) parts.push(text.slice(last, m.index));
    parts.push({ field: name as TemplateField });
    fields.add(name as TemplateField);
    last = m.index + m[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  const literal = parts.filter((p): p is string => typeof p === 'string').join('');
  if (literal.includes('{') || literal.includes('}'))
    return { ok: false, error: 'unbalanced "{" or "}" (placeholders are {vhost}, {app}, {stream})' };
  return { ok: true, parts, fields };
}

/** Renders a parsed template; `encode` is applied to each inserted value (URL templates percent-encode). */
export function renderTemplate(
  parts: readonly Part[],
  values: TemplateValues,
  encode: (v: string) => string = (v) => v,
): string {
  let out = '';
  for (const p of parts) out += typeof p === 'string' ? p : encode(values[p.field]);
  return out;
}

/** Encodes a path segment but keeps characters media servers use in names readable. */
export function encodeSegment(value: string): string {
  return encodeURIComponent(value);
}
