import type { DiscoverySourceConfig } from '../config/types.js';
import { FileSource } from './file.js';
import { HttpSdSource } from './http-sd.js';
import { NmsSource } from './nms.js';
import { SrsSource } from './srs.js';
import type { DiscoverySource } from './types.js';

/** The client of one configured source type. */
export function createDiscoverySource(c: DiscoverySourceConfig): DiscoverySource {
  switch (c.type) {
    case 'srs':
      return new SrsSource(c);
    case 'nms':
      return new NmsSource(c);
    case 'http_sd':
      return new HttpSdSource(c);
    case 'file':
      return new FileSource(c);
  }
}
