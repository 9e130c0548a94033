import { describe, expect, it } from 'vitest';
import { forEachLimit } from '../../../src/system/concurrency.js';

/** A promise the test settles by hand, so that which calls overlap is decided here, not by timers. */
function gate() {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

const ticks = async (count = 5) => {
  for (let tick = 0; tick < count; tick += 1) await Promise.resolve();
};

describe('forEachLimit', () => {
  it('runs at most `limit` calls at once, starts them in order and passes each index', async () => {
    const gates = Array.from({ length: 7 }, gate);
    const started: number[] = [];
    let running = 0;
    let most = 0;
    const done = forEachLimit([10, 11, 12, 13, 14, 15, 16], { limit: 3 }, async (item, index) => {
      expect(item).toBe(index + 10);
      started.push(index);
      running += 1;
      most = Math.max(most, running);
      await gates[index]!.opened;
      running -= 1;
    });
    await ticks();
    expect(started).toEqual([0, 1, 2]);
    gates[1]!.open();
    await ticks();
    expect(started).toEqual([0, 1, 2, 3]);
    for (const each of gates) each.open();
    await done;
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(most).toBe(3);
  });

  it('starts nothing more once the signal is aborted, and lets the running calls finish', async () => {
    const controller = new AbortController();
    const gates = Array.from({ length: 6 }, gate);
    const finished: number[] = [];
    const done = forEachLimit([0, 1, 2, 3, 4, 5], { limit: 2, signal: controller.signal }, async (item) => {
      await gates[item]!.opened;
      finished.push(item);
    });
    await ticks();
    controller.abort();
    for (const each of gates) each.open();
    await expect(done).resolves.toBeUndefined();
    expect(finished.sort()).toEqual([0, 1]);
  });

  it('starts nothing after a call throws, waits for the running ones, then throws the first error', async () => {
    const gates = Array.from({ length: 6 }, gate);
    const finished: number[] = [];
    let settled = false;
    const done = forEachLimit([0, 1, 2, 3, 4, 5], { limit: 2 }, async (item) => {
      await gates[item]!.opened;
      if (item === 0) throw new Error('first');
      if (item === 1) throw new Error('second');
      finished.push(item);
    }).finally(() => (settled = true));
    const failure = expect(done).rejects.toThrow('first');
    gates[0]!.open();
    await ticks();
    expect(settled).toBe(false);
    for (const each of gates) each.open();
    await failure;
    expect(finished).toEqual([]);
  });

  it('pulls an async iterable one item per free slot and leaves it open for its owner', async () => {
    let pulled = 0;
    let closed = false;
    async function* lines() {
      try {
        for (let line = 0; line < 100; line += 1) {
          pulled += 1;
          yield line;
        }
      } finally {
        closed = true;
      }
    }
    const source = lines();
    const seen: number[] = [];
    const controller = new AbortController();
    await forEachLimit(source, { limit: 4, signal: controller.signal }, async (line, index) => {
      expect(index).toBe(line);
      seen.push(line);
      if (line === 9) controller.abort();
    });
    expect(seen.slice(0, 10)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(pulled).toBeLessThan(20);
    expect(closed).toBe(false);
    await source.return(undefined);
    expect(closed).toBe(true);
  });

  it('finishes at once on an empty list', async () => {
    let calls = 0;
    await forEachLimit([], { limit: 4 }, async () => {
      calls += 1;
    });
    expect(calls).toBe(0);
  });
});
