import { describe, expect, it } from 'vitest';
import { FlvDemuxer, type FlvEvent, type ScriptEvent, streamClockMs, streamClockStrings } from '../src/index.js';

describe('streamClockMs (onFI sd/st)', () => {
  it("reads FMLE's dd-mm-yy and hh:mm:ss.mmm as UTC", () => {
    expect(streamClockMs({ sd: '05-12-26', st: '00:41:44.123' })).toBe(Date.UTC(2026, 11, 5, 0, 41, 44, 123));
  });

  it('takes a four-digit year, a missing fraction and a short fraction', () => {
    expect(streamClockMs({ sd: '29-02-2024', st: '23:59:59' })).toBe(Date.UTC(2024, 1, 29, 23, 59, 59));
    expect(streamClockMs({ sd: '01-01-25', st: '10:00:00.5' })).toBe(Date.UTC(2025, 0, 1, 10, 0, 0, 500));
    expect(streamClockMs({ sd: '01-01-25', st: '10:00:00.05' })).toBe(Date.UTC(2025, 0, 1, 10, 0, 0, 50));
  });

  it('refuses what is not a real date and time, and values of the wrong shape', () => {
    for (const v of [
      { sd: '31-02-25', st: '10:00:00' },
      { sd: '01-13-25', st: '10:00:00' },
      { sd: '01-01-25', st: '24:00:00' },
      { sd: '01-01-25', st: '10:60:00' },
      { sd: '2025-01-01', st: '10:00:00' },
      { sd: '01-01-25' },
      { st: '10:00:00' },
      { sd: 1, st: '10:00:00' },
      'onFI',
      null,
      undefined,
      [],
    ]) {
      expect(streamClockMs(v as never), JSON.stringify(v)).toBeUndefined();
    }
  });

  it('round-trips with streamClockStrings to the millisecond', () => {
    for (const t of [
      Date.UTC(2026, 11, 5, 0, 41, 44, 123),
      Date.UTC(2030, 5, 30, 23, 59, 59, 999),
      Date.UTC(2001, 0, 1),
    ]) {
      expect(streamClockMs(streamClockStrings(t))).toBe(t);
    }
  });

  it("reaches the demuxer's script events as an onFI name and value (the parser keeps no clock)", () => {
    // script tag: "onFI" + ECMA array {sd, st}
    const amfString = (s: string) => [0x00, s.length, ...Buffer.from(s)];
    const body = [
      0x02,
      ...amfString('onFI'),
      0x08,
      0,
      0,
      0,
      2,
      ...amfString('sd'),
      0x02,
      ...amfString('05-12-26'),
      ...amfString('st'),
      0x02,
      ...amfString('01:02:03.456'),
      0,
      0,
      9,
    ];
    const header = [18, 0, 0, body.length, 0, 0x03, 0xe8, 0, 0, 0, 0];
    const flv = Buffer.from([
      0x46,
      0x4c,
      0x56,
      1,
      5,
      0,
      0,
      0,
      9,
      0,
      0,
      0,
      0,
      ...header,
      ...body,
      0,
      0,
      0,
      header.length + body.length,
    ]);
    const events: FlvEvent[] = [];
    new FlvDemuxer((e) => events.push(e)).push(flv);
    const script = events.find((e): e is ScriptEvent => e.type === 'script');
    expect(script).toMatchObject({ name: 'onFI', timestamp: 1000 });
    expect(streamClockMs(script!.value)).toBe(Date.UTC(2026, 11, 5, 1, 2, 3, 456));
  });
});
