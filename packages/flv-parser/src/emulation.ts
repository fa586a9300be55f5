/**
 * Removes emulation_prevention_three_byte (H.264 7.4.1 / H.265 7.4.2): every 0x03 that follows
 * two zero bytes inside a NAL unit. SPS fields must be read from the resulting RBSP.
 */
export function removeEmulationPrevention(nal: Uint8Array): Uint8Array {
  let zeros = 0;
  let needsCopy = false;
  for (let i = 0; i < nal.length; i++) {
    const b = nal[i]!;
    if (zeros >= 2 && b === 0x03) {
      needsCopy = true;
      break;
    }
    zeros = b === 0 ? zeros + 1 : 0;
  }
  if (!needsCopy) return nal;
  const out = new Uint8Array(nal.length);
  let n = 0;
  zeros = 0;
  for (let i = 0; i < nal.length; i++) {
    const b = nal[i]!;
    if (zeros >= 2 && b === 0x03) {
      zeros = 0;
      continue;
    }
    out[n++] = b;
    zeros = b === 0 ? zeros + 1 : 0;
  }
  return out.subarray(0, n);
}
