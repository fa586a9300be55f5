/** MSB-first bit writer for building syntax structures (SPS, sequence header OBUs) in tests. */
export class BitWriter {
  private readonly out: number[] = [];
  private cur = 0;
  private n = 0;

  u(bits: number, value: number): this {
    for (let i = bits - 1; i >= 0; i--) {
      this.cur = (this.cur << 1) | (Math.floor(value / 2 ** i) & 1);
      if (++this.n === 8) {
        this.out.push(this.cur);
        this.cur = 0;
        this.n = 0;
      }
    }
    return this;
  }

  flag(b: boolean | number): this {
    return this.u(1, b ? 1 : 0);
  }

  /** bits given as a string of '0' and '1' */
  raw(bits: string): this {
    for (const c of bits) this.u(1, c === '1' ? 1 : 0);
    return this;
  }

  /** ue(v); AV1's uvlc() has the same code words */
  ue(v: number): this {
    const len = Math.floor(Math.log2(v + 1));
    return this.u(len, 0).u(len + 1, v + 1);
  }

  uvlc(v: number): this {
    return this.ue(v);
  }

  se(v: number): this {
    return this.ue(v > 0 ? 2 * v - 1 : -2 * v);
  }

  /** rbsp_trailing_bits() / AV1 trailing_bits(): a one bit, then zeros to the byte boundary */
  trailing(): this {
    this.u(1, 1);
    while (this.n !== 0) this.u(1, 0);
    return this;
  }

  bytes(): Uint8Array {
    return Uint8Array.from(this.n ? [...this.out, this.cur << (8 - this.n)] : this.out);
  }

  /** trailing bits, then emulation_prevention_three_byte inserted: a NAL unit payload as a muxer writes it */
  nal(): Uint8Array {
    return addEmulationPrevention(this.trailing().bytes());
  }
}

/** Inserts emulation_prevention_three_byte after every 00 00 that precedes a byte <= 3. */
export function addEmulationPrevention(rbsp: Uint8Array): Uint8Array {
  const out: number[] = [];
  let zeros = 0;
  for (const b of rbsp) {
    if (zeros >= 2 && b <= 3) {
      out.push(3);
      zeros = 0;
    }
    out.push(b);
    zeros = b === 0 ? zeros + 1 : 0;
  }
  return Uint8Array.from(out);
}
