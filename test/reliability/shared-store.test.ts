import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseIngestJson, runDoccat, tempDir } from '../support/cli.js';
import { startS3, type TestS3 } from '../support/s3.mjs';

/**
 * Two catalogues that were pointed at the same bucket and prefix: what one of them deletes or
 * repairs never removes a blob the other one refers to.
 */

let s3: TestS3;
beforeAll(async () => {
  s3 = await startS3(['doccat']);
});
afterAll(async () => {
  await s3.close();
});

function catalogue(name: string) {
  const home = tempDir(`doccat-${name}-`);
  const inputs = tempDir(`doccat-${name}-inputs-`);
  const config = path.join(home, 'doccat.config.json');
  fs.writeFileSync(config, JSON.stringify({ storage: { backend: 'team', backends: { team: s3.backend('doccat', { prefix: 'team/' }) }, orphanGraceHours: 0 } }));
  const run = (args: string[]) => runDoccat([...args, '--config', config], { home, env: s3.env });
  return { home, inputs, run };
}

describe('two catalogues on one S3 prefix', () => {
  it('neither deletes nor repairs away the blobs of the other', async () => {
    const first = catalogue('first');
    const second = catalogue('second');
    const shared = 'A memo that both teams filed: the office closes on Friday.\n';
    for (const target of [first, second]) fs.writeFileSync(path.join(target.inputs, 'memo.txt'), shared);
    for (let index = 0; index < 5; index += 1) {
      fs.writeFileSync(path.join(first.inputs, `first-${index}.txt`), `Only the first catalogue has note ${index}.\n`);
      fs.writeFileSync(path.join(second.inputs, `second-${index}.txt`), `Only the second catalogue has note ${index}.\n`);
    }
    const firstIngest = parseIngestJson(await first.run(['ingest', first.inputs, '--json']));
    const secondIngest = parseIngestJson(await second.run(['ingest', second.inputs, '--json']));
    expect(firstIngest.summary.catalogued).toBe(6);
    expect(secondIngest.summary.catalogued).toBe(6);

    // The first catalogue lets go of the shared memo and of one of its own notes...
    const ids = firstIngest.files.filter((file) => file.path.endsWith('memo.txt') || file.path.endsWith('first-0.txt')).map((file) => String(file.documentId));
    const deleted = await first.run(['delete', ...ids, '--yes', '--json']);
    expect(deleted.code, deleted.stderr).toBe(0);
    // ...and repairs its store, where the other catalogue's blobs look like orphans to it.
    const repaired = await first.run(['storage', 'verify', '--repair', '--json']);
    expect(repaired.code, repaired.stderr).toBe(0);
    const orphans = (JSON.parse(repaired.stdout) as { orphans: { key: string; removed: boolean }[] }).orphans;
    expect(orphans.length).toBeGreaterThan(0);
    expect(orphans.filter((orphan) => orphan.removed)).toEqual([]);

    const check = await second.run(['storage', 'verify', '--json']);
    expect(check.code, check.stderr).toBe(0);
    expect(JSON.parse(check.stdout)).toMatchObject({ checked: 6, problems: [] });
  });
});
