/** Deeply nested and recursive-looking AMF0 in script tags. */
import { describe, expect, it } from 'vitest';
import { hostileCases } from './cases.js';
import { casesOf, checkCase } from './run.js';

const all = hostileCases();
const byName = (prefix: string) => all.find((c) => c.name.startsWith(prefix))!;

describe('hostile AMF0: exact anomaly codes, no throw, the valid tail still read', () => {
  it.each(casesOf(all, 'amf'))('%s', (_name, c) => {
    checkCase(c);
  });
});

describe('AMF0 details', () => {
  it('too deep: the script event still comes, with the levels read before the cap', () => {
    const p = checkCase(byName('AMF0 objects nested 33 deep'));
    const script = p.events.find((e) => e.type === 'script');
    expect(script).toMatchObject({ name: 'onMetaData' });
    let depth = 0;
    let v: unknown = script!.type === 'script' ? script!.value : undefined;
    while (v && typeof v === 'object' && 'a' in v) {
      depth++;
      v = (v as { a: unknown }).a;
    }
    expect(depth).toBeLessThanOrEqual(32);
  });

  it('16,000 levels are refused at level 33 without recursing further (no stack overflow)', () => {
    const p = checkCase(byName('AMF0 objects nested 16,000 deep'));
    expect(p.events.find((e) => e.type === 'anomaly')).toMatchObject({
      message: expect.stringMatching(/nests deeper than 32 levels/),
    });
  });

  it('a self-reference reads as undefined: no cycle, the other fields kept', () => {
    const p = checkCase(byName('AMF0 object referring to itself'));
    const script = p.events.find((e) => e.type === 'script');
    const value = script?.type === 'script' ? (script.value as Record<string, unknown>) : {};
    expect(value.width).toBe(1280);
    expect(value.self).toBeUndefined();
    expect(() => JSON.stringify(p.summary.metadata)).not.toThrow();
    expect(p.summary.metadata).toEqual({ width: 1280 });
  });

  it('references to references stay 120 undefineds, one anomaly for the tag', () => {
    const p = checkCase(byName('AMF0 references to references'));
    expect(p.events.find((e) => e.type === 'anomaly')).toMatchObject({
      message: '120 AMF0 reference marker(s) not resolved (read as undefined)',
    });
    const script = p.events.find((e) => e.type === 'script');
    const value = script?.type === 'script' ? (script.value as Record<string, Record<string, unknown>>) : {};
    expect(Object.keys(value)).toHaveLength(12);
    expect(
      Object.values(value).every(
        (level) => Object.keys(level).length === 10 && Object.values(level).every((r) => r === undefined),
      ),
    ).toBe(true);
    // the metadata the summary keeps is as small as the bytes
    expect(JSON.stringify(p.summary.metadata).length).toBeLessThan(200);
  });
});
