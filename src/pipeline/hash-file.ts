import { createHash } from 'node:crypto';
import fs from 'node:fs';

/** The sha256 and size of a file as it is on disk now (what an extraction process or a copy wrote). */
export async function hashFile(filePath: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of fs.createReadStream(filePath) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { sha256: hash.digest('hex'), size };
}
