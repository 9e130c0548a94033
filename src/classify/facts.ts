import { foldText } from '../text/fold.js';

/** Facts read off the text by pattern: the document date, amounts, references, the sender. */

const MONTHS: Record<string, number> = {
  jan: 1, january: 1, januar: 1, janvier: 1, januari: 1, enero: 1, gennaio: 1,
  feb: 2, february: 2, februar: 2, fevrier: 2, februari: 2, febrero: 2, febbraio: 2,
  mar: 3, march: 3, marz: 3, mars: 3, maart: 3, marzo: 3,
  apr: 4, april: 4, avril: 4, abril: 4, aprile: 4,
  may: 5, mai: 5, mei: 5, mayo: 5, maggio: 5,
  jun: 6, june: 6, juni: 6, juin: 6, junio: 6, giugno: 6,
  jul: 7, july: 7, juli: 7, juillet: 7, julio: 7, luglio: 7,
  aug: 8, august: 8, aout: 8, augustus: 8, agosto: 8,
  sep: 9, sept: 9, september: 9, septembre: 9, septiembre: 9, settembre: 9,
  oct: 10, october: 10, oktober: 10, octobre: 10, octubre: 10, ottobre: 10,
  nov: 11, november: 11, novembre: 11, noviembre: 11,
  dec: 12, december: 12, dezember: 12, decembre: 12, diciembre: 12, dicembre: 12,
};

interface DateCandidate {
  iso: string;
  index: number;
}

function isoDate(year: number, month: number, day: number): string | undefined {
  if (year < 100) year += year < 70 ? 2000 : 1900;
  if (year < 1900 || year > 2100 || month < 1 || month > 12 || day < 1 || day > 31) return undefined;
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCMonth() !== month - 1) return undefined;
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

const NUMERIC_DATE = /\b(\d{1,2})([./-])(\d{1,2})\2(\d{4}|\d{2})\b/g;

/**
 * Whether a text's ambiguous slash dates put the month first. A document keeps one order: a date
 * that is valid only day first (25/03/2024) says its 03/08/2024 is the 3rd of August, one valid
 * only month first (03/25/2024) that it is March 8th. Only when none says (or both do), the
 * custom `preferMonthFirst` decides. The date and the due date of one document are read with the
 * answer for the whole of it.
 */
export function settledMonthFirst(text: string, preferMonthFirst: boolean): boolean {
  let dayFirstSeen = false;
  let monthFirstSeen = false;
  for (const match of text.matchAll(NUMERIC_DATE)) {
    const first = Number(match[1]);
    const second = Number(match[3]);
    const year = Number(match[4]);
    const asDayFirst = isoDate(year, second, first) !== undefined;
    const asMonthFirst = isoDate(year, first, second) !== undefined;
    if (asDayFirst && !asMonthFirst) dayFirstSeen = true;
    if (asMonthFirst && !asDayFirst && match[2] === '/') monthFirstSeen = true;
  }
  return dayFirstSeen === monthFirstSeen ? preferMonthFirst : monthFirstSeen;
}

