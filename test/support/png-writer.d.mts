export function pngChunk(type: string, data: Uint8Array): Buffer;
export function pngFile(header: { width: number; height: number; bitDepth: number; colorType: number }, idat: Uint8Array, extra?: Buffer[]): Buffer;
