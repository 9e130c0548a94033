import { sleep } from '../system/process.js';
import type { IngestDependencies } from './ingest-types.js';
import { flatten, interrupted, type PreparedPart } from './family-parts.js';

const CLAIM_RETRY_MS = 250;

/**
 * The claims a family holds on its contents: taken all at once or none (so two processes with
 * overlapping families never deadlock), renewed while held, given back when the family closes.
 */
export class FamilyClaims {
  private readonly held = new Set<string>();
  private renewal: NodeJS.Timeout | undefined;

  constructor(
    private readonly deps: Pick<IngestDependencies, 'repository' | 'claims'>,
    private readonly signal: AbortSignal,
  ) {}

  /**
   * Claims every new content of the family, in one go: when another process holds any of them,
   * the ones taken are given back and all are tried again a little later, so that two processes
   * with overlapping families never hold one each while waiting for the other. A content that
   * became a document meanwhile is linked instead.
   */
  async claimContents(parts: PreparedPart[]): Promise<void> {
    for (;;) {
      const wanted = [...new Set(flatten(parts).filter((part) => part.document).map((part) => part.sha256))].filter((sha256) => !this.held.has(sha256)).sort();
      if (wanted.length === 0) break;
      const taken: string[] = [];
      let busy = false;
      for (const sha256 of wanted) {
        if (await this.deps.claims.claim(sha256)) taken.push(sha256);
        else {
          busy = true;
          break;
        }
      }
      if (!busy) {
        for (const sha256 of taken) this.held.add(sha256);
        this.renewal ??= setInterval(() => {
          for (const sha256 of this.held) void this.deps.claims.renew(sha256).catch(() => undefined);
        }, 20_000);
        break;
      }
      for (const sha256 of taken) await this.deps.claims.release(sha256).catch(() => undefined);
      await this.pause(CLAIM_RETRY_MS + Math.random() * CLAIM_RETRY_MS);
      await this.linkCatalogued(parts);
    }
    // Catalogued between the dedupe check and the claims.
    await this.linkCatalogued(parts);
  }

  private async linkCatalogued(parts: PreparedPart[]): Promise<void> {
    for (const part of flatten(parts)) {
      if (!part.document) continue;
      const existingId = await this.deps.repository.findIdBySha256(part.sha256);
      if (existingId === undefined) continue;
      // Its parts came with it, committed by whoever catalogued it.
      part.existingId = existingId;
      part.document = undefined;
      part.children = [];
    }
  }

  /** One content (an mbox message) claimed, or its document id once whoever holds it has committed it. */
  async claimOrWait(sha256: string): Promise<number | undefined> {
    for (;;) {
      if (await this.deps.claims.claim(sha256)) {
        this.held.add(sha256);
        const done = await this.deps.repository.findIdBySha256(sha256);
        if (done !== undefined) {
          this.held.delete(sha256);
          await this.deps.claims.release(sha256);
        }
        return done;
      }
      await this.pause(CLAIM_RETRY_MS);
      const done = await this.deps.repository.findIdBySha256(sha256);
      if (done !== undefined) return done;
    }
  }

  async releaseAll(): Promise<void> {
    for (const sha256 of this.held) await this.deps.claims.release(sha256).catch(() => undefined);
    this.held.clear();
  }

  /** Stops renewing and gives every claim back. */
  async close(): Promise<void> {
    clearInterval(this.renewal);
    await this.releaseAll();
  }

  private async pause(ms: number): Promise<void> {
    await sleep(ms, this.signal).catch(() => {
      throw interrupted();
    });
  }
}
