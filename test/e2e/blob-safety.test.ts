import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseIngestJson, runDoccat, tempDir } from '../support/cli.js';
import { startS3, type TestS3 } from '../support/s3.mjs';

/**
 * Blobs are deleted only when nothing needs them: not while an ingest holds a claim on their
 * content, not from a store another catalogue also writes to; and a blob that is reused is one
 * whose bytes are known to be right.
 */

let s3: TestS3;
beforeAll(async () => {
  s3 = await startS3(['doccat']);
});
afterAll(async () => {
  await s3.close();
});

const sha = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');
const keyOf = (sha256: string) => `sha256/${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${sha256}`;

function writeFile(directory: string, name: string, content: string): string {
  const filePath = path.join(directory, name);
  fs.mkdirSync(path.dirname(filePath), { recursive: true });
  fs.writeFileSync(filePath, content);
  return filePath;
}

/** A catalogue folder with its own config; `storage` is merged into the config's storage. */
function catalogue(storage: Record<string, unknown> = {}) {
  const home = tempDir();
  const config = path.join(home, 'doccat.config.json');
  fs.writeFileSync(config, JSON.stringify({ storage: { orphanGraceHours: 0, ...storage } }));
  const run = (args: string[]) => runDoccat([...args, '--config', config], { home, env: s3.env });
  return { home, config, run };
}

function sqlite(home: string): Database.Database {
  return new Database(path.join(home, 'catalog.db'));
}

/** A claim as another machine's ingest holds it while it extracts and stores that content. */
function holdClaim(home: string, sha256: string): () => void {
  const db = sqlite(home);
  db.prepare('INSERT INTO claims (sha256, owner, expires_at) VALUES (?, ?, ?)').run(sha256, 'another-host:4242:run', new Date(Date.now() + 3_600_000).toISOString());
  db.close();
  return () => {
    const again = sqlite(home);
    again.prepare('DELETE FROM claims WHERE sha256 = ?').run(sha256);
    again.close();
  };
}

interface VerifyJson {
  problems: { id: number; problem: string }[];
  orphans: { backend: string; key: string; removed: boolean; kept?: string }[];
}

describe('deleting a blob whose content an ingest is storing', () => {
  it('doccat delete keeps the blob while another process holds the claim on its content', async () => {
    const setup = catalogue();
    const inputs = tempDir('doccat-claimed-');
    const content = 'Electricity bill for March, customer 5512.';
    writeFile(inputs, 'bill.txt', content);
    const ingest = parseIngestJson(await setup.run(['ingest', inputs, '--json']));
    const id = ingest.files[0]?.documentId as number;
    const blob = path.join(setup.home, 'blobs', keyOf(sha(content)));
    expect(fs.existsSync(blob)).toBe(true);

    const release = holdClaim(setup.home, sha(content));
    const deleted = await setup.run(['delete', String(id), '--yes', '--json']);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(JSON.parse(deleted.stdout)).toMatchObject({ documents: [{ id, deleted: true, blob: 'kept', reason: 'in-use' }] });
    expect(fs.existsSync(blob)).toBe(true);

    // Now an orphan; verify --repair leaves it too while the claim is held, and removes it after.
    const held = await setup.run(['storage', 'verify', '--repair', '--json']);
    expect((JSON.parse(held.stdout) as VerifyJson).orphans).toEqual([expect.objectContaining({ key: keyOf(sha(content)), removed: false, kept: 'in-use' })]);
    expect(fs.existsSync(blob)).toBe(true);
    release();
    const free = await setup.run(['storage', 'verify', '--repair', '--json']);
    expect((JSON.parse(free.stdout) as VerifyJson).orphans).toEqual([expect.objectContaining({ key: keyOf(sha(content)), removed: true })]);
    expect(fs.existsSync(blob)).toBe(false);
  });
});

