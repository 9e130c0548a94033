import { describe, expect, it } from 'vitest';
import { searchableName } from '../../../src/pipeline/export/export.js';

/** Where `export --searchable` puts a scan's searchable PDF: beside the original, as `get --searchable` names it. */
describe('searchableName', () => {
  it('replaces the extension of the last name only', () => {
    expect(searchableName('letter/2024-02-14_Northwind.png')).toBe('letter/2024-02-14_Northwind.searchable.pdf');
    expect(searchableName('scans/receipt (2).pdf')).toBe('scans/receipt (2).searchable.pdf');
    expect(searchableName('v1.2/contract')).toBe('v1.2/contract.searchable.pdf');
    expect(searchableName('contract')).toBe('contract.searchable.pdf');
  });
});
