import fsp from 'node:fs/promises';
import { decodeText } from '../decode-text.js';
import type { ArtifactInfo, ExtractInput, ExtractResult, ExtractWarning } from '../extractor.js';
import { malformed } from './byte-reader.js';

/**
 * What a pipeline writes besides binaries: SBOMs (CycloneDX and SPDX JSON: top-level name and
 * version, component count, each component as a line of text), JUnit XML (tests, failures,
 * errors, skipped; failing tests and their messages as text), and coverage (Cobertura XML,
 * Istanbul's coverage-summary.json, lcov: line, branch and function percentages). JUnit and
 * Cobertura are read by their element attributes, not parsed into a tree: reports of hundreds of
 * megabytes are common, and only the counts and names are wanted.
 */

/** Larger reports are catalogued as plain text, without fields. */
const PARSE_LIMIT = 64 * 1024 * 1024;
const MAX_LINES = 10_000;

export async function extractReport(input: ExtractInput): Promise<ExtractResult> {
  const warnings: ExtractWarning[] = [];
  const bytes = await fsp.readFile(input.path);
  const text = decodeText(bytes);
  if (bytes.length > PARSE_LIMIT) {
    warnings.push({ code: 'W_REPORT_NOT_PARSED', message: `the report is larger than ${PARSE_LIMIT / 1024 / 1024} MB; its text is kept, its counts are not read` });
    return { text, pages: 1, method: 'text', ocrConfidence: null, ocrPages: 0, metadata: {}, warnings };
  }
  const read = readReport(input.mime, text);
  return { text: read.text, pages: 1, method: 'text', ocrConfidence: null, ocrPages: 0, metadata: {}, warnings, artifact: read.artifact };
}

function readReport(mime: string, text: string): { text: string; artifact: ArtifactInfo } {
  switch (mime) {
    case 'application/vnd.cyclonedx+json':
      return cycloneDx(parseJson(text, 'CycloneDX'));
    case 'application/spdx+json':
      return spdx(parseJson(text, 'SPDX'));
    case 'application/x-junit+xml':
      return junit(text);
    case 'application/x-cobertura+xml':
      return cobertura(text);
    case 'application/x-istanbul-coverage+json':
      return istanbul(parseJson(text, 'coverage summary'));
    default:
      return lcov(text);
  }
}

function parseJson(text: string, what: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw malformed(`the ${what} JSON does not parse`);
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : typeof value === 'number' ? String(value) : undefined;
}