describe('reusing a blob that is already there', () => {
  it('replaces a rotted local blob of the right size instead of trusting it', async () => {
    const setup = catalogue();
    const inputs = tempDir('doccat-rot-');
    const content = 'Pension statement 2023, contributions and balance.';
    writeFile(inputs, 'pension.txt', content);
    const first = parseIngestJson(await setup.run(['ingest', inputs, '--json']));
    expect((await setup.run(['delete', String(first.files[0]?.documentId), '--yes', '--keep-blob'])).code).toBe(0);
    const blob = path.join(setup.home, 'blobs', keyOf(sha(content)));
    fs.writeFileSync(blob, 'X'.repeat(Buffer.byteLength(content)));

    expect(parseIngestJson(await setup.run(['ingest', inputs, '--json'])).summary.catalogued).toBe(1);
    const verify = JSON.parse((await setup.run(['storage', 'verify', '--json'])).stdout) as VerifyJson;
    expect(verify).toMatchObject({ problems: [], orphans: [] });
    expect(fs.readFileSync(blob, 'utf8')).toBe(content);
  });

  it('does not trust an S3 object of the right size without the recorded sha256', async () => {
    const prefix = `rot-${Date.now()}/`;
    const setup = catalogue({ backend: 'cloud', backends: { cloud: s3.backend('doccat', { prefix }) } });
    const inputs = tempDir('doccat-s3rot-');
    const content = 'Car insurance renewal, policy 88-1200.';
    writeFile(inputs, 'car.txt', content);
    const client = new S3Client({ region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true, credentials: { accessKeyId: s3.env.DOCCAT_TEST_S3_KEY, secretAccessKey: s3.env.DOCCAT_TEST_S3_SECRET } });
    await client.send(new PutObjectCommand({ Bucket: 'doccat', Key: `${prefix}${keyOf(sha(content))}`, Body: 'Y'.repeat(Buffer.byteLength(content)) }));
    client.destroy();

    expect(parseIngestJson(await setup.run(['ingest', inputs, '--json'])).summary.catalogued).toBe(1);
    const verify = JSON.parse((await setup.run(['storage', 'verify', '--json'])).stdout) as VerifyJson;
    expect(verify.problems).toEqual([]);
  });
});

describe('two catalogues on one S3 bucket and prefix', () => {
  it('neither deletes the other one\'s blobs, as orphans or with doccat delete', async () => {
    const prefix = `shared-${Date.now()}/`;
    const storage = { backend: 'cloud', backends: { cloud: s3.backend('doccat', { prefix }) } };
    const first = catalogue(storage);
    const second = catalogue(storage);
    const shared = 'A contract both households keep a copy of.';
    const firstInputs = tempDir('doccat-first-');
    const secondInputs = tempDir('doccat-second-');
    writeFile(firstInputs, 'shared.txt', shared);
    writeFile(firstInputs, 'first-only.txt', 'Only the first catalogue has this receipt.');
    writeFile(secondInputs, 'shared.txt', shared);
    for (let index = 0; index < 3; index += 1) writeFile(secondInputs, `second-${index}.txt`, `Only the second catalogue has letter ${index}.`);
    const ingestedFirst = parseIngestJson(await first.run(['ingest', firstInputs, '--json']));
    expect(parseIngestJson(await second.run(['ingest', secondInputs, '--json'])).summary.catalogued).toBe(4);

    // Each catalogue has an id and has registered it in the store it writes to.
    const registrations = fs.readdirSync(path.join(s3.directory, 'doccat', prefix, 'catalogs')).filter((name) => name.endsWith('._S3rver_object'));
    expect(registrations).toHaveLength(2);

    const sharedDocument = ingestedFirst.files.find((file) => file.path.endsWith('shared.txt'))?.documentId as number;
    const deleted = await first.run(['delete', String(sharedDocument), '--yes', '--json']);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(JSON.parse(deleted.stdout)).toMatchObject({ documents: [{ deleted: true, blob: 'kept', reason: 'shared' }] });

    const repaired = await first.run(['storage', 'verify', '--repair', '--json']);
    expect(repaired.code, repaired.stderr).toBe(0);
    const report = JSON.parse(repaired.stdout) as VerifyJson;
    // The second catalogue's four blobs are orphans to the first one, and all are kept.
    expect(report.orphans).toHaveLength(4);
    for (const orphan of report.orphans) expect(orphan).toMatchObject({ removed: false, kept: 'shared' });
    // For people: why they were kept, and what to do; they are not a problem of this catalogue.
    const told = await first.run(['storage', 'verify']);
    expect(told.code, told.stderr).toBe(0);
    expect(told.stderr).toMatch(/4 orphan blob\(s\) kept: another catalogue is registered in this store/);

    const other = await second.run(['storage', 'verify', '--json']);
    expect(other.code, other.stderr).toBe(0);
    expect(JSON.parse(other.stdout)).toMatchObject({ checked: 4, problems: [] });
  });
});

describe('blobs are private', () => {
  it('writes blob files 0600 in folders 0700', async () => {
    const setup = catalogue();
    const inputs = tempDir('doccat-private-');
    const content = 'Medical report, confidential.';
    writeFile(inputs, 'report.txt', content);
    expect(parseIngestJson(await setup.run(['ingest', inputs, '--json'])).summary.catalogued).toBe(1);
    const key = keyOf(sha(content));
    expect(fs.statSync(path.join(setup.home, 'blobs', key)).mode & 0o777).toBe(0o600);
    let folder = path.dirname(path.join(setup.home, 'blobs', key));
    for (; folder !== path.join(setup.home, 'blobs'); folder = path.dirname(folder)) expect((fs.statSync(folder).mode & 0o777).toString(8), folder).toBe('700');
  });
});
