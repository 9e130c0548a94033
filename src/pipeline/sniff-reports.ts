/**
 * Reports a pipeline writes (SBOMs, JUnit, coverage) are JSON, XML or text: told apart by what
 * their first lines say, not by their names, so that they get fields as well as text.
 */
export function reportMime(head: string): string | undefined {
  const start = head.replace(/^\uFEFF/, '').trimStart();
  if (start.startsWith('{')) {
    if (/"bomFormat"\s*:\s*"CycloneDX"/.test(start)) return 'application/vnd.cyclonedx+json';
    if (/"spdxVersion"\s*:\s*"SPDX-/.test(start)) return 'application/spdx+json';
    if (/^\{\s*"total"\s*:\s*\{\s*"(lines|statements|functions|branches)"\s*:\s*\{\s*"total"/.test(start)) return 'application/x-istanbul-coverage+json';
    return undefined;
  }
  if (start.startsWith('<')) {
    // The root element, after the declaration, comments and a doctype.
    const root = /^(?:<\?xml[^>]*\?>\s*|<!--[\s\S]*?-->\s*|<!DOCTYPE[^>]*>\s*)*<([\w:.-]+)([^>]*)>/.exec(start);
    if (!root) return undefined;
    if (root[1] === 'testsuites' || root[1] === 'testsuite') return 'application/x-junit+xml';
    if (root[1] === 'coverage' && /line-rate\s*=/.test(root[2] ?? '')) return 'application/x-cobertura+xml';
    return undefined;
  }
  if (/^(TN|SF):/m.test(start.slice(0, 512)) && /^end_of_record$/m.test(start) && /^SF:/m.test(start)) return 'text/x-lcov';
  return undefined;
}
