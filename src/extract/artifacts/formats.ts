/**
 * Which MIME types are artifacts rather than documents (ingest.unknownFiles governs them), and
 * which of those doccat reads more from than the bytes (executables, archives). Reports (SBOMs,
 * test and coverage reports) are documents with text that also carry fields.
 */

export const EXECUTABLE_TYPES = ['application/x-elf', 'application/x-msdownload', 'application/x-mach-binary'] as const;

/** Listed from their directory or streamed through (archive.ts). */
export const LISTED_ARCHIVE_TYPES = ['application/zip', 'application/java-archive', 'application/x-tar', 'application/gzip', 'application/x-bzip2', 'application/x-xz', 'application/zstd', 'application/x-deb', 'application/x-rpm'] as const;

/** Archives recognised but not opened: their format is recorded, nothing else. */
export const OTHER_ARCHIVE_TYPES: Readonly<Record<string, string>> = {
  'application/x-7z-compressed': '7z',
  'application/x-rar-compressed': 'rar',
  'application/vnd.ms-cab-compressed': 'cab',
  'application/x-lzip': 'lzip',
  'application/x-lz4': 'lz4',
  'application/x-cpio': 'cpio',
  'application/x-unix-archive': 'ar',
  'application/x-asar': 'asar',
  'application/x-lzh-compressed': 'lzh',
  'application/x-arj': 'arj',
};

export const REPORT_TYPES = ['application/vnd.cyclonedx+json', 'application/spdx+json', 'application/x-junit+xml', 'application/x-cobertura+xml', 'application/x-istanbul-coverage+json', 'text/x-lcov'] as const;

const ARTIFACT_READERS = new Set<string>([...EXECUTABLE_TYPES, ...LISTED_ARCHIVE_TYPES, ...Object.keys(OTHER_ARCHIVE_TYPES)]);

/** Executables and archives: catalogued as artifacts, subject to ingest.unknownFiles. */
export function isArtifactType(mime: string): boolean {
  return ARTIFACT_READERS.has(mime);
}
