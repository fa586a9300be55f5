/**
 * The wall clock a stream carries: AMF `onFI` script data, as Adobe Flash Media Live Encoder (and encoders
 * copying it) embed it, with the encoding machine's system date `sd` ("dd-mm-yy", or "dd-mm-yyyy") and
 * system time `st` ("hh:mm:ss.mmm", fraction optional). Neither carries a time zone: they are read as
 * UTC, so an encoder whose system clock runs in another zone reads as that many hours off.
 *
 * Pure: turns strings into an epoch value; the probe compares it with its own clock.
 */
import type { AmfValue } from './types.js';

/** The script data name that carries the encoder's clock. */
export const STREAM_CLOCK_SCRIPT_NAME = 'onFI';

const DATE = /^(\d{1,2})-(\d{1,2})-(\d{2}|\d{4})$/;
const TIME = /^(\d{1,2}):(\d{2}):(\d{2})(?:[.:](\d{1,3}))?$/;
/** two-digit years are this century's */
const CENTURY = 2000;
const FRACTION_DIGITS = 3;

/**
 * Epoch ms (UTC) of an `onFI` value's `sd` + `st`, or undefined when either is missing or not a real
 * date and time (no rollover: 31-02 or 25:00 are rejected rather than moved to another day).
 */
export function streamClockMs(value: AmfValue): number | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const { sd, st } = value as Record<string, AmfValue>;
  if (typeof sd !== 'string' || typeof st !== 'string') return undefined;
  const d = DATE.exec(sd.trim());
  const t = TIME.exec(st.trim());
  if (!d || !t) return undefined;
  const day = Number(d[1]);
  const month = Number(d[2]);
  const year = d[3]!.length === 2 ? CENTURY + Number(d[3]) : Number(d[3]);
  const [h, m, s] = [Number(t[1]), Number(t[2]), Number(t[3])];
  // "5" after the separator is 500 ms, "05" is 50 ms
  const ms = t[4] === undefined ? 0 : Number(t[4].padEnd(FRACTION_DIGITS, '0'));
  if (h > 23 || m > 59 || s > 59) return undefined;
  const epoch = Date.UTC(year, month - 1, day, h, m, s, ms);
  const check = new Date(epoch);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day)
    return undefined;
  return epoch;
}

/** `sd` and `st` of a wall-clock time, as an encoder writes them (UTC): the inverse of streamClockMs. */
export function streamClockStrings(epochMs: number): { sd: string; st: string } {
  const d = new Date(epochMs);
  const p2 = (n: number) => String(n).padStart(2, '0');
  const yy = p2(d.getUTCFullYear() % 100);
  const fraction = String(d.getUTCMilliseconds()).padStart(FRACTION_DIGITS, '0');
  return {
    sd: `${p2(d.getUTCDate())}-${p2(d.getUTCMonth() + 1)}-${yy}`,
    st: `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}.${fraction}`,
  };
}
