import type { ConfigResult, ConfigWarning } from '../types.js';

/**
 * A zero-length NAL unit inside a decoder configuration record (a parameter set entry with length 0):
 * it carries nothing, so the record is read past it, but it is damage a muxer wrote and is reported.
 */
export function emptyNalWarning(recordName: string, count: number): ConfigWarning[] | undefined {
  if (count === 0) return undefined;
  return [
    { code: 'empty_nal', message: `${recordName}: ${count} zero-length NAL unit(s) in the parameter set arrays` },
  ];
}

/** Attaches warnings to a result (only when there are some, so plain results stay plain). */
export function withWarnings<T>(result: ConfigResult<T>, warnings: ConfigWarning[] | undefined): ConfigResult<T> {
  if (!warnings || warnings.length === 0) return result;
  return { ...result, warnings: [...(result.warnings ?? []), ...warnings] };
}
