/**
 * Postgres has no GLOB: path and name filters compile SQLite's GLOB to a regular expression, so
 * that both dialects match the same paths. GLOB semantics: * any run of characters (slashes
 * too), ? one character, [...] a class ([^...] negated).
 */
export function globToRegex(glob: string): string {
  let out = '^';
  for (let index = 0; index < glob.length; index += 1) {
    const char = glob[index] as string;
    if (char === '*') out += '.*';
    else if (char === '?') out += '.';
    else if (char === '[') {
      const close = glob.indexOf(']', index + 2);
      if (close < 0) out += '\\[';
      else {
        const body = glob.slice(index + 1, close);
        out += `[${body.startsWith('^') ? `^${body.slice(1)}` : body.replace(/\\/g, '\\\\')}]`;
        index = close;
      }
    } else out += char.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  return `${out}$`;
}

/** * and ? as LIKE's % and _, with LIKE's own characters escaped; undefined for a [class]. */
export function globToLike(glob: string): string | undefined {
  if (glob.includes('[')) return undefined;
  return glob.replace(/[\\%_]/g, '\\$&').replace(/\*/g, '%').replace(/\?/g, '_');
}
