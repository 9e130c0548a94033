// bmp-js ships no types; this is the part doccat uses.
declare module 'bmp-js' {
  interface DecodedBmp {
    width: number;
    height: number;
    /** Four bytes per pixel: A (always 0 from the decoder), B, G, R. */
    data: Buffer;
  }
  const bmp: { decode(buffer: Buffer): DecodedBmp };
  export default bmp;
}
