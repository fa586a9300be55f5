/**
 * A file that cannot be used. `problems` holds every finding (one line each, in document order, each
 * naming its path) so an operator fixes a file in one pass; `message` is them joined with newlines.
 */
export class ProblemsError extends Error {
  readonly problems: string[];
  /** the file (or other origin) the text came from, when known */
  readonly source: string | undefined;

  constructor(problems: string[], source?: string) {
    super(problems.join('\n'));
    this.problems = problems;
    this.source = source;
  }
}

/**
 * A config that cannot be used. `problems` holds every finding (one line each, in document order, each
 * naming its path) so an operator fixes a file in one pass; `message` is them joined with newlines.
 * Messages never carry credentials: URLs are redacted and header / environment values are never shown.
 */
export class ConfigError extends ProblemsError {
  override readonly name = 'ConfigError';
}
