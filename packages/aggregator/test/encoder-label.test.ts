import { describe, expect, it } from 'vitest';
import { ENCODER_LABEL_MAX_CHARS, encoderLabel } from '../src/metrics/encoder-label.js';

describe('encoderLabel (video_stream_info{encoder})', () => {
  it('keeps an ordinary encoder string', () => {
    expect(encoderLabel({ encoder: 'Lavf60.16.100' })).toBe('Lavf60.16.100');
    expect(encoderLabel({ encoder: 'obs-output module (libobs version 30.0.2)' })).toBe(
      'obs-output module (libobs version 30.0.2)',
    );
  });

  it('is empty when absent or not a string', () => {
    expect(encoderLabel(undefined)).toBe('');
    expect(encoderLabel({})).toBe('');
    expect(encoderLabel({ encoder: 7 })).toBe('');
  });

  it('drops control and format characters and collapses white space', () => {
    expect(encoderLabel({ encoder: ' x264\n\t core\u0000 164\u200b ' })).toBe('x264 core 164');
  });

  it(`cuts at ${ENCODER_LABEL_MAX_CHARS} characters without splitting a character`, () => {
    const long = `${'é'.repeat(ENCODER_LABEL_MAX_CHARS - 1)}😀😀😀`;
    const label = encoderLabel({ encoder: long });
    expect(Array.from(label)).toHaveLength(ENCODER_LABEL_MAX_CHARS);
    expect(label.endsWith('😀')).toBe(true);
  });
});
