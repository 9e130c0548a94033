import type { Kysely, Selectable } from 'kysely';
import type { AlertStatesTable, Database } from './schema.js';

/**
 * Each alert rule's last state (migration 0016). A change of state is one conditional write, so
 * that of several processes checking the same rules (workers, a watch, a cron ingest) exactly one
 * makes it, and only that one announces it.
 */

export type AlertStateRow = Selectable<AlertStatesTable>;
export type AlertStateName = AlertStatesTable['state'];

export async function alertStates(db: Kysely<Database>): Promise<Map<string, AlertStateRow>> {
  const rows = await db.selectFrom('alert_states').selectAll().execute();
  return new Map(rows.map((row) => [row.name, row]));
}

/**
 * Moves rule `name` from `from` (undefined: never recorded) to `to`. True when this call made the
 * change; false when another process changed it first.
 */
export async function transitionAlert(db: Kysely<Database>, change: { name: string; from: AlertStateName | undefined; to: AlertStateName; value: number | null; message: string; at: string }): Promise<boolean> {
  const { name, from, to, value, message, at } = change;
  const times = to === 'firing' ? { fired_at: at } : { resolved_at: at };
  if (from === undefined) {
    const inserted = await db
      .insertInto('alert_states')
      .values({ name, state: to, value, since: at, updated_at: at, message, fired_at: null, resolved_at: null, ...times })
      .onConflict((conflict) => conflict.column('name').doNothing())
      .executeTakeFirst();
    return Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0;
  }
  const updated = await db.updateTable('alert_states').set({ state: to, value, since: at, updated_at: at, message, ...times }).where('name', '=', name).where('state', '=', from).executeTakeFirst();
  return Number(updated.numUpdatedRows) > 0;
}

/** The latest value of a rule whose state did not change. */
export async function noteAlertValue(db: Kysely<Database>, name: string, value: number | null, at: string): Promise<void> {
  await db.updateTable('alert_states').set({ value, updated_at: at }).where('name', '=', name).execute();
}
