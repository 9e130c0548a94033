import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN, parseIngestJson, runDoccat, tempDir, type RunResult } from '../support/cli.js';
import { captureOutput } from '../support/secret-scan.js';

/**
 * File names and document text are written by others, and a terminal obeys escape sequences
 * wherever they come from: OSC 52 writes the clipboard, CSI moves the cursor and clears the
 * screen, C1 0x9B is CSI in one character, bidi overrides reorder what is shown. Nothing printed
 * for people may carry one; --json and --ndjson keep the data exact.
 */

const OSC52 = '\u001b]52;c;aGVsbG8=\u0007';
const CSI = '\u001b[2J\u001b[H';
const C1_CSI = '\u009b31m';
const BIDI = '\u202e';

/** Controls a terminal acts on (newline and tab are layout, and allowed). */
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

const NAMES = {
  osc: `osc52-${OSC52}.txt`,
  csi: `csi-${CSI}${C1_CSI}.txt`,
  bidi: `invoice-${BIDI}fdp.exe.txt`,
  broken: `broken-\u001b]0;pwned\u0007.pdf`,
  // A colour of doccat's own palette: still not doccat's to print.
  styled: 'styled-\u001b[31mred\u001b[39m.txt',
};

/** A name with a line of its own in it, which printed raw would forge a line of doccat's. */
const FORGED = 'first\nforged.txt: catalogued D999.txt';

function expectForgedNameOnOneLine(stdout: string, what: string): void {
  expect(stdout, what).toMatch(/^first\\nforged\.txt: catalogued D999\.txt: (?:done|catalogued) D\d+$/m);
  expect(stdout.split('\n').filter((line) => line.startsWith('forged')), what).toEqual([]);
}

function expectNoRawControl(result: RunResult, what: string): void {
  for (const [stream, text] of [['stdout', result.stdout], ['stderr', result.stderr]] as const) {
    const found = RAW_CONTROL.exec(text);
    expect(found, `${what}: ${stream} holds U+${found?.[0].codePointAt(0)?.toString(16).padStart(4, '0')} near ${JSON.stringify(text.slice(Math.max(0, (found?.index ?? 0) - 40), (found?.index ?? 0) + 40))}`).toBeNull();
  }
}

