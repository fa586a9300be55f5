/**
 * The search list of /etc/resolv.conf. node's dns.Resolver sends names as they are (c-ares
 * `ares_query`, no search list), but in Kubernetes operators write the bare Service name and rely on
 * `search <ns>.svc.cluster.local svc.cluster.local cluster.local` + `ndots:5`, as every libc does.
 */

export interface SearchConfig {
  domains: string[];
  /** a name with at least this many dots is tried as is before the search list (resolv.conf default 1) */
  ndots: number;
}

export const NO_SEARCH: SearchConfig = { domains: [], ndots: 1 };

/** `search` / `domain` (the last of them wins, as in glibc) and `options ndots:N`. */
export function parseResolvConf(text: string): SearchConfig {
  let domains: string[] = [];
  let ndots = 1;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim();
    const [word, ...rest] = line.split(/\s+/);
    if (word === 'search' || word === 'domain')
      domains = rest.filter((d) => d !== '' && d !== '.').map((d) => d.replace(/\.$/, ''));
    else if (word === 'options') {
      for (const opt of rest) {
        const m = /^ndots:(\d+)$/.exec(opt);
        if (m) ndots = Math.min(15, Number(m[1]));
      }
    }
  }
  return { domains, ndots };
}

/** The names to query for `name`, in the order a libc resolver tries them. */
export function searchNames(name: string, search: SearchConfig): string[] {
  if (name.endsWith('.')) return [name.slice(0, -1)];
  const expanded = search.domains.map((d) => `${name}.${d}`);
  const dots = name.split('.').length - 1;
  const names = dots >= search.ndots ? [name, ...expanded] : [...expanded, name];
  return [...new Set(names)];
}