function record(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function cycloneDx(bom: Record<string, unknown>): { text: string; artifact: ArtifactInfo } {
  const top = record(record(bom.metadata).component);
  const lines: string[] = [];
  let count = 0;
  // Components nest (an assembly's parts); walked without recursion so depth cannot overflow.
  const stack = [...list(bom.components)];
  while (stack.length > 0) {
    const component = record(stack.pop());
    count += 1;
    if (lines.length < MAX_LINES) lines.push([str(component.group) ? `${str(component.group)}/` : '', str(component.name) ?? '', str(component.version) ? ` ${str(component.version)}` : '', str(component.purl) ? ` ${str(component.purl)}` : ''].join(''));
    stack.push(...list(component.components));
  }
  const name = str(top.name);
  const version = str(top.version);
  const fields: Record<string, string> = {
    'sbom.format': 'cyclonedx',
    ...(str(bom.specVersion) ? { 'sbom.spec_version': str(bom.specVersion) as string } : {}),
    'sbom.components': String(count),
    ...(name ? { 'sbom.name': name } : {}),
    ...(version ? { 'sbom.version': version } : {}),
  };
  const headline = `CycloneDX SBOM${name ? ` of ${name}${version ? ` ${version}` : ''}` : ''}, ${count} components`;
  return { text: [headline, ...lines.sort()].join('\n'), artifact: { type: 'sbom', ...(name ? { title: `SBOM ${name}${version ? ` ${version}` : ''}` } : {}), fields } };
}

function spdx(document: Record<string, unknown>): { text: string; artifact: ArtifactInfo } {
  const packages = list(document.packages).map(record);
  const describedIds = new Set([...list(document.documentDescribes).map(str), ...list(document.relationships).map(record).filter((relation) => relation.relationshipType === 'DESCRIBES').map((relation) => str(relation.relatedSpdxElement))].filter((id): id is string => id !== undefined));
  const top = packages.find((item) => describedIds.has(str(item.SPDXID) ?? '')) ?? packages[0] ?? {};
  const name = str(top.name) ?? str(document.name);
  const version = str(top.versionInfo);
  const lines = packages.slice(0, MAX_LINES).map((item) => `${str(item.name) ?? ''}${str(item.versionInfo) ? ` ${str(item.versionInfo)}` : ''}`);
  const fields: Record<string, string> = {
    'sbom.format': 'spdx',
    ...(str(document.spdxVersion) ? { 'sbom.spec_version': str(document.spdxVersion) as string } : {}),
    'sbom.components': String(packages.length),
    ...(name ? { 'sbom.name': name } : {}),
    ...(version ? { 'sbom.version': version } : {}),
  };
  return { text: [`SPDX SBOM${name ? ` of ${name}${version ? ` ${version}` : ''}` : ''}, ${packages.length} packages`, ...lines.sort()].join('\n'), artifact: { type: 'sbom', ...(name ? { title: `SBOM ${name}${version ? ` ${version}` : ''}` } : {}), fields } };
}

/** Attributes of one start tag, as written (XML entities decoded). */
function attributes(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const match of tag.matchAll(/([\w:.-]+)\s*=\s*("([^"]*)"|'([^']*)')/g)) out[match[1] as string] = decodeEntities(match[3] ?? match[4] ?? '');
  return out;
}

function decodeEntities(text: string): string {
  return text.replace(/&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-f]+);/gi, (entity, name: string) => {
    const lower = name.toLowerCase();
    if (lower === 'lt') return '<';
    if (lower === 'gt') return '>';
    if (lower === 'amp') return '&';
    if (lower === 'quot') return '"';
    if (lower === 'apos') return "'";
    const code = lower.startsWith('#x') ? Number.parseInt(lower.slice(2), 16) : Number.parseInt(lower.slice(1), 10);
    return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : entity;
  });
}

function junit(xml: string): { text: string; artifact: ArtifactInfo } {
  let tests = 0;
  let failures = 0;
  let errors = 0;
  let skipped = 0;
  let time = 0;
  const suites: string[] = [];
  const failing: string[] = [];
  // Sums over <testsuite> elements: the <testsuites> totals are optional and often missing.
  for (const match of xml.matchAll(/<testsuite\b([^>]*)>/g)) {
    const attrs = attributes(match[1] as string);
    tests += Number(attrs.tests ?? 0) || 0;
    failures += Number(attrs.failures ?? 0) || 0;
    errors += Number(attrs.errors ?? 0) || 0;
    skipped += Number(attrs.skipped ?? attrs.skips ?? 0) || 0;
    time += Number(attrs.time ?? 0) || 0;
    if (attrs.name && suites.length < MAX_LINES) suites.push(attrs.name);
  }
  // Without suite counts, count the cases themselves.
  const cases = [...xml.matchAll(/<testcase\b([^>]*?)(\/>|>([\s\S]*?)<\/testcase>)/g)];
  if (tests === 0) {
    tests = cases.length;
    for (const testCase of cases) {
      const body = testCase[3] ?? '';
      if (/<failure\b/.test(body)) failures += 1;
      else if (/<error\b/.test(body)) errors += 1;
      else if (/<skipped\b/.test(body)) skipped += 1;
    }
  }
  for (const testCase of cases) {
    const body = testCase[3] ?? '';
    const problem = /<(failure|error)\b([^>]*)(?:\/>|>([\s\S]*?)<\/\1>)/.exec(body);
    if (!problem || failing.length >= MAX_LINES) continue;
    const attrs = attributes(testCase[1] as string);
    const message = attributes(problem[2] as string).message ?? decodeEntities((problem[3] ?? '').replace(/<!\[CDATA\[|\]\]>/g, '')).trim().split('\n')[0] ?? '';
    failing.push(`${problem[1] === 'error' ? 'ERROR' : 'FAILED'} ${attrs.classname ? `${attrs.classname}.` : ''}${attrs.name ?? ''}${message ? `: ${message.slice(0, 300)}` : ''}`);
  }
  const passed = Math.max(0, tests - failures - errors - skipped);
  const fields: Record<string, string> = {
    'tests.total': String(tests),
    'tests.passed': String(passed),
    'tests.failures': String(failures),
    'tests.errors': String(errors),
    'tests.skipped': String(skipped),
    ...(time > 0 ? { 'tests.time_s': String(Math.round(time * 1000) / 1000) } : {}),
  };
  const headline = `JUnit test report: ${tests} tests, ${failures} failures, ${errors} errors, ${skipped} skipped`;
  return { text: [headline, ...failing, ...suites.map((suite) => `suite ${suite}`)].join('\n'), artifact: { type: 'test-report', fields } };
}

