export function makeDocx(paragraphs: string[]): Buffer;
