/**
 * Indexes the tags of a complete FLV file held in memory. Not incremental: for fixture tools, the live
 * test source and tests that need each tag's bytes. Live parsing goes through FlvDemuxer.
 */
export interface IndexedTag {
  /** TagType: 8 audio, 9 video, 18 script */
  tagType: number;
  /** byte offset of the 11-byte tag header */
  offset: number;
  /** DataSize */
  dataSize: number;
  /** timestamp in ms with the extended byte */
  timestamp: number;
  /** video: FLV frame type is 1 (key frame) and the packet is a coded frame, not a sequence header */
  keyframe: boolean;
  /** video or audio sequence header (AVC/HEVC/AAC config, Enhanced SequenceStart) */
  sequenceHeader: boolean;
}

export interface FlvIndex {
  headerSize: number;
  tags: IndexedTag[];
  /** bytes after the last whole tag (a truncated tail) */
  trailingBytes: number;
}

export function indexFlvTags(file: Uint8Array): FlvIndex {
  if (file.length < 9 || file[0] !== 0x46 || file[1] !== 0x4c || file[2] !== 0x56) {
    throw new Error('not an FLV file: bad signature');
  }
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const headerSize = view.getUint32(5);
  const tags: IndexedTag[] = [];
  let pos = headerSize + 4; // skip PreviousTagSize0
  while (pos + 11 <= file.length) {
    const tagType = file[pos]! & 0x1f;
    const dataSize = (file[pos + 1]! << 16) | (file[pos + 2]! << 8) | file[pos + 3]!;
    const timestamp = ((file[pos + 7]! << 24) | (file[pos + 4]! << 16) | (file[pos + 5]! << 8) | file[pos + 6]!) >>> 0;
    if (pos + 11 + dataSize > file.length) break;
    const body = pos + 11;
    let keyframe = false;
    let sequenceHeader = false;
    if (tagType === 9 && dataSize >= 1) {
      const b0 = file[body]!;
      const isExHeader = (b0 & 0x80) !== 0;
      const frameType = (b0 >> 4) & 0x07;
      if (isExHeader) {
        const packetType = b0 & 0x0f;
        sequenceHeader = packetType === 0 || packetType === 5; // SequenceStart, MPEG2TSSequenceStart
        keyframe = frameType === 1 && (packetType === 1 || packetType === 3);
      } else {
        const codecId = b0 & 0x0f;
        const nalCodec = codecId === 7 || codecId === 12;
        const packetType = dataSize >= 2 ? file[body + 1]! : -1;
        sequenceHeader = nalCodec && packetType === 0;
        keyframe = frameType === 1 && (!nalCodec || packetType === 1);
      }
    } else if (tagType === 8 && dataSize >= 2) {
      const b0 = file[body]!;
      const soundFormat = b0 >> 4;
      if (soundFormat === 10) sequenceHeader = file[body + 1] === 0;
      else if (soundFormat === 9) sequenceHeader = (b0 & 0x0f) === 0; // Enhanced audio SequenceStart
    }
    tags.push({ tagType, offset: pos, dataSize, timestamp, keyframe, sequenceHeader });
    pos += 11 + dataSize + 4;
  }
  return { headerSize, tags, trailingBytes: Math.max(0, file.length - pos) };
}

/** Writes a tag timestamp (24 bits + extended byte) into an 11-byte tag header in place. */
export function writeTagTimestamp(header: Uint8Array, timestamp: number): void {
  header[4] = (timestamp >>> 16) & 0xff;
  header[5] = (timestamp >>> 8) & 0xff;
  header[6] = timestamp & 0xff;
  header[7] = (timestamp >>> 24) & 0xff;
}
