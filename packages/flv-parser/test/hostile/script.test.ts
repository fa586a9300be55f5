/** Endless script data: one script tag above the cap, and runs of script tags with no media between. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_SCRIPT_RUN } from '../../src/demuxer.js';
import { flv, tag } from '../support/flv-builder.js';
import { AAC_FRAME, hostileCases, SMALL_METADATA } from './cases.js';
import { casesOf, checkCase, parse } from './run.js';

const all = hostileCases();
const scripts = (events: ReturnType<typeof parse>['events']) => events.filter((e) => e.type === 'script');

describe('hostile script data: exact anomaly codes, no throw, the valid tail still read', () => {
  it.each(casesOf(all, 'script'))('%s', (_name, c) => {
    checkCase(c);
  });
});

describe('script floods', () => {
  it('the first 64 tags of a run are parsed, the rest skipped unparsed', () => {
    const c = all.find((x) => x.name.startsWith('100 script tags'))!;
    const p = checkCase(c);
    expect(scripts(p.events)).toHaveLength(DEFAULT_MAX_SCRIPT_RUN);
    const flood = p.events.find((e) => e.type === 'anomaly')!;
    // reported at the 65th script tag: 13-byte file header + 64 tags of 11 + 37 + 4 bytes
    expect(SMALL_METADATA).toHaveLength(37);
    expect(flood).toMatchObject({ code: 'script_flood', offset: 13 + 64 * 52 });
    expect(flood.type === 'anomaly' && flood.message).toMatch(/^script tag 65 in a row without audio or video/);
  });

  it('the byte cap: 17 tags of 60 KiB (1,044,480 bytes) are parsed, the 18th passes 1 MiB', () => {
    const c = all.find((x) => x.name.startsWith('20 script tags of 60 KiB'))!;
    expect(scripts(checkCase(c).events)).toHaveLength(17);
  });

  it('a caption-like stream, script tags interleaved with media, never floods', () => {
    const tags: number[][] = [];
    for (let i = 0; i < 1000; i++) tags.push(tag(18, i * 20, SMALL_METADATA), tag(8, i * 20, AAC_FRAME));
    const p = parse(flv(...tags));
    expect(p.codes).toEqual([]);
    expect(scripts(p.events)).toHaveLength(1000);
  });

  it('caps are options: a run of 3 with maxScriptRun 2', () => {
    const p = parse(flv(tag(18, 0, SMALL_METADATA), tag(18, 0, SMALL_METADATA), tag(18, 0, SMALL_METADATA)), 4096, {
      maxScriptRun: 2,
    });
    expect(p.codes).toEqual(['script_flood']);
    expect(scripts(p.events)).toHaveLength(2);
  });
});
