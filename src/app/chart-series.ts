import type { OpenCatalog } from './catalog.js';

/**
 * The series behind the small charts of `doccat stats` on a terminal (cli/stats-charts.ts draws
 * them). They are read here, not added to CatalogueStats, so that `stats --json` stays exactly
 * what scripts already parse.
 */

export interface ChartSeries {
  /** Oldest first, one entry per day (or per week over long ranges), empty days included. */
  documents: { label: string; count: number }[];
  failures: { label: string; count: number }[];
  bucket: 'day' | 'week';
  /** Documents per OCR-confidence decile, 0-9 to 90-100. */
  ocrConfidence: number[];
}

const DAY_MS = 86_400_000;
/** Long ranges are drawn per week so that the chart stays one line on an 80-column terminal. */
const MAX_COLUMNS = 60;

export async function readChartSeries(catalog: OpenCatalog, since: string | undefined, now: Date): Promise<ChartSeries> {
  const { chartFacts } = await import('../db/stats.js');
  const { documents: rows, failures } = await chartFacts(catalog.database.db, since);

  const added = rows.map((row) => Date.parse(String(row.added_at))).filter(Number.isFinite);
  const failedAt = failures.map((row) => Date.parse(String(row.at))).filter(Number.isFinite);
  const end = startOfDay(now.getTime());
  const earliest = since ? startOfDay(Date.parse(since)) : Math.min(end - 13 * DAY_MS, ...added.map(startOfDay), ...failedAt.map(startOfDay));
  const days = Math.floor((end - earliest) / DAY_MS) + 1;
  const bucket = days > MAX_COLUMNS ? 'week' : 'day';
  const width = bucket === 'week' ? 7 * DAY_MS : DAY_MS;
  const columns = Math.min(MAX_COLUMNS, Math.ceil(days / (width / DAY_MS)));
  const first = end - (columns - 1) * width;
  const series = (times: number[]) => {
    const counts = Array.from({ length: columns }, (_, index) => ({ label: new Date(first + index * width).toISOString().slice(0, 10), count: 0 }));
    for (const time of times) {
      const index = Math.floor((startOfDay(time) - first) / width);
      const slot = counts[index];
      if (slot) slot.count += 1;
    }
    return counts;
  };

  const confidences = rows.map((row) => row.ocr_confidence).filter((value): value is number => typeof value === 'number');
  // tesseract reports 0-100; a 0-1 scale is read as the same thing.
  const scale = confidences.length > 0 && confidences.every((value) => value <= 1) ? 100 : 1;
  const ocrConfidence = Array.from({ length: 10 }, () => 0);
  for (const value of confidences) {
    const decile = Math.min(9, Math.max(0, Math.floor((value * scale) / 10)));
    ocrConfidence[decile] = (ocrConfidence[decile] ?? 0) + 1;
  }
  return { documents: series(added), failures: series(failedAt), bucket, ocrConfidence };
}

function startOfDay(time: number): number {
  return Math.floor(time / DAY_MS) * DAY_MS;
}
