import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseIngestJson, runDoccat, tempDir } from '../support/cli.js';
import { startS3, type TestS3 } from '../support/s3.mjs';

/** `doccat storage ...` and `get --url` through the real binary, with s3rver as the S3 store. */

interface Move {
  id: number;
  key: string;
  status: 'copied' | 'present' | 'planned' | 'failed';
}

let s3: TestS3;
beforeAll(async () => {
  s3 = await startS3(['doccat']);
});
afterAll(async () => {
  await s3.close();
});

/** A catalogue with `count` small text documents and a config naming an s3 backend "cloud". */
async function catalogue(count: number, storage: Record<string, unknown> = {}) {
  const home = tempDir();
  const inputs = tempDir('doccat-storage-inputs-');
  for (let index = 0; index < count; index += 1) fs.writeFileSync(path.join(inputs, `note-${index}.txt`), `Note number ${index}\n${'Some text to store. '.repeat(20 + (index % 7))}\n`);
  const config = path.join(home, 'doccat.config.json');
  const write = (extra: Record<string, unknown>) => fs.writeFileSync(config, JSON.stringify({ storage: { backends: { cloud: s3.backend('doccat', { prefix: `${path.basename(home)}/` }) }, ...storage, ...extra } }));
  write({});
  const run = (args: string[], onLine?: NonNullable<Parameters<typeof runDoccat>[1]>['onLine']) => runDoccat([...args, '--config', config], { home, env: s3.env, ...(onLine ? { onLine } : {}) });
  return { home, inputs, config, run, write };
}

const ndjsonMoves = (stdout: string) =>
  stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      try {
        return JSON.parse(line) as Move & { event: string };
      } catch {
        throw new Error(`not an NDJSON line: ${line}\n--- whole output ---\n${stdout.slice(0, 2000)}`);
      }
    })
    .filter((line) => line.event === 'blob');

