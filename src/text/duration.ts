/** Units of "7d"-style durations, as the search filters and `stats --since` read them. */
const DURATION_UNITS: Record<string, number> = { min: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000, m: 30 * 86_400_000, y: 365 * 86_400_000 };

/** The moment `value` ("90min", "24h", "7d", "2w", "3m" months, "1y") before `now`, or undefined if it is not a duration. */
export function durationAgo(value: string, now: Date): string | undefined {
  const duration = /^(\d+)(min|[hdwmy])$/.exec(value);
  if (!duration) return undefined;
  return new Date(now.getTime() - Number(duration[1]) * (DURATION_UNITS[duration[2] as string] as number)).toISOString();
}

/** 00:00 UTC of `now`'s day, as stored timestamps are written: where daily budgets start. */
export function utcDayStart(now: Date): string {
  return `${now.toISOString().slice(0, 10)}T00:00:00.000Z`;
}
