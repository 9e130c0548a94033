import { hostId } from '../system/host.js';
import type { Kysely } from 'kysely';
import { bookkeepingWrite } from './dialect.js';
import type { Database } from './schema.js';
import { isProcessAlive } from '../system/process.js';

/**
 * Leases on content being extracted. A claim is taken with one atomic upsert that only overwrites
 * an expired lease; a lease whose owner is a dead process on this host is taken over at once,
 * so a re-run after kill -9 does not wait for the lease to run out. Leases are bookkeeping
 * writes (dialect/types.ts): after a power cut no process holds one anyway.
 */
export class ClaimRepository {
  readonly owner: string;

  constructor(
    private readonly db: Kysely<Database>,
    runId: string,
    private readonly leaseMs: number,
  ) {
    this.owner = `${hostId()}:${process.pid}:${runId}`;
  }

  /** True when this process now holds the claim on the content. */
  async claim(sha256: string): Promise<boolean> {
    const now = new Date();
    const expires = new Date(now.getTime() + this.leaseMs).toISOString();
    return bookkeepingWrite(this.db, async (db) => {
      await db
        .insertInto('claims')
        .values({ sha256, owner: this.owner, expires_at: expires })
        .onConflict((conflict) => conflict.column('sha256').doUpdateSet({ owner: this.owner, expires_at: expires }).where('claims.expires_at', '<', now.toISOString()))
        .execute();
      const row = await db.selectFrom('claims').select('owner').where('sha256', '=', sha256).executeTakeFirst();
      if (row?.owner === this.owner) return true;
      if (row && isDeadLocalOwner(row.owner)) {
        const taken = await db.updateTable('claims').set({ owner: this.owner, expires_at: expires }).where('sha256', '=', sha256).where('owner', '=', row.owner).executeTakeFirst();
        return Number(taken.numUpdatedRows) === 1;
      }
      return false;
    });
  }

  /** Extends the lease while extraction (OCR) is still running. */
  async renew(sha256: string): Promise<void> {
    await bookkeepingWrite(this.db, (db) => db.updateTable('claims').set({ expires_at: new Date(Date.now() + this.leaseMs).toISOString() }).where('sha256', '=', sha256).where('owner', '=', this.owner).execute());
  }

  async release(sha256: string): Promise<void> {
    await bookkeepingWrite(this.db, (db) => db.deleteFrom('claims').where('sha256', '=', sha256).where('owner', '=', this.owner).execute());
  }
}

function isDeadLocalOwner(owner: string): boolean {
  const [host, pidText] = owner.split(':');
  const pid = Number(pidText);
  return host === hostId() && pid !== process.pid && Number.isInteger(pid) && pid > 0 && !isProcessAlive(pid);
}
