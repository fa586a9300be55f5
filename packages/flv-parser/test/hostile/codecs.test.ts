/**
 * Hostile codec data: SPS with out-of-range values, HEVC records with many arrays, zero-length NAL units
 * in records and in coded frames, AV1 records with garbage OBUs, and made-up FourCCs without end.
 */
import { describe, expect, it } from 'vitest';
import { parseHevcDecoderConfigurationRecord } from '../../src/codecs/hevc.js';
import { hostileCases } from './cases.js';
import { casesOf, checkCase } from './run.js';

const all = hostileCases();
const byName = (name: string) => all.find((c) => c.name === name)!;
const messages = (p: ReturnType<typeof checkCase>) =>
  p.events.flatMap((e) => (e.type === 'anomaly' ? [e.message] : []));

describe.each(['sps', 'records', 'nal', 'av1', 'codecs'] as const)(
  'hostile %s: exact anomaly codes, no throw, the valid tail still read',
  (group) => {
    it.each(casesOf(all, group))('%s', (_name, c) => {
      checkCase(c);
    });
  },
);

describe('SPS out of range: the message names the element and its value', () => {
  it.each<[string, RegExp]>([
    ['H.264 SPS log2_max_frame_num_minus4 = 13', /log2_max_frame_num_minus4 = 13 out of range 0\.\.12/],
    ['H.264 SPS pic_order_cnt_type = 3', /pic_order_cnt_type = 3 out of range 0\.\.2/],
    ['H.264 SPS seq_parameter_set_id = 32', /seq_parameter_set_id = 32 out of range 0\.\.31/],
    ['H.264 SPS chroma_format_idc = 4', /chroma_format_idc = 4 out of range 0\.\.3/],
    ['H.264 SPS bit_depth_luma_minus8 = 7 (15 bits)', /bit_depth_luma_minus8 = 7 out of range 0\.\.6/],
    [
      'H.264 SPS pic_width_in_mbs_minus1 = 2^32 - 2 (width overflows 32 bits)',
      /picture size 68719476720x720 above 16384x16384/,
    ],
    [
      'H.264 SPS 16384x16384 (each side allowed, the frame above MaxFS)',
      /16384x16384 is 1048576 macroblocks, above MaxFS 139264/,
    ],
    ['H.265 SPS chroma_format_idc = 4', /chroma_format_idc 4 > 3/],
    ['H.265 SPS bit_depth_luma_minus8 = 9 (17 bits)', /bit_depth_luma_minus8 9 > 8/],
    ['H.265 SPS pic_width_in_luma_samples = 0', /pic_width_in_luma_samples 0 out of 1\.\.16888/],
    ['H.265 SPS 16888x16888 (above MaxLumaPs)', /16888x16888 is 285204544 luma samples, above MaxLumaPs 35651584/],
    ['H.265 SPS log2_max_pic_order_cnt_lsb_minus4 = 13', /log2_max_pic_order_cnt_lsb_minus4 13 > 12/],
  ])('%s', (name, message) => {
    expect(messages(checkCase(byName(name)))).toEqual([expect.stringMatching(message)]);
  });

  it('after a bad SPS, frames are not "before config" once a good sequence header came', () => {
    // the tail's sequence header follows the bad one: its frames raise nothing (checkCase asserts the codes)
    const p = checkCase(byName('H.264 SPS pic_order_cnt_type = 3'));
    expect(p.summary.video.width).toBe(1920);
  });
});

