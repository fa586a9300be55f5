import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { SMALL_HEAP_V8_FLAGS } from '../src/heap-settings.js';

describe('the V8 flags the exporter sets for itself', () => {
  // v8.setFlagsFromString ignores a flag V8 does not know, so a misspelt flag would silently do nothing;
  // on the command line V8 refuses it (`node: bad option`)
  it('are flags this Node accepts', () => {
    const r = spawnSync(process.execPath, [...SMALL_HEAP_V8_FLAGS, '-e', 'process.exit(0)'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('a misspelt one would be caught by that check', () => {
    const r = spawnSync(process.execPath, ['--optimise-for-size', '-e', 'process.exit(0)'], { encoding: 'utf8' });
    expect(r.status).not.toBe(0);
  });
});
