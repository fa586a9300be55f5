/** Longest `encoder` label value kept, in characters: onMetaData is the publisher's free text. */
export const ENCODER_LABEL_MAX_CHARS = 64;

/**
 * The `encoder` label of video_stream_info from onMetaData's `encoder` ("Lavf60.16.100", "obs-output
 * module (libobs version 30.0.2)"): control and format characters dropped, runs of white space made one
 * space, trimmed, cut to ENCODER_LABEL_MAX_CHARS characters (a publisher chooses the text, and every
 * distinct value is a series). '' when absent or not a string.
 */
export function encoderLabel(metadata: Record<string, unknown> | undefined): string {
  const raw = metadata?.encoder;
  if (typeof raw !== 'string') return '';
  const clean = raw
    .replace(/[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Cs}]/gu, '')
    .replace(/\s+/gu, ' ')
    .trim();
  return Array.from(clean).slice(0, ENCODER_LABEL_MAX_CHARS).join('').trimEnd();
}