describe('decoder configuration records', () => {
  it('numOfArrays 255 and numNalus 65535 with the bytes missing: the walk stops at the end of the record', () => {
    expect(messages(checkCase(byName('HEVC record claiming numOfArrays 255, one array present')))).toEqual([
      expect.stringMatching(/array 1 of 255 starts past the end/),
    ]);
    expect(messages(checkCase(byName('HEVC record claiming numNalus 65535, one NAL unit present')))).toEqual([
      expect.stringMatching(/NAL unit 1 of 65535 starts past the end/),
    ]);
  });

  it(
    'numOfArrays 255 really present (254 empty arrays, then' + ' the SPS) is not damage: read, bounded by the record',
    () => {
      const sps = Buffer.from('42010101600000030090000003000003005da00280802d16515e49122b20', 'hex');
      const head = [1, 1, 0x60, 0, 0, 0, 0x90, 0, 0, 0, 0, 0, 93, 0xf0, 0, 0xfc, 0xfd, 0xf8, 0xf8, 0, 0, 0x0f, 255];
      const arrays = [
        ...Array.from({ length: 254 }, () => [0x80 | 39, 0, 0]).flat(),
        0x80 | 33,
        0,
        1,
        0,
        sps.length,
        ...sps,
      ];
      const r = parseHevcDecoderConfigurationRecord(Uint8Array.from([...head, ...arrays]));
      expect(r).toEqual({ ok: true, config: expect.objectContaining({ width: 1280, height: 720 }) });
    },
  );

  it('zero-length NAL units beside a real SPS: reported, and the configuration is still read', () => {
    for (const name of [
      'HEVC record with zero-length NAL units beside the SPS',
      'AVC record with a zero-length SPS before the real one and a zero-length PPS',
    ]) {
      const c = byName(name);
      const p = checkCase(c);
      const configs = p.events.filter((e) => e.type === 'video-config' && e.offset < c.tailOffset);
      expect(configs, name).toHaveLength(1);
    }
    expect(messages(checkCase(byName('HEVC record with zero-length NAL units beside the SPS')))).toEqual([
      'HEVCDecoderConfigurationRecord: 3 zero-length NAL unit(s) in the parameter set arrays',
    ]);
  });
});

describe('zero-length NAL units in coded frames', () => {
  it.each([
    'AVC coded frame: zero-length NAL units before the IDR slice',
    'HEVC coded frame: a zero-length NAL unit before the IDR',
  ])('%s: the frame is still counted, and still a keyframe by its IDR', (name) => {
    const c = byName(name);
    const p = checkCase(c);
    const frames = p.events.filter((e) => e.type === 'video-frame' && e.offset < c.tailOffset);
    expect(frames).toMatchObject([{ keyframe: true }]);
    // the IDR behind the empty units was reached: a key frame type that disagreed would be keyframe_mismatch
    expect(p.codes).not.toContain('keyframe_mismatch');
  });

  it('500 zero-length units are counted in one anomaly', () => {
    expect(messages(checkCase(byName('AVC coded frame of nothing but zero-length NAL units')))).toEqual([
      '500 NAL unit(s) of length 0',
    ]);
  });
});

describe('AV1 garbage configOBUs: the message says what was wrong', () => {
  it.each<[string, RegExp]>([
    ['AV1 configOBUs: obu_forbidden_bit set', /configOBUs: OBU at byte 0: obu_forbidden_bit is set/],
    ['AV1 configOBUs: obu_size runs past the record', /obu_size 127 runs past the end \(2 left\)/],
    ['AV1 configOBUs: leb128 obu_size that never ends', /longer than 8 bytes \(leb128\)/],
    ['AV1 configOBUs: sequence header OBU of garbage', /AV1 sequence header: seq_profile 7 is reserved/],
  ])('%s', (name, message) => {
    expect(messages(checkCase(byName(name)))).toEqual([expect.stringMatching(message)]);
  });
});

describe('made-up FourCCs', () => {
  it('each new name is reported; only the first 32 are remembered, so memory does not grow with them', () => {
    const p = checkCase(byName('40 made-up video FourCCs, then two repeats'));
    const named = messages(p).map((m) => /"(.*)"/.exec(m)![1]);
    expect(named.slice(0, 40)).toEqual(Array.from({ length: 40 }, (_, i) => `x${String(i).padStart(3, '0')}`));
    expect(named[40]).toBe('x035');
  });
});
