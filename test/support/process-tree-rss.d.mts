export function processTree(rootPid: number): number[];
export function residentBytes(pid: number): number;
export function treeResidentBytes(rootPid: number): number;
export function sampleTreeRss(rootPid: number, intervalMs?: number): { readonly peakBytes: number; stop(): { peakBytes: number; peakProcesses: number; peakBreakdown: { pid: number; bytes: number }[] } };
