import { execFile } from 'node:child_process';
import path from 'node:path';

/** What the installed tesseract command offers, as it says itself. */
export interface NativeTesseract {
  /** The command as configured (ocr.tesseractPath) or found on PATH. */
  command: string;
  version: string;
  /** --tessdata-dir given to every call (ocr.langPath), or undefined for tesseract's own default. */
  tessdataDir: string | undefined;
  /** The folder tesseract reads language data from (its --list-langs header). */
  dataPath: string;
  /** Installed languages, including osd when osd.traineddata is there. */
  languages: string[];
}

export type NativeProbe = { found: true; tesseract: NativeTesseract } | { found: false; reason: string };

/** The oldest tesseract whose command line (--dpi, --psm, stdin, tsv, textonly_pdf) we rely on. */
export const MINIMUM_VERSION: readonly [number, number] = [4, 1];
const PROBE_TIMEOUT_MS = 10_000;

/**
 * Asks the tesseract command for its version and languages, as OCRmyPDF does
 * (`tesseract --version`, `tesseract --list-langs`). Never throws: a command that is missing,
 * too old or broken is a reason, which `auto` turns into tesseract.js and `tesseract` into an error.
 */
export async function probeNativeTesseract(command = 'tesseract', tessdataDir?: string): Promise<NativeProbe> {
  const resolvedDir = tessdataDir === undefined ? undefined : path.resolve(tessdataDir);
  let versionOutput: string;
  try {
    versionOutput = await run(command, ['--version']);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { found: false, reason: code === 'ENOENT' ? `${command} is not installed (not found${command.includes('/') ? '' : ' on PATH'})` : `${command} --version failed: ${(error as Error).message.split('\n')[0]}` };
  }
  const version = parseVersion(versionOutput);
  if (!version) return { found: false, reason: `${command} --version did not say which version it is` };
  if (compareVersions(version.parts, MINIMUM_VERSION) < 0) {
    return { found: false, reason: `${command} is version ${version.text}; doccat needs ${MINIMUM_VERSION.join('.')} or newer` };
  }
  let listOutput: string;
  try {
    listOutput = await run(command, ['--list-langs', ...(resolvedDir ? ['--tessdata-dir', resolvedDir] : [])]);
  } catch (error) {
    return { found: false, reason: `${command} --list-langs failed: ${(error as Error).message.split('\n')[0]}` };
  }
  const { dataPath, languages } = parseLanguageList(listOutput);
  return { found: true, tesseract: { command, version: version.text, tessdataDir: resolvedDir, dataPath: dataPath ?? resolvedDir ?? '', languages } };
}

export function parseVersion(output: string): { text: string; parts: [number, number, number] } | undefined {
  // "tesseract 5.3.0", "tesseract v5.3.0.20221222", "tesseract 4.1.1-rc2-21-gf4ef"
  const match = /tesseract\s+v?(\d+)\.(\d+)(?:\.(\d+))?/i.exec(output);
  if (!match) return undefined;
  const parts: [number, number, number] = [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)];
  return { text: match[3] === undefined ? `${parts[0]}.${parts[1]}` : parts.join('.'), parts };
}

export function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let index = 0; index < Math.max(a.length, b.length); index += 1) {
    const difference = (a[index] ?? 0) - (b[index] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

/** `List of available languages in "/usr/share/tesseract-ocr/5/tessdata/" (3):` then one per line. */
export function parseLanguageList(output: string): { dataPath: string | undefined; languages: string[] } {
  const lines = output.split('\n').map((line) => line.trim());
  const header = lines.findIndex((line) => /^List of available languages/i.test(line));
  const folder = header >= 0 ? /"(.*)"/.exec(lines[header] as string)?.[1] : undefined;
  const languages = lines.slice(header + 1).filter((line) => /^[A-Za-z0-9_]+$/.test(line));
  return { dataPath: folder ? folder.replace(/\/+$/, '') : undefined, languages };
}

function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout: PROBE_TIMEOUT_MS, maxBuffer: 1024 * 1024, env: { ...process.env, OMP_THREAD_LIMIT: '1' } }, (error, stdout, stderr) => {
      if (error) reject(error);
      // Tesseract 4 printed both of these on stderr.
      else resolve(`${stdout}\n${stderr}`);
    });
  });
}
