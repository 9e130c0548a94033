import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseIngestJson, runDoccat, tempDir } from '../support/cli.js';
import { expectConsistentCatalogue, openCatalogDb } from '../support/catalogue-invariants.js';
import { makeEmail, makeMbox } from '../support/mail-writer.js';
import { seededRandom } from '../support/mixed-files.js';

/**
 * kill -9 while an mbox is being catalogued, message by message: every message that is in the
 * catalogue has all its attachments linked (no half families), no attachment is there without
 * its message, and the run after the kills completes the mailbox without a duplicate.
 */

const MESSAGES = 40;
const KILLS = 8;
const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('kill -9 in the middle of an mbox', () => {
  it('leaves whole families only, and the next run completes the mailbox', async () => {
    const seed = Number(process.env.DOCCAT_RELIABILITY_SEED ?? Date.now() % 1_000_000);
    const random = seededRandom(seed);
    const folder = tempDir('doccat-kill-mbox-');
    const home = tempDir();
    // Message i has i % 3 attachments of its own; every fifth also carries the same terms sheet.
    const terms = Buffer.from('General terms and conditions: payment within 30 days.\n');
    const expected = new Map<string, string[]>();
    const messages = Array.from({ length: MESSAGES }, (_, index) => {
      const attachments = Array.from({ length: index % 3 }, (_, number) => ({ name: `note-${index}-${number}.txt`, mime: 'text/plain', bytes: Buffer.from(`note ${number} of message ${index}: ledger entry ${index * 13 + number}\n`) }));
      if (index % 5 === 0) attachments.push({ name: 'terms.txt', mime: 'text/plain', bytes: terms });
      const message = makeEmail({ subject: `Statement ${index}`, body: `Statement number ${index} for the budget review.`, attachments });
      expected.set(sha(message), attachments.map((attachment) => sha(attachment.bytes)));
      return message;
    });
    fs.writeFileSync(path.join(folder, 'archive.mbox'), makeMbox(messages));
    const attachmentShas = new Set([...expected.values()].flat());
    const killedAt: number[] = [];
    const seen: number[] = [];

    let finishedEarly = false;
    for (let kill = 0; kill < KILLS; kill += 1) {
      // Killed once the catalogue holds a few more messages than before, plus a random moment:
      // a wall-clock delay alone may land, on a loaded machine, before the run gets past the
      // messages it already has, so that nothing new is ever cut in half. With only a few
      // messages left there is nothing to cut into; the last run does the rest.
      const before = seen.at(-1) ?? 0;
      if (before >= MESSAGES - 4) break;
      const target = Math.min(MESSAGES - 3, before + 1 + Math.floor(random() * 3));
      const extra = Math.round(random() * 150);
      let poll: NodeJS.Timeout | undefined;
      const run = await runDoccat(['ingest', folder, '--json', '-j', '2'], {
        home,
        onSpawn: (child) => {
          poll = setInterval(() => {
            if (messagesIn(home, expected) < target) return;
            clearInterval(poll);
            setTimeout(() => child.kill('SIGKILL'), extra);
          }, 20);
        },
      });
      clearInterval(poll);
      killedAt.push(target);
      if (run.signal !== 'SIGKILL') {
        // On a fast machine the last messages can all land within the random moment: the run
        // then had to succeed, and the kills before it are what this test is about.
        expect(run.code, run.stderr).toBe(0);
        finishedEarly = true;
        break;
      }
      if (!fs.existsSync(path.join(home, 'catalog.db'))) continue;
      expectConsistentCatalogue(home);
      seen.push(expectWholeFamilies(home, expected, attachmentShas));
    }
    // Enough kills cut into the mailbox for the test to mean something.
    expect(seen.filter((count) => count < MESSAGES).length, `messages after each kill: ${seen.join(', ')}`).toBeGreaterThanOrEqual(4);

    const last = await runDoccat(['ingest', folder, '--json', '-j', '2'], { home });
    process.stderr.write(`kill -9 in an mbox (seed ${seed}): killed once the catalogue held ${killedAt.join(', ')} messages (and up to 150 ms later); messages in the catalogue after each kill: ${seen.join(', ')}${finishedEarly ? '; the last killed run finished first' : ''}\n`);
    expect(last.code, last.stderr).toBe(0);
    expect(parseIngestJson(last).summary).toMatchObject({ failed: 0 });
    expectConsistentCatalogue(home);
    expect(expectWholeFamilies(home, expected, attachmentShas)).toBe(MESSAGES);
    const db = openCatalogDb(home);
    try {
      const mbox = db.prepare("SELECT id FROM documents WHERE mime = 'application/mbox'").all() as { id: number }[];
      expect(mbox).toHaveLength(1);
      const children = db.prepare('SELECT d.sha256 FROM document_parts p JOIN documents d ON d.id = p.child_id WHERE p.parent_id = ? ORDER BY p.position').all(mbox[0]?.id) as { sha256: string }[];
      expect(children.map((child) => child.sha256)).toEqual(messages.map(sha));
      // Every content once: the messages, their distinct attachments and the mbox.
      expect((db.prepare('SELECT count(*) AS n FROM documents').get() as { n: number }).n).toBe(MESSAGES + attachmentShas.size + 1);
    } finally {
      db.close();
    }
    expect(fs.readdirSync(path.join(home, '.staging'))).toEqual([]);
  });
});

/** How many of the messages are in the catalogue now (0 before it exists or is migrated). */
function messagesIn(home: string, expected: Map<string, string[]>): number {
  if (!fs.existsSync(path.join(home, 'catalog.db'))) return 0;
  try {
    const db = openCatalogDb(home);
    try {
      return (db.prepare('SELECT sha256 FROM documents').all() as { sha256: string }[]).filter((row) => expected.has(row.sha256)).length;
    } finally {
      db.close();
    }
  } catch {
    // Being created or migrated by the run.
    return 0;
  }
}

/** Checks that each message present has exactly its attachments, and each attachment a parent; returns the messages present. */
function expectWholeFamilies(home: string, expected: Map<string, string[]>, attachmentShas: Set<string>): number {
  const db = openCatalogDb(home);
  try {
    // Killed before the migrations committed: nothing yet.
    if (!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'document_parts'").get()) return 0;
    const documents = db.prepare('SELECT id, sha256 FROM documents').all() as { id: number; sha256: string }[];
    const byId = new Map(documents.map((document) => [document.id, document.sha256]));
    const links = db.prepare('SELECT parent_id, child_id FROM document_parts ORDER BY parent_id, position').all() as { parent_id: number; child_id: number }[];
    let messages = 0;
    for (const document of documents) {
      const attachments = expected.get(document.sha256);
      if (attachments) {
        messages += 1;
        const children = links.filter((link) => link.parent_id === document.id).map((link) => byId.get(link.child_id));
        expect(children, `message ${document.id}`).toEqual(attachments);
      }
      if (attachmentShas.has(document.sha256)) {
        const parents = links.filter((link) => link.child_id === document.id).map((link) => byId.get(link.parent_id) as string);
        expect(parents.length, `attachment ${document.id} without its message`).toBeGreaterThan(0);
        for (const parent of parents) expect(expected.has(parent)).toBe(true);
      }
    }
    return messages;
  } finally {
    db.close();
  }
}
