import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractReport } from '../../../src/extract/artifacts/reports.js';
import type { ExtractOptions } from '../../../src/extract/extractor.js';
import { reportMime } from '../../../src/pipeline/sniff-reports.js';
import { tempDir } from '../../support/cli.js';

const OPTIONS = { maxTextBytes: 1 << 20 } as ExtractOptions;

/** Sniffed from its first lines, then read: what a pipeline's reports become. */
async function read(name: string, content: string) {
  const file = path.join(tempDir(), name);
  fs.writeFileSync(file, content);
  const mime = reportMime(content);
  expect(mime, name).toBeDefined();
  return extractReport({ path: file, mime: mime as string, size: content.length, options: OPTIONS, ocr: () => { throw new Error('no OCR'); }, signal: new AbortController().signal });
}

describe('pipeline reports', () => {
  it('reads an SPDX SBOM: the package it describes and the package count', async () => {
    const result = await read('app.spdx.json', JSON.stringify({ spdxVersion: 'SPDX-2.3', name: 'app-sbom', documentDescribes: ['SPDXRef-app'], packages: [{ SPDXID: 'SPDXRef-dep', name: 'zlib', versionInfo: '1.3' }, { SPDXID: 'SPDXRef-app', name: 'app', versionInfo: '4.0.1' }] }));
    expect(result.artifact).toMatchObject({ type: 'sbom', fields: { 'sbom.format': 'spdx', 'sbom.spec_version': 'SPDX-2.3', 'sbom.components': '2', 'sbom.name': 'app', 'sbom.version': '4.0.1' } });
    expect(result.text).toContain('zlib 1.3');
  });

  it('counts JUnit test cases when the suites carry no totals, and lists the failures', async () => {
    const result = await read('TEST-report.xml', '<testsuite name="api"><testcase classname="Api" name="gets"/><testcase classname="Api" name="posts"><failure><![CDATA[expected 201, got 500]]></failure></testcase><testcase classname="Api" name="deletes"><error message="timeout &amp; retry"/></testcase><testcase name="later"><skipped/></testcase></testsuite>');
    expect(result.artifact?.fields).toMatchObject({ 'tests.total': '4', 'tests.failures': '1', 'tests.errors': '1', 'tests.skipped': '1', 'tests.passed': '1' });
    expect(result.text).toContain('FAILED Api.posts: expected 201, got 500');
    expect(result.text).toContain('ERROR Api.deletes: timeout & retry');
  });

  it('reads coverage from Cobertura, Istanbul and lcov', async () => {
    const cobertura = await read('coverage.xml', '<?xml version="1.0" ?>\n<!DOCTYPE coverage SYSTEM "http://cobertura.sourceforge.net/xml/coverage-04.dtd">\n<coverage line-rate="0.8125" branch-rate="0.5" version="7.4"><packages><package name="app"><classes><class name="main" filename="app/main.py" line-rate="0.9"/></classes></package></packages></coverage>');
    expect(cobertura.artifact).toMatchObject({ type: 'coverage-report', fields: { 'coverage.format': 'cobertura', 'coverage.lines': '81.25', 'coverage.branches': '50' } });
    expect(cobertura.text).toContain('app/main.py 90%');
    const istanbul = await read('coverage-summary.json', JSON.stringify({ total: { lines: { total: 200, covered: 150, skipped: 0, pct: 75 }, statements: { pct: 74.5 }, functions: { pct: 60 }, branches: { pct: 55.55 } }, '/src/a.js': { lines: { pct: 75 } } }));
    expect(istanbul.artifact?.fields).toMatchObject({ 'coverage.format': 'istanbul', 'coverage.lines': '75', 'coverage.functions': '60', 'coverage.branches': '55.55', 'coverage.statements': '74.5' });
    const lcov = await read('lcov.info', 'TN:\nSF:src/a.js\nFNF:4\nFNH:3\nLF:10\nLH:8\nBRF:4\nBRH:1\nend_of_record\nSF:src/b.js\nLF:10\nLH:10\nend_of_record\n');
    expect(lcov.artifact?.fields).toMatchObject({ 'coverage.format': 'lcov', 'coverage.lines': '90', 'coverage.functions': '75', 'coverage.branches': '25' });
  });

  it('leaves other JSON and XML alone', () => {
    expect(reportMime('{"name": "not an sbom"}')).toBeUndefined();
    expect(reportMime('<?xml version="1.0"?><project/>')).toBeUndefined();
    expect(reportMime('plain text that mentions SF: once')).toBeUndefined();
  });

  it('fails an SBOM that does not parse as malformed', async () => {
    const file = path.join(tempDir(), 'broken.cdx.json');
    fs.writeFileSync(file, '{"bomFormat": "CycloneDX", "components": [');
    await expect(extractReport({ path: file, mime: 'application/vnd.cyclonedx+json', size: 10, options: OPTIONS, ocr: () => { throw new Error('no OCR'); }, signal: new AbortController().signal })).rejects.toMatchObject({ code: 'E_MALFORMED' });
  });
});
