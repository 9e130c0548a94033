import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDoccat, tempDir } from '../support/cli.js';
import { startWatch, type WatchEvent as Event } from '../support/watch.js';

/** `doccat watch` on real folders with real files and real timing. */

const finished = (events: Event[], name: string) => events.some((event) => ['done', 'duplicate', 'unchanged'].includes(event.event) && path.basename(event.path) === name);
const count = (events: Event[], kind: string) => events.filter((event) => event.event === kind).length;

async function documents(home: string, configFile?: string): Promise<number> {
  const listed = await runDoccat(['list', '--json', '--limit', '1', ...(configFile ? ['--config', configFile] : [])], { home });
  return (JSON.parse(listed.stdout) as { total: number }).total;
}

describe('watching a drop folder', () => {
  it('takes files present at start and dropped later, ignores partial names until renamed, and archives without overwriting', async () => {
    const home = tempDir();
    const inbox = tempDir('doccat-inbox-');
    const archive = tempDir('doccat-archive-');
    fs.writeFileSync(path.join(inbox, 'before.txt'), 'Here before the watcher started.');
    fs.mkdirSync(path.join(archive, 'scans'), { recursive: true });
    fs.writeFileSync(path.join(archive, 'scans', 'letter.txt'), 'an older file already in the archive');
    const watch = startWatch(home, [inbox, '--archive', archive, '--stable', '500']);
    await watch.until((events) => finished(events, 'before.txt'));
    fs.mkdirSync(path.join(inbox, 'scans'));
    fs.writeFileSync(path.join(inbox, 'scans', 'letter.txt'), 'Dear Ms Berg, a new letter.');
    fs.writeFileSync(path.join(inbox, 'download.pdf.part'), 'still downloading');
    fs.writeFileSync(path.join(inbox, '.hidden.txt'), 'a dotfile');
    await watch.until((events) => finished(events, 'letter.txt'));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(watch.events.some((event) => event.path.endsWith('.part') || event.path.endsWith('.hidden.txt'))).toBe(false);
    fs.renameSync(path.join(inbox, 'download.pdf.part'), path.join(inbox, 'download.txt'));
    await watch.until((events) => finished(events, 'download.txt'));
    expect(await watch.stop()).toEqual({ code: 0, signal: null });
    expect(fs.readFileSync(path.join(archive, 'scans', 'letter.txt'), 'utf8')).toBe('an older file already in the archive');
    expect(fs.readFileSync(path.join(archive, 'scans', 'letter (1).txt'), 'utf8')).toBe('Dear Ms Berg, a new letter.');
    expect(fs.existsSync(path.join(archive, 'before.txt'))).toBe(true);
    expect(fs.readdirSync(inbox).sort()).toEqual(['.hidden.txt', 'scans']);
    expect(await documents(home)).toBe(3);
  });

  it('takes a file written slowly in chunks over 3 s once, complete', async () => {
    const home = tempDir();
    const inbox = tempDir('doccat-inbox-');
    const watch = startWatch(home, [inbox, '--stable', '1000', '--poll', '200']);
    // Only once the watcher runs: a file already there at start is taken as it is, without waiting.
    fs.writeFileSync(path.join(inbox, 'ready.txt'), 'The watcher is running.');
    await watch.until((events) => finished(events, 'ready.txt'));
    const file = path.join(inbox, 'slow.txt');
    for (let chunk = 0; chunk < 7; chunk += 1) {
      fs.appendFileSync(file, `chunk ${chunk} of a slowly written document\n`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    await watch.until((events) => finished(events, 'slow.txt'));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await watch.stop();
    const slow = watch.events.filter((event) => path.basename(event.path) === 'slow.txt');
    expect(count(slow, 'queued')).toBe(1);
    expect(count(slow, 'done')).toBe(1);
    const shown = JSON.parse((await runDoccat(['show', file, '--json', '--text'], { home })).stdout) as { document: { text: string } };
    expect(shown.document.text).toContain('chunk 6 of a slowly written document');
  });

  it('moves a file that keeps failing to the failed folder with its reason', async () => {
    const home = tempDir();
    const inbox = tempDir('doccat-inbox-');
    const failed = tempDir('doccat-failed-');
    const configFile = path.join(home, 'doccat.config.json');
    fs.writeFileSync(configFile, JSON.stringify({ queue: { maxAttempts: 2, retryDelaySeconds: 1 } }));
    const watch = startWatch(home, [inbox, '--failed', failed, '--stable', '300'], configFile);
    fs.writeFileSync(path.join(inbox, 'broken.pdf'), '%PDF-1.7\nthis is not really a PDF');
    await watch.until((events) => events.some((event) => event.event === 'failed' && event.final === true), 30_000);
    await watch.stop();
    expect(watch.events.filter((event) => event.event === 'failed').map((event) => event.final)).toEqual([false, true]);
    expect(fs.existsSync(path.join(inbox, 'broken.pdf'))).toBe(false);
    expect(fs.existsSync(path.join(failed, 'broken.pdf'))).toBe(true);
    expect(fs.readFileSync(path.join(failed, 'broken.pdf.error.txt'), 'utf8')).toMatch(/^E_PDF_CORRUPT\n.+\nattempts: 2\n/s);
  });

  it('reloads rules on SIGHUP and on a config change, and keeps them when the new config is invalid', async () => {
    const home = tempDir();
    const inbox = tempDir('doccat-inbox-');
    const configFile = path.join(home, 'doccat.config.json');
    fs.writeFileSync(configFile, JSON.stringify({}));
    const watch = startWatch(home, [inbox, '--stable', '300'], configFile);
    const recipe = 'Pancakes\nflour, sugar, eggs and milk; whisk the flour and sugar first.';
    const typeOf = async (name: string) => {
      const shown = await runDoccat(['show', path.join(inbox, name), '--json'], { home });
      return (JSON.parse(shown.stdout) as { document?: { type: string } }).document?.type ?? shown.stdout + shown.stderr;
    };
    fs.writeFileSync(path.join(inbox, 'one.txt'), `${recipe} 1`);
    await watch.until((events) => finished(events, 'one.txt'));
    expect(await typeOf('one.txt')).toBe('other');

    fs.writeFileSync(configFile, JSON.stringify({ classify: { types: [{ name: 'recipe', keywords: ['flour', 'sugar', 'whisk'] }] } }));
    await watch.until((events) => events.some((event) => event.event === 'reloaded'));
    watch.child.kill('SIGHUP');
    await watch.until((events) => count(events, 'reloaded') >= 2);
    fs.writeFileSync(path.join(inbox, 'two.txt'), `${recipe} 2`);
    await watch.until((events) => finished(events, 'two.txt'));
    expect(await typeOf('two.txt')).toBe('recipe');

    fs.writeFileSync(configFile, JSON.stringify({ classify: { minScore: 'high' } }));
    await watch.until((events) => events.some((event) => event.event === 'reload-failed'));
    fs.writeFileSync(path.join(inbox, 'three.txt'), `${recipe} 3`);
    await watch.until((events) => finished(events, 'three.txt'));
    expect(await typeOf('three.txt')).toBe('recipe');
    expect(watch.stderr()).toMatch(/configuration not reloaded, the running one is kept: E_CONFIG_INVALID/);
    expect(await watch.stop()).toEqual({ code: 0, signal: null });
  });

  it('catalogues a burst of 500 files once each, and after a kill -9 and restart loses none', async () => {
    const home = tempDir();
    const inbox = tempDir('doccat-inbox-');
    const first = startWatch(home, [inbox, '--stable', '300']);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    for (let index = 0; index < 500; index += 1) fs.writeFileSync(path.join(inbox, `burst-${index}.txt`), `Burst document number ${index}.`);
    await first.until((events) => count(events, 'done') >= 50, 60_000);
    await first.kill();
    const second = startWatch(home, [inbox, '--stable', '300']);
    const deadline = Date.now() + 120_000;
    while ((await documents(home)) < 500 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 500));
    await second.stop();
    expect(await documents(home)).toBe(500);
    const all = JSON.parse((await runDoccat(['list', '--json', '--limit', '1000'], { home })).stdout) as { results: { paths: string[] }[] };
    const sources = all.results.flatMap((document) => document.paths).sort();
    expect(sources).toEqual(fs.readdirSync(inbox).map((name) => path.join(inbox, name)).sort());
  });
});