describe('escape sequences from file names and documents never reach a terminal', () => {
  const home = tempDir();
  const inputs = tempDir('doccat-escapes-');
  const run = (args: string[], env: NodeJS.ProcessEnv = {}) => runDoccat(args, { home, env });
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    fs.writeFileSync(path.join(inputs, NAMES.osc), 'Clipboard note about terminals and escapes.\n');
    fs.writeFileSync(path.join(inputs, NAMES.csi), 'Screen note about terminals and clearing.\n');
    fs.writeFileSync(path.join(inputs, NAMES.bidi), 'Bidi note about terminals and reordering.\n');
    fs.writeFileSync(path.join(inputs, NAMES.styled), 'Styled note about terminals and colours.\n');
    fs.writeFileSync(path.join(inputs, NAMES.broken), '%PDF-1.7\nnot really');
    // The first line of a text file becomes its title: C1 CSI and a bidi override in it.
    fs.writeFileSync(path.join(inputs, 'heading.txt'), `Heading ${C1_CSI} and ${BIDI}evil end\nsecond line about terminals\n`);
    // Encoded words put OSC 52 into the subject (the title) and the sender (the correspondent).
    fs.writeFileSync(path.join(inputs, 'mail.eml'), [
      'From: "Evil =?UTF-8?Q?=1B]52;c;bWFpbA=3D=3D=07?=" <evil@example.org>',
      'To: you@example.org',
      'Subject: =?UTF-8?Q?Invoice_=1B]52;c;c3ViamVjdA=3D=3D=07_now?=',
      'Date: Mon, 1 Jan 2024 10:00:00 +0000',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Please pay the invoice about terminals.',
      '',
    ].join('\r\n'));
    // Character references decode to ESC and BEL in the body, so in snippets.
    fs.writeFileSync(path.join(inputs, 'page.html'), '<html><body><p>Page about terminals &#x1b;]52;c;Zm9v&#x07; and &#x1b;[2J clearing.</p></body></html>');
    const report = parseIngestJson(await run(['ingest', inputs, '--json']));
    for (const file of report.files) if (file.documentId !== undefined) ids[path.basename(file.path)] = file.documentId;
  });

  it('ingest prints names escaped, in its table and its problem lines', async () => {
    const again = tempDir();
    const result = await runDoccat(['ingest', inputs, '--no-color'], { home: again });
    expect(result.code).toBe(3);
    expectNoRawControl(result, 'ingest');
    expect(result.stdout).toContain('osc52-\\u001b]52;c;aGVsbG8=\\u0007.txt');
    expect(result.stdout).toContain('csi-\\u001b[2J\\u001b[H\\u009b31m.txt');
    expect(result.stdout).toContain('invoice-\\u202efdp.exe.txt');
    expect(result.stderr).toContain('broken-\\u001b]0;pwned\\u0007.pdf: E_PDF_CORRUPT');
  });

  it('with colour, prints only its own styles: a style sequence in a name is escaped like any other', async () => {
    const result = await runDoccat(['ingest', inputs], { home: tempDir(), env: { NO_COLOR: '', FORCE_COLOR: '1' } });
    expect(result.stdout).toContain('\u001b[32mcatalogued\u001b[39m');
    expect(result.stdout).toContain('styled-\\u001b[31mred\\u001b[39m.txt');
    for (const text of [result.stdout, result.stderr]) {
      expect(text.replace(/\u001b\[(?:1|2|22|31|32|33|36|39)m/g, '')).not.toMatch(RAW_CONTROL);
    }
  });

  it('list, search, show and audit print titles, correspondents, snippets and paths escaped', async () => {
    const mail = ids['mail.eml'] as number;
    expect((await run(['set', String(mail), '--title', `Renamed ${OSC52}`])).code).toBe(0);
    const results = await Promise.all([
      run(['list', '--no-color']),
      run(['search', 'terminals', '--no-color']),
      run(['search', 'terminals']),
      run(['list', '--status', 'failed', '--no-color']),
      run(['show', path.join(inputs, NAMES.broken), '--no-color']),
      run(['audit', '--no-color']),
      ...Object.values(ids).map((id) => run(['show', String(id), '--text', '--no-color'])),
    ]);
    for (const result of results) {
      expect(result.code, result.stderr).toBe(0);
      expectNoRawControl(result, result.stdout.slice(0, 80));
    }
    const [list, search] = results;
    expect(list.stdout).toContain('Heading \\u009b31m and \\u202eevil end');
    expect(search.stdout).toContain('\\u001b]52;c;Zm9v\\u0007');
    const shown = results[6 + Object.keys(ids).indexOf('mail.eml')] as RunResult;
    expect(shown.stdout).toMatch(/correspondent +Evil \\u001b]52;c;bWFpbA==\\u0007\n/);
    expect(shown.stdout).toMatch(/title +Renamed \\u001b]52;c;aGVsbG8=\\u0007 \(manual\)\n/);
  });

  it('a document title or name that holds escapes is exact in --json and --ndjson, written as \\u escapes', async () => {
    const list = await run(['list', '--json']);
    expect(list.code).toBe(0);
    expect(list.stdout).not.toMatch(RAW_CONTROL);
    const titles = (JSON.parse(list.stdout) as { results: { title: string; correspondent: string | null; paths: string[] }[] }).results;
    expect(titles.map((hit) => hit.title)).toContain(`Heading ${C1_CSI} and ${BIDI}evil end`);
    expect(titles.map((hit) => hit.correspondent)).toContain('Evil \u001b]52;c;bWFpbA==\u0007');
    expect(titles.map((hit) => hit.title)).toContain(`Renamed ${OSC52}`);
    expect(titles.flatMap((hit) => hit.paths)).toContain(path.join(inputs, NAMES.osc));
    expect(list.stdout).toContain('\\u009b31m');

    const ndjson = await runDoccat(['ingest', inputs, '--ndjson'], { home: tempDir() });
    expect(ndjson.stdout).not.toMatch(RAW_CONTROL);
    const paths = ndjson.stdout.trim().split('\n').map((line) => JSON.parse(line) as { path?: string }).flatMap((line) => (line.path ? [path.basename(line.path)] : []));
    expect(paths.sort()).toEqual([...Object.values(NAMES), 'heading.txt', 'mail.eml', 'page.html'].sort());
  });

  it('structured logs on stderr carry the names as \\u escapes', async () => {
    const result = await runDoccat(['ingest', inputs, '--quiet', '--log-level', 'debug'], { home: tempDir(), env: { DOCCAT_LOG_FILE: '' } });
    expect(result.stderr).toContain('osc52-\\u001b]52;c;aGVsbG8=\\u0007.txt');
    expectNoRawControl(result, 'ingest --log-level debug');
  });

  it('watch prints the names of the files it takes escaped', async () => {
    const inbox = tempDir('doccat-escapes-inbox-');
    fs.copyFileSync(path.join(inputs, NAMES.osc), path.join(inbox, NAMES.osc));
    fs.copyFileSync(path.join(inputs, NAMES.broken), path.join(inbox, NAMES.broken));
    fs.writeFileSync(path.join(inbox, FORGED), 'A note whose name holds a line of its own.\n');
    const child = spawn(process.execPath, [BIN, 'watch', inbox, '--stable', '300', '--no-color'], { env: { ...process.env, DOCCAT_HOME: tempDir() }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    const deadline = Date.now() + 60_000;
    while (!((stdout.match(/: done/g) ?? []).length >= 2 && stderr.includes('E_PDF_CORRUPT')) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    child.kill('SIGTERM');
    await closed;
    captureOutput(['watch', inbox], stdout, stderr);
    expect(stdout).toContain('osc52-\\u001b]52;c;aGVsbG8=\\u0007.txt: done');
    expect(stderr).toContain('broken-\\u001b]0;pwned\\u0007.pdf: E_PDF_CORRUPT');
    expectForgedNameOnOneLine(stdout, 'watch');
    expectNoRawControl({ code: 0, signal: null, stdout, stderr }, 'watch');
  });

  it('worker prints the names of the files it takes escaped, one line each', async () => {
    const workerHome = tempDir();
    const inbox = tempDir('doccat-escapes-queue-');
    fs.copyFileSync(path.join(inputs, NAMES.osc), path.join(inbox, NAMES.osc));
    fs.writeFileSync(path.join(inbox, FORGED), 'A note whose name holds a line of its own.\n');
    expect((await runDoccat(['ingest', inbox, '--enqueue'], { home: workerHome })).code).toBe(0);
    const worker = await runDoccat(['worker', '--drain'], { home: workerHome });
    expect(worker.code, worker.stderr).toBe(0);
    expect(worker.stdout).toContain('osc52-\\u001b]52;c;aGVsbG8=\\u0007.txt: catalogued');
    expectForgedNameOnOneLine(worker.stdout, 'worker');
    expectNoRawControl(worker, 'worker');
  });
});
