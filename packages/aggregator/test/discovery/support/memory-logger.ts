import type { Logger } from '../../../src/logging.js';

export interface Line {
  level: string;
  message: string;
  [k: string]: unknown;
}

/** Keeps log lines for assertions (the code under test logs through winston's interface). */
export function memoryLogger(lines: Line[]): Logger {
  const at = (level: string) => (message: string, meta?: object) => {
    lines.push({ level, message, ...(meta ?? {}) });
  };
  const logger = {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    log: (level: string, message: string, meta?: object) => at(level)(message, meta),
    isLevelEnabled: () => true,
    isDebugEnabled: () => true,
  };
  return logger as unknown as Logger;
}
