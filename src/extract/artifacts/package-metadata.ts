/**
 * Package metadata from the files packaging tools write into their archives: a wheel's
 * `*.dist-info/METADATA` and an sdist's `PKG-INFO` (core metadata, RFC 822 headers), a jar's
 * Maven `pom.properties` or `META-INF/MANIFEST.MF`, a NuGet `.nuspec`, an npm tarball's
 * `package/package.json`, a Debian package's `control`. Each becomes `package.name`,
 * `package.version`, `package.ecosystem` and what else the format states.
 */

export interface PackageFacts {
  ecosystem: string;
  name: string;
  version?: string;
  summary?: string;
  license?: string;
  arch?: string;
}

const WANTED = [
  /^[^/]+\.dist-info\/METADATA$/,
  /^[^/]+\/PKG-INFO$/,
  /^META-INF\/MANIFEST\.MF$/,
  /^META-INF\/maven\/[^/]+\/[^/]+\/pom\.properties$/,
  /^[^/]+\.nuspec$/,
  /^package\/package\.json$/,
  /^control$/,
];

/** Whether a member's content is read for package metadata. */
export function wantsPackageMember(name: string): boolean {
  const normalized = name.replace(/^\.\//, '');
  return WANTED.some((pattern) => pattern.test(normalized));
}

/** RFC 822-style "Key: value" headers with continuation lines (core metadata, control, MANIFEST.MF). */
export function parseHeaders(text: string, manifest = false): Map<string, string> {
  const headers = new Map<string, string>();
  let last: string | undefined;
  for (const line of text.replace(/\r\n/g, '\n').split('\n')) {
    if (line === '') break;
    if (/^[ \t]/.test(line) && last) {
      // MANIFEST.MF wraps at 72 bytes with one leading space that is not part of the value;
      // in core metadata and Debian control files a continuation is another line of the value.
      headers.set(last, manifest ? `${headers.get(last) ?? ''}${line.slice(1)}` : `${headers.get(last) ?? ''}\n${line.trim()}`);
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    last = line.slice(0, colon).trim().toLowerCase();
    if (!headers.has(last)) headers.set(last, line.slice(colon + 1).trim());
  }
  return headers;
}

export function packageFromMembers(members: ReadonlyMap<string, Buffer>, hint: { deb?: boolean }): PackageFacts | undefined {
  const find = (pattern: RegExp) => [...members.entries()].find(([name]) => pattern.test(name.replace(/^\.\//, '')))?.[1]?.toString('utf8');
  if (hint.deb) {
    const control = find(/^control$/);
    if (!control) return undefined;
    const headers = parseHeaders(control);
    const name = headers.get('package');
    return name ? compact({ ecosystem: 'deb', name, version: headers.get('version'), summary: headers.get('description')?.split('\n')[0], arch: headers.get('architecture') }) : undefined;
  }
  const metadata = find(/^[^/]+\.dist-info\/METADATA$/) ?? find(/^[^/]+\/PKG-INFO$/);
  if (metadata) {
    const headers = parseHeaders(metadata);
    const name = headers.get('name');
    if (name) return compact({ ecosystem: 'pypi', name, version: headers.get('version'), summary: headers.get('summary'), license: headers.get('license-expression') ?? headers.get('license') });
  }
  const npm = find(/^package\/package\.json$/);
  if (npm) {
    try {
      const manifest = JSON.parse(npm) as { name?: unknown; version?: unknown; description?: unknown; license?: unknown };
      if (typeof manifest.name === 'string') {
        return compact({ ecosystem: 'npm', name: manifest.name, version: stringOrUndefined(manifest.version), summary: stringOrUndefined(manifest.description), license: stringOrUndefined(manifest.license) });
      }
    } catch {
      // A broken package.json names no package; the listing still stands.
    }
  }
  const pom = find(/^META-INF\/maven\/[^/]+\/[^/]+\/pom\.properties$/);
  if (pom) {
    const properties = new Map(pom.split(/\r?\n/).filter((line) => !line.startsWith('#') && line.includes('=')).map((line) => [line.slice(0, line.indexOf('=')).trim(), line.slice(line.indexOf('=') + 1).trim()] as const));
    const artifact = properties.get('artifactId');
    if (artifact) return compact({ ecosystem: 'maven', name: properties.get('groupId') ? `${properties.get('groupId')}:${artifact}` : artifact, version: properties.get('version') });
  }
  const manifest = find(/^META-INF\/MANIFEST\.MF$/);
  if (manifest) {
    const headers = parseHeaders(manifest, true);
    const name = headers.get('bundle-symbolicname')?.split(';')[0] ?? headers.get('automatic-module-name') ?? headers.get('implementation-title');
    if (name) return compact({ ecosystem: 'maven', name, version: headers.get('bundle-version') ?? headers.get('implementation-version'), license: headers.get('bundle-license') });
  }
  const nuspec = find(/^[^/]+\.nuspec$/);
  if (nuspec) {
    const id = /<id>([^<]{1,200})<\/id>/.exec(nuspec)?.[1];
    if (id) return compact({ ecosystem: 'nuget', name: id.trim(), version: /<version>([^<]{1,100})<\/version>/.exec(nuspec)?.[1]?.trim(), summary: /<description>([^<]{1,500})<\/description>/.exec(nuspec)?.[1]?.trim() });
  }
  return undefined;
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function compact(facts: { ecosystem: string; name: string; version?: string | undefined; summary?: string | undefined; license?: string | undefined; arch?: string | undefined }): PackageFacts {
  return Object.fromEntries(Object.entries(facts).filter(([, value]) => value !== undefined && value !== '')) as unknown as PackageFacts;
}

export function packageFields(facts: PackageFacts): Record<string, string> {
  const fields: Record<string, string> = { 'package.ecosystem': facts.ecosystem, 'package.name': facts.name };
  if (facts.version) fields['package.version'] = facts.version;
  if (facts.summary) fields['package.summary'] = facts.summary.slice(0, 300);
  if (facts.license) fields['package.license'] = facts.license.slice(0, 200);
  if (facts.arch) fields['package.arch'] = facts.arch;
  return fields;
}
