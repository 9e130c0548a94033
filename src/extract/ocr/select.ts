import { DoccatError, ExitCode } from '../../errors.js';
import type { OcrEngine, OcrEngineInfo, OcrEngineName } from './engine.js';
import { probeNativeTesseract, type NativeProbe } from './native-probe.js';

export type OcrEngineSetting = 'auto' | OcrEngineName;

export interface OcrEngineSettings {
  engine: OcrEngineSetting;
  tesseractPath?: string | undefined;
  languages: readonly string[];
  langPath?: string | undefined;
  /** Pages read at once (the run's jobs). */
  size: number;
  pageTimeoutMs: number;
  recycleAfterPages: number;
  idleTimeoutMs?: number;
}

export interface OcrEngineChoice {
  engine: OcrEngineName;
  /** Known before any page is read (version, languages, data folder, orientation check). */
  info: OcrEngineInfo;
  /** Why `auto` did not take the native engine; undefined when it did, or when one was named. */
  fallbackReason?: string;
  /** Starts nothing by itself: tesseract.js workers and tesseract processes start with the first page. */
  create(): OcrEngine;
}

/**
 * Picks the OCR engine once per run, before any file is read, so that a missing engine or
 * language is one configuration error (exit 2) and not a failure per file. `auto` takes the
 * installed tesseract when it is recent enough and has every language asked for, else
 * tesseract.js with its bundled English model, so that `npm install` alone still works offline.
 */
export async function chooseOcrEngine(settings: OcrEngineSettings): Promise<OcrEngineChoice> {
  if (settings.engine === 'tesseract.js') return await embedded(settings);
  const probe = await probeNativeTesseract(settings.tesseractPath ?? 'tesseract', settings.langPath);
  const missing = probe.found ? settings.languages.filter((language) => !probe.tesseract.languages.includes(language)) : [];
  if (settings.engine === 'tesseract') {
    if (!probe.found) {
      throw new DoccatError('E_OCR_ENGINE_MISSING', `ocr.engine is tesseract, but ${probe.reason}`, {
        hint: 'install tesseract 4.1 or newer (apt-get install tesseract-ocr tesseract-ocr-osd), set ocr.tesseractPath, or use --ocr-engine auto',
        exitCode: ExitCode.usage,
      });
    }
    if (missing.length > 0) throw missingLanguages(missing, probe);
    return await native(settings, probe);
  }
  if (probe.found && missing.length === 0) return await native(settings, probe);
  const fallbackReason = probe.found ? `tesseract ${probe.tesseract.version} has no ${missing.join('+')} data in ${probe.tesseract.dataPath}` : probe.reason;
  return { ...(await embedded(settings)), fallbackReason };
}

async function native(settings: OcrEngineSettings, probe: Extract<NativeProbe, { found: true }>): Promise<OcrEngineChoice> {
  const { NativeTesseractEngine } = await import('./native.js');
  const options = { tesseract: probe.tesseract, languages: settings.languages, size: settings.size, pageTimeoutMs: settings.pageTimeoutMs };
  return {
    engine: 'tesseract',
    info: { engine: 'tesseract', version: probe.tesseract.version, languages: settings.languages, dataPath: probe.tesseract.dataPath, orientation: probe.tesseract.languages.includes('osd') },
    create: () => new NativeTesseractEngine(options),
  };
}

async function embedded(settings: OcrEngineSettings): Promise<OcrEngineChoice> {
  const { OcrPool } = await import('./pool.js');
  const options = {
    languages: settings.languages,
    ...(settings.langPath ? { langPath: settings.langPath } : {}),
    size: settings.size,
    pageTimeoutMs: settings.pageTimeoutMs,
    recycleAfterPages: settings.recycleAfterPages,
    ...(settings.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: settings.idleTimeoutMs }),
  };
  const pool = new OcrPool(options);
  // Fails here, before any file, when the language data is missing.
  const info = pool.info;
  let created = false;
  return {
    engine: 'tesseract.js',
    info,
    create: () => {
      // The pool that checked the languages starts no worker until its first page: hand it over.
      if (created) return new OcrPool(options);
      created = true;
      return pool;
    },
  };
}

function missingLanguages(missing: string[], probe: Extract<NativeProbe, { found: true }>): DoccatError {
  return new DoccatError('E_OCR_LANGUAGE_MISSING', `tesseract ${probe.tesseract.version} has no ${missing.join('+')} data in ${probe.tesseract.dataPath}`, {
    hint: `install it (e.g. apt-get install ${missing.map((language) => `tesseract-ocr-${language.replace(/_/g, '-')}`).join(' ')}) or set ocr.langPath to a folder with ${missing.map((language) => `${language}.traineddata`).join(', ')}`,
    exitCode: ExitCode.usage,
  });
}