function percent(value: number): string {
  return String(Math.round(value * 100) / 100);
}

function coverageResult(format: string, rates: { lines?: number; branches?: number; functions?: number; statements?: number }, detail: string[]): { text: string; artifact: ArtifactInfo } {
  const fields: Record<string, string> = { 'coverage.format': format };
  for (const [key, value] of Object.entries(rates)) if (value !== undefined && Number.isFinite(value)) fields[`coverage.${key}`] = percent(value);
  const headline = `${format} coverage report: ${Object.entries(rates).filter(([, value]) => value !== undefined && Number.isFinite(value)).map(([key, value]) => `${key} ${percent(value as number)}%`).join(', ')}`;
  return { text: [headline, ...detail.slice(0, MAX_LINES)].join('\n'), artifact: { type: 'coverage-report', fields } };
}

function cobertura(xml: string): { text: string; artifact: ArtifactInfo } {
  const root = /<coverage\b([^>]*)>/.exec(xml);
  const attrs = attributes(root?.[1] ?? '');
  const rate = (name: string) => (attrs[name] === undefined ? undefined : Number(attrs[name]) * 100);
  const files = [...xml.matchAll(/<class\b([^>]*)>/g)].map((match) => attributes(match[1] as string)).map((item) => `${item.filename ?? item.name ?? ''} ${item['line-rate'] === undefined ? '' : `${percent(Number(item['line-rate']) * 100)}%`}`.trim());
  return coverageResult('cobertura', { lines: rate('line-rate'), branches: rate('branch-rate') }, [...new Set(files)]);
}

function istanbul(summary: Record<string, unknown>): { text: string; artifact: ArtifactInfo } {
  const total = record(summary.total);
  const pct = (key: string) => {
    const value = record(total[key]).pct;
    return typeof value === 'number' ? value : undefined;
  };
  const files = Object.entries(summary).filter(([key]) => key !== 'total').map(([file, value]) => `${file} ${record(record(value).lines).pct ?? ''}%`);
  return coverageResult('istanbul', { lines: pct('lines'), branches: pct('branches'), functions: pct('functions'), statements: pct('statements') }, files);
}

function lcov(text: string): { text: string; artifact: ArtifactInfo } {
  const totals = { LF: 0, LH: 0, BRF: 0, BRH: 0, FNF: 0, FNH: 0 };
  const files: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const [key, value] = [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1)];
    if (key in totals) totals[key as keyof typeof totals] += Number(value) || 0;
    else if (key === 'SF' && files.length < MAX_LINES) files.push(value);
  }
  const ratio = (hit: number, found: number) => (found > 0 ? (hit / found) * 100 : undefined);
  return coverageResult('lcov', { lines: ratio(totals.LH, totals.LF), branches: ratio(totals.BRH, totals.BRF), functions: ratio(totals.FNH, totals.FNF) }, files);
}