export function findDates(text: string, preferMonthFirst: boolean): DateCandidate[] {
  const folded = foldText(text);
  const found: DateCandidate[] = [];
  const push = (iso: string | undefined, index: number) => {
    if (iso) found.push({ iso, index });
  };
  for (const match of folded.matchAll(/\b(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\b/g)) {
    push(isoDate(Number(match[1]), Number(match[2]), Number(match[3])), match.index);
  }
  for (const match of folded.matchAll(NUMERIC_DATE)) {
    const first = Number(match[1]);
    const second = Number(match[3]);
    const year = Number(match[4]);
    const monthFirst = first <= 12 && (second > 12 || (preferMonthFirst && match[2] === '/'));
    push(monthFirst ? isoDate(year, first, second) : isoDate(year, second, first), match.index);
  }
  for (const match of folded.matchAll(/\b(\d{1,2})(?:st|nd|rd|th|er|\.)?\s+([a-z]{3,9})\.?,?\s+(\d{4})\b/g)) {
    const month = MONTHS[match[2] as string];
    if (month) push(isoDate(Number(match[3]), month, Number(match[1])), match.index);
  }
  // "August 3, 2014", and "August 3 , 2014" as some text layers space it.
  for (const match of folded.matchAll(/\b([a-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?\s*,?\s+(\d{4})\b/g)) {
    const month = MONTHS[match[1] as string];
    if (month) push(isoDate(Number(match[3]), month, Number(match[2])), match.index);
  }
  return found.sort((a, b) => a.index - b.index);
}

/** Labels of the date a document is of, and of dates it is not (due dates, periods, orders). */
const DATE_LABEL = /\b(invoice date|date of issue|issue date|issued on|issued|dated|date|datum|rechnungsdatum|ausstellungsdatum|belegdatum|factuurdatum|date de (?:la )?facture|data wystawienia|fecha(?: de emision)?)\b/g;
const OTHER_DATE_LABEL = /\b(due date|date due|payment due|due on|due by|falligkeitsdatum|fallig am|zahlbar bis|zahlungsziel|vervaldatum|date limite de paiement|date d.echeance|order date|orderdatum|bestelldatum|lieferdatum|delivery date|date of birth|geburtsdatum|check out|check in|date limite)\b/g;

/** The date a document is "of": one labelled as such, else the first plausible date in it. */
export function documentDate(text: string, preferMonthFirst: boolean, fallback?: string): string | null {
  const head = text.slice(0, 20_000);
  const dates = findDates(head, settledMonthFirst(head, preferMonthFirst));
  const folded = foldText(head);
  const excluded = [...folded.matchAll(OTHER_DATE_LABEL)].map((match) => [match.index, match.index + match[0].length] as const);
  const labels = [...folded.matchAll(DATE_LABEL)].filter((label) => !excluded.some(([start, end]) => label.index >= start && label.index < end));
  for (const label of labels) {
    // A label that ends its line names the date before it on that line ("19 april 2014 Factuurdatum:").
    const lineStart = folded.lastIndexOf('\n', label.index) + 1;
    const lineEnd = folded.indexOf('\n', label.index);
    if (/^[\s:.]*$/.test(folded.slice(label.index + label[0].length, lineEnd < 0 ? undefined : lineEnd))) {
      const before = dates.filter((date) => date.index >= lineStart && date.index < label.index).at(-1);
      if (before) return before.iso;
    }
    const next = dates.find((date) => date.index >= label.index && date.index - label.index < 60);
    if (next) return next.iso;
  }
  const unlabelled = dates.find((date) => !excluded.some(([start]) => date.index > start && date.index - start < 60));
  if (unlabelled ?? dates[0]) return (unlabelled ?? dates[0])?.iso ?? null;
  if (fallback) {
    const parsed = new Date(fallback);
    if (!Number.isNaN(parsed.getTime())) return parsed.toISOString().slice(0, 10);
  }
  return null;
}

const COMPANY_SUFFIX = /(?<![\p{L}])(GmbH|AG|KG|OHG|e\.\s?V\.|Inc\.?|Incorporated|Ltd\.?|Limited|LLC|L\.L\.C\.|LLP|PLC|plc|Corp\.?|Corporation|Co\.|B\.V\.|BV|N\.V\.|S\.A\.?|SA|SARL|S\.A\.R\.L\.|SAS|S\.p\.A\.|SpA|Sp\. z o\.o\.|Pvt\.? Ltd\.?|Private Limited|Oy|AB|ApS|A\/S)(?![\p{L}\p{N}])/u;

/** The sender: an e-mail's From, else a line near the top that names a company. */
export function findCorrespondent(text: string, from?: string): string | null {
  if (from) {
    const name = /^(.*?)\s*<[^>]+>$/.exec(from)?.[1]?.replace(/^"|"$/g, '').trim();
    return name || from;
  }
  const lines = text.split('\n').slice(0, 40).map((line) => line.trim()).filter((line) => line.length > 0);
  for (const line of lines) {
    const match = COMPANY_SUFFIX.exec(line);
    if (!match || line.length > 120) continue;
    // Keep the company name itself: text up to and including its legal suffix.
    const end = match.index + match[0].length;
    const name = line.slice(0, end).replace(/^(from|von|de|van|seller|sold by|vendor)\s*:?\s*/i, '').replace(/^[^\p{L}\p{N}]+/u, '').trim();
    if (name.length >= 3 && /\p{L}{2}/u.test(name)) return name.slice(-80);
  }
  return null;
}

/** A readable title: the format's own title, else the first line that reads like one. */
export function chooseTitle(text: string, fileName: string, metadataTitle?: string): string {
  if (metadataTitle && !/^(untitled|microsoft word - |document\d*$|\s*$)/i.test(metadataTitle) && !/\.(docx?|pdf|xlsx?|pptx?)$/i.test(metadataTitle)) {
    return metadataTitle.slice(0, 200);
  }
  for (const raw of text.split('\n').slice(0, 30)) {
    const line = raw.replace(/\s+/g, ' ').trim();
    const letters = line.match(/\p{L}/gu)?.length ?? 0;
    if (line.length >= 4 && line.length <= 120 && letters >= 3 && letters / line.length > 0.5) return line;
  }
  return fileName.replace(/\.[^.]+$/, '');
}
