/** Thrown when a syntax element would read past the end of its buffer. Caught by record parsers. */
export class BitReaderUnderrunError extends Error {
  constructor(
    readonly bitsWanted: number,
    readonly bitsLeft: number,
  ) {
    super(`bit reader underrun: wanted ${bitsWanted} bits, ${bitsLeft} left`);
    this.name = 'BitReaderUnderrunError';
  }
}

/** Thrown when an exp-Golomb code is longer than 32 bits, which no conforming stream writes. */
export class ExpGolombOverflowError extends Error {
  constructor() {
    super('exp-Golomb code longer than 32 bits');
    this.name = 'ExpGolombOverflowError';
  }
}

/** MSB-first bit reader over a byte array, as used by H.264 / H.265 / AV1 headers. */
export class BitReader {
  private bitPos = 0;
  private readonly bitLen: number;

  constructor(private readonly bytes: Uint8Array) {
    this.bitLen = bytes.length * 8;
  }

  get bitsLeft(): number {
    return this.bitLen - this.bitPos;
  }

  get position(): number {
    return this.bitPos;
  }

  /** Reads n bits (0..32) as an unsigned number. */
  bits(n: number): number {
    if (n < 0 || n > 32) throw new RangeError(`bits(${n}): n must be 0..32`);
    if (n > this.bitsLeft) throw new BitReaderUnderrunError(n, this.bitsLeft);
    let value = 0;
    for (let i = 0; i < n; i++) {
      const byte = this.bytes[this.bitPos >>> 3]!;
      const bit = (byte >>> (7 - (this.bitPos & 7))) & 1;
      value = value * 2 + bit; // multiplication keeps 32-bit values unsigned
      this.bitPos++;
    }
    return value;
  }

  bool(): boolean {
    return this.bits(1) === 1;
  }

  skip(n: number): void {
    if (n > this.bitsLeft) throw new BitReaderUnderrunError(n, this.bitsLeft);
    this.bitPos += n;
  }

  /** ue(v): unsigned exp-Golomb (H.264 9.1). */
  ue(): number {
    let leadingZeros = 0;
    while (this.bits(1) === 0) {
      leadingZeros++;
      if (leadingZeros > 31) throw new ExpGolombOverflowError();
    }
    if (leadingZeros === 0) return 0;
    return 2 ** leadingZeros - 1 + this.bits(leadingZeros);
  }

  /** se(v): signed exp-Golomb (H.264 9.1.1). */
  se(): number {
    const k = this.ue();
    if (k === 0) return 0; // avoid -0
    return k % 2 === 1 ? (k + 1) / 2 : -(k / 2);
  }

  /** leb128() as in AV1 4.10.5. */
  leb128(): number {
    let value = 0;
    for (let i = 0; i < 8; i++) {
      const byte = this.bits(8);
      value += (byte & 0x7f) * 2 ** (i * 7);
      if ((byte & 0x80) === 0) break;
    }
    return value;
  }

  /** uvlc() as in AV1 4.10.3. */
  uvlc(): number {
    let leadingZeros = 0;
    while (this.bits(1) === 0) {
      leadingZeros++;
      if (leadingZeros >= 32) return 2 ** 32 - 1;
    }
    return 2 ** leadingZeros - 1 + this.bits(leadingZeros);
  }

  byteAlign(): void {
    this.bitPos = Math.min(this.bitLen, (this.bitPos + 7) & ~7);
  }
}
