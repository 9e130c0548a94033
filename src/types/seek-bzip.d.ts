/** seek-bzip ships no types; decompress.ts describes the one function it calls. */
declare module 'seek-bzip';
