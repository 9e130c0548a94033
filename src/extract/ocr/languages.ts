import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { DoccatError, ExitCode } from '../../errors.js';

export interface LanguageData {
  langPath: string;
  gzip: boolean;
}

const require = createRequire(import.meta.url);

/** Folders searched for traineddata, in order, when ocr.langPath is not set. */
function candidateFolders(): string[] {
  const folders: string[] = [];
  try {
    const packageJson = require.resolve('@tesseract.js-data/eng/package.json');
    // best_int: the most accurate model that still runs at integer speed.
    folders.push(path.join(path.dirname(packageJson), '4.0.0_best_int'));
  } catch {
    // The bundled English data is an ordinary dependency; without it we still look at system folders.
  }
  for (const base of ['/usr/share/tesseract-ocr', '/usr/local/share/tesseract-ocr']) {
    for (const version of safeReaddir(base).sort().reverse()) folders.push(path.join(base, version, 'tessdata'));
  }
  folders.push('/usr/share/tessdata', '/usr/local/share/tessdata');
  if (process.env.TESSDATA_PREFIX) folders.unshift(process.env.TESSDATA_PREFIX);
  return folders;
}

/**
 * Finds one folder holding every requested language. Never downloads: a missing language is an
 * error that says how to install it (tesseract.js would otherwise try the network or hang).
 */
export function resolveLanguageData(languages: readonly string[], configuredPath?: string): LanguageData {
  const folders = configuredPath ? [path.resolve(configuredPath)] : candidateFolders();
  for (const folder of folders) {
    const gz = languages.every((language) => fs.existsSync(path.join(folder, `${language}.traineddata.gz`)));
    if (gz) return { langPath: folder, gzip: true };
    const plain = languages.every((language) => fs.existsSync(path.join(folder, `${language}.traineddata`)));
    if (plain) return { langPath: folder, gzip: false };
  }
  const list = languages.join('+');
  throw new DoccatError('E_OCR_LANGUAGE_MISSING', `OCR language data for ${list} not found in ${folders.join(', ')}`, {
    hint: `install it (e.g. apt-get install ${languages.map((language) => `tesseract-ocr-${language.replace(/_/g, '-')}`).join(' ')}) or set ocr.langPath to a folder with ${languages.map((language) => `${language}.traineddata`).join(', ')}`,
    exitCode: ExitCode.usage,
  });
}

function safeReaddir(folder: string): string[] {
  try {
    return fs.readdirSync(folder);
  } catch {
    return [];
  }
}
