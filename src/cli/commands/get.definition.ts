import { defineCommand, parsePositiveInt } from '../command-definition.js';
import type { GetFlags } from './get.js';

export const getDefinition = defineCommand<[id: string], GetFlags>({
  name: 'get',
  group: 'Find:',
  description: "write a document's original bytes (or its searchable PDF), verified against its sha256",
  arguments: [{ name: '<id>', description: 'document id, e.g. 12 or D12' }],
  options: [
    { flags: '-o, --output <file>', description: 'write to this file (- for stdout)' },
    { flags: '--searchable', description: 'the searchable PDF made from a scan (the pages with their OCR text), not the original' },
    { flags: '--url', description: 'print where the original (or with --searchable, the searchable PDF) is: a signed URL (S3) or a file path (local)' },
    { flags: '--expires <seconds>', description: 'how long a signed URL stays valid (default: the backend\'s presignExpirySeconds)', parse: parsePositiveInt },
  ],
  help: `
Examples:
  $ doccat get 12 -o invoice.pdf
  $ doccat get D12 -o - | pdftotext - -
  $ doccat get 12 --searchable -o scan.searchable.pdf
  $ doccat get 12 --url --expires 600
A document without a searchable PDF (born-digital, or made with --no-searchable-pdf) exits 2 with
E_NO_SEARCHABLE_PDF.`,
  run: async (id, options, command) => (await import('./get.js')).getCommand(id, options, command),
});
