/**
 * `${VAR}` expansion in stream URLs and header values, so secrets come from the environment (Kubernetes
 * Secrets) instead of the ConfigMap.
 *
 *   ${VAR}           the variable's value; unset is an error (set but empty gives "")
 *   ${VAR:-default}  the value, or `default` when the variable is unset or empty (as in sh / compose)
 *   $${              a literal "${" (escape)
 *
 * No nesting (`${A:-${B}}` is an error). A lone `$` or `$name` without braces is literal text: URLs and signatures may
 * contain `$`.
 * Errors name the variable, never a value.
 */

export type Env = Record<string, string | undefined>;

export type Expansion = { ok: true; value: string } | { ok: false; errors: string[] };

const REFERENCE = /\$\$\{|\$\{([^}]*)\}|\$\{/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function expandEnv(template: string, env: Env): Expansion {
  const errors: string[] = [];
  const value = template.replace(REFERENCE, (match: string, body: string | undefined) => {
    if (match === '$${') return '${';
    if (body === undefined) {
      errors.push('unterminated "${" (write "$${" for a literal "${")');
      return match;
    }
    const sep = body.indexOf(':-');
    const name = sep < 0 ? body : body.slice(0, sep);
    if (!NAME.test(name)) {
      errors.push(`invalid variable reference "\${${name}}" (names are letters, digits and _)`);
      return match;
    }
    if (sep >= 0 && body.includes('${', sep)) {
      errors.push(`nested reference in the default of "\${${name}:-...}" is not supported`);
      return match;
    }
    const set = env[name];
    if (sep >= 0) return set === undefined || set === '' ? body.slice(sep + 2) : set;
    if (set === undefined) {
      errors.push(`environment variable ${name} is not set`);
      return match;
    }
    return set;
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value };
}