describe('moving and checking blobs', () => {
  it('migrates 200 documents to S3 across an outage, copying none twice, and verifies them', async () => {
    const setup = await catalogue(200);
    const ingest = parseIngestJson(await setup.run(['ingest', setup.inputs, '--json']));
    expect(ingest.summary.catalogued).toBe(200);

    let seen = 0;
    const first = await setup.run(['storage', 'migrate', '--to', 'cloud', '--ndjson', '--concurrency', '4'], (line) => {
      if (line.includes('"event":"blob"') && ++seen === 60) void s3.stop();
    });
    await s3.start();
    expect(first.code, first.stderr).toBe(4);
    expect(first.stderr).toMatch(/E_STORAGE_UNAVAILABLE/);
    expect(first.stderr).toMatch(/run the same command again to continue/);
    const firstMoves = ndjsonMoves(first.stdout);
    expect(firstMoves.length).toBeGreaterThanOrEqual(60);
    expect(firstMoves.length).toBeLessThan(200);

    const second = await setup.run(['storage', 'migrate', '--to', 'cloud', '--json']);
    expect(second.code, second.stderr).toBe(0);
    const report = JSON.parse(second.stdout) as { summary: { total: number; copied: number; present: number; failed: number }; blobs: Move[] };
    expect(report.summary.failed).toBe(0);
    const copiedFirst = new Set(firstMoves.filter((move) => move.status === 'copied').map((move) => move.key));
    const copiedSecond = report.blobs.filter((move) => move.status === 'copied').map((move) => move.key);
    for (const key of copiedSecond) expect(copiedFirst.has(key), `${key} copied twice`).toBe(false);
    // Everything not finished in the first run is done in the second: copied, or found verified.
    expect(firstMoves.length + report.summary.total).toBe(200);
    expect(copiedFirst.size + report.summary.copied + report.summary.present).toBe(200);

    const list = JSON.parse((await setup.run(['storage', 'list', '--json'])).stdout) as { backends: { name: string; documents: number; healthy: boolean }[] };
    expect(list.backends).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'cloud', documents: 200, healthy: true }), expect.objectContaining({ name: 'local', documents: 0, healthy: true })]));
    // In S3 a document has no path on this disk: --paths says so for each, and prints no stale local path.
    const paths = await setup.run(['list', '--paths', '--limit', '3']);
    expect(paths.code, paths.stderr).toBe(0);
    expect(paths.stdout).toBe('');
    expect(paths.stderr.trim().split('\n')).toEqual(Array.from({ length: 3 }, () => expect.stringMatching(/^doccat: D\d+ is stored in the cloud backend, which has no local path; use doccat get D\d+ -o FILE$/)));
    const verify = await setup.run(['storage', 'verify', '--json']);
    expect(verify.code, verify.stderr).toBe(0);
    expect(JSON.parse(verify.stdout)).toMatchObject({ checked: 200, ok: 200, problems: [] });

    // Nothing left to do: a third run copies nothing.
    const third = JSON.parse((await setup.run(['storage', 'migrate', '--to', 'cloud', '--json'])).stdout) as { summary: { total: number } };
    expect(third.summary.total).toBe(0);
  });

  it('continues a migration killed with SIGKILL without copying a blob twice', async () => {
    const setup = await catalogue(60);
    expect(parseIngestJson(await setup.run(['ingest', setup.inputs, '--json'])).summary.catalogued).toBe(60);
    let seen = 0;
    const killed = await setup.run(['storage', 'migrate', '--to', 'cloud', '--ndjson', '--concurrency', '2'], (line, child) => {
      if (line.includes('"event":"blob"') && ++seen === 20) child.kill('SIGKILL');
    });
    expect(killed.signal).toBe('SIGKILL');
    const before = ndjsonMoves(killed.stdout).filter((move) => move.status === 'copied').map((move) => move.key);
    const resumed = await setup.run(['storage', 'migrate', '--to', 'cloud', '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    const after = JSON.parse(resumed.stdout) as { summary: { copied: number; present: number }; blobs: Move[] };
    for (const move of after.blobs.filter((item) => item.status === 'copied')) expect(before).not.toContain(move.key);
    expect(JSON.parse((await setup.run(['storage', 'verify', '--json'])).stdout)).toMatchObject({ checked: 60, ok: 60 });
    const counts = JSON.parse((await setup.run(['storage', 'list', '--json'])).stdout) as { backends: { name: string; documents: number }[] };
    expect(counts.backends.find((backend) => backend.name === 'cloud')?.documents).toBe(60);
  });

  it('finds a deleted and a corrupted blob, repairs both from the other backend, and removes old orphans', async () => {
    const setup = await catalogue(5, { orphanGraceHours: 0 });
    parseIngestJson(await setup.run(['ingest', setup.inputs, '--json']));
    expect((await setup.run(['storage', 'migrate', '--to', 'cloud', '--quiet'])).code).toBe(0);
    const listed = (await setup.run(['list', '--json'])).stdout;
    const [first, second] = (JSON.parse(listed) as { results: { id: number }[] }).results;
    const shown = async (id: number) => (JSON.parse((await setup.run(['show', String(id), '--json'])).stdout) as { document: { blob: { key: string } } }).document.blob.key;
    const prefix = path.join(s3.directory, 'doccat', path.basename(setup.home));
    fs.rmSync(path.join(prefix, `${await shown(first?.id as number)}._S3rver_object`));
    const corruptFile = path.join(prefix, `${await shown(second?.id as number)}._S3rver_object`);
    const size = fs.statSync(corruptFile).size;
    fs.writeFileSync(corruptFile, Buffer.alloc(size, 0x41));
    const orphan = path.join(setup.home, 'blobs', 'sha256', '00', '00', `0000${'0'.repeat(60)}`);
    fs.mkdirSync(path.dirname(orphan), { recursive: true });
    fs.writeFileSync(orphan, 'nobody refers to me');

    const found = await setup.run(['storage', 'verify', '--json']);
    expect(found.code).toBe(3);
    const report = JSON.parse(found.stdout) as { problems: { id: number; problem: string }[]; orphans: { backend: string; key: string }[] };
    expect(Object.fromEntries(report.problems.map((problem) => [problem.id, problem.problem]))).toEqual({ [first?.id as number]: 'missing', [second?.id as number]: 'corrupt' });
    expect(report.orphans).toEqual([expect.objectContaining({ backend: 'local', key: `sha256/00/00/0000${'0'.repeat(60)}` })]);

    const repaired = await setup.run(['storage', 'verify', '--repair', '--json']);
    expect(repaired.code, repaired.stderr).toBe(0);
    expect(JSON.parse(repaired.stdout)).toMatchObject({ repaired: 2 });
    expect(fs.existsSync(orphan)).toBe(false);
    const again = await setup.run(['storage', 'verify']);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/5 blobs checked: 5 ok, 0 with problems, 0 orphans/);
  });

  it('gives a presigned URL for an S3 blob and a path for a local one', async () => {
    const setup = await catalogue(2);
    const ingest = parseIngestJson(await setup.run(['ingest', setup.inputs, '--json']));
    const [one, two] = ingest.files.map((file) => file.documentId as number);
    const local = (await setup.run(['get', String(one), '--url'])).stdout.trim();
    expect(local.startsWith(path.join(setup.home, 'blobs'))).toBe(true);
    expect(await setup.run(['storage', 'migrate', '--to', 'cloud', '--delete-source', '--quiet'])).toMatchObject({ code: 0 });
    expect(fs.existsSync(local)).toBe(false);
    const url = (await setup.run(['get', String(two), '--url', '--expires', '120'])).stdout.trim();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/doccat\/.*X-Amz-Expires=120/);
    const bytes = Buffer.from(await (await fetch(url)).arrayBuffer());
    const original = ingest.files.find((file) => file.documentId === two)?.path as string;
    expect(bytes.equals(fs.readFileSync(original))).toBe(true);
    const out = path.join(setup.home, 'out.txt');
    expect((await setup.run(['get', String(one), '-o', out])).code).toBe(0);
    expect(createHash('sha256').update(fs.readFileSync(out)).digest('hex')).toBe(ingest.files.find((file) => file.documentId === one)?.sha256);
  });

  it('stores blobs on the fallback while the primary is down, and syncs them back', async () => {
    const setup = await catalogue(0, { backend: 'cloud', fallback: 'local' });
    for (let index = 0; index < 3; index += 1) fs.writeFileSync(path.join(setup.inputs, `before-${index}.txt`), `Before the outage ${index}`);
    expect(parseIngestJson(await setup.run(['ingest', setup.inputs, '--json'])).summary.catalogued).toBe(3);
    await s3.stop();
    try {
      for (let index = 0; index < 3; index += 1) fs.writeFileSync(path.join(setup.inputs, `during-${index}.txt`), `During the outage ${index}`);
      const during = await setup.run(['ingest', setup.inputs, '--json']);
      expect(during.code, during.stderr).toBe(0);
      expect(parseIngestJson(during).summary.catalogued).toBe(3);
    } finally {
      await s3.start();
    }
    const counts = JSON.parse((await setup.run(['storage', 'list', '--json'])).stdout) as { backends: { name: string; role: string; documents: number }[] };
    expect(counts.backends).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'cloud', role: 'primary', documents: 3 }), expect.objectContaining({ name: 'local', role: 'fallback', documents: 3 })]));
    const sync = await setup.run(['storage', 'sync', '--json']);
    expect(sync.code, sync.stderr).toBe(0);
    expect(JSON.parse(sync.stdout)).toMatchObject({ summary: { copied: 3, deleted: 3 } });
    expect(JSON.parse((await setup.run(['storage', 'verify', '--json'])).stdout)).toMatchObject({ checked: 6, ok: 6 });
  });

  it('rejects an unknown backend and a config that names one', async () => {
    const setup = await catalogue(1);
    const unknown = await setup.run(['storage', 'migrate', '--to', 'nowhere']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/E_STORAGE_UNKNOWN[\s\S]*configured: local, cloud/);
    setup.write({ backend: 'nowhere' });
    const invalid = await setup.run(['storage', 'list']);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toMatch(/storage\.backend: no backend named "nowhere"/);
  });
});
