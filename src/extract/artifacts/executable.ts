import type { ExtractInput, ExtractResult } from '../extractor.js';
import { ByteReader, cString, malformed } from './byte-reader.js';

/**
 * Executables (ELF, PE, Mach-O) read from their headers only: format, architecture, bitness,
 * kind, stripped or not, build id (ELF's GNU build-id note, PE's CodeView GUID and age as
 * symbol servers key them, Mach-O's LC_UUID), and the libraries they load. Each table read is
 * bounded by ByteReader: counts and offsets come from the file and are checked before reading.
 */

interface ExecutableFacts {
  format: 'elf' | 'pe' | 'macho';
  arch: string;
  bits: 32 | 64;
  endian?: 'little' | 'big';
  kind: string;
  stripped?: boolean;
  buildId?: string;
  interpreter?: string;
  libraries: string[];
  extra: Record<string, string>;
}

const MAX_LIBRARIES = 200;

export async function extractExecutable(input: ExtractInput): Promise<ExtractResult> {
  const reader = await ByteReader.open(input.path);
  try {
    const head = await reader.readUpTo(0, 64);
    const facts = head.subarray(0, 4).equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]))
      ? await readElf(reader, head)
      : head.subarray(0, 2).toString('latin1') === 'MZ'
        ? await readPe(reader, head)
        : await readMachO(reader, head);
    return toResult(facts, input.size);
  } finally {
    await reader.close();
  }
}

function toResult(facts: ExecutableFacts, size: number): ExtractResult {
  const fields: Record<string, string> = {
    'executable.format': facts.format,
    'executable.arch': facts.arch,
    'executable.bits': String(facts.bits),
    'executable.kind': facts.kind,
    ...(facts.stripped === undefined ? {} : { 'executable.stripped': String(facts.stripped) }),
    ...(facts.buildId ? { 'executable.build_id': facts.buildId } : {}),
    ...(facts.interpreter ? { 'executable.interpreter': facts.interpreter } : {}),
    ...facts.extra,
  };
  const summary = [
    `${facts.format.toUpperCase()} ${facts.bits}-bit ${facts.arch} ${facts.kind}`,
    facts.interpreter ? `interpreter ${facts.interpreter}` : facts.format === 'elf' && facts.libraries.length === 0 ? 'statically linked' : '',
    facts.stripped === undefined ? '' : facts.stripped ? 'stripped' : 'not stripped',
    facts.buildId ? `build id ${facts.buildId}` : '',
    `${size} bytes`,
  ].filter(Boolean).join(', ');
  const text = [summary, ...(facts.libraries.length > 0 ? [`libraries: ${facts.libraries.join(' ')}`] : [])].join('\n');
  return { text, pages: 0, method: 'none', ocrConfidence: null, ocrPages: 0, metadata: {}, warnings: [], artifact: { type: 'executable', fields } };
}

const ELF_MACHINES: Record<number, string> = { 3: 'i386', 8: 'mips', 20: 'powerpc', 21: 'powerpc64', 22: 's390x', 40: 'arm', 43: 'sparcv9', 62: 'x86_64', 183: 'aarch64', 243: 'riscv', 258: 'loongarch' };

async function readElf(reader: ByteReader, head: Buffer): Promise<ExecutableFacts> {
  if (head.length < 52) throw malformed('the ELF header is cut short');
  const bits = head[4] === 2 ? 64 : head[4] === 1 ? 32 : undefined;
  const little = head[5] === 1 ? true : head[5] === 2 ? false : undefined;
  if (bits === undefined || little === undefined) throw malformed('the ELF header names no valid class or byte order');
  const u16 = (buffer: Buffer, offset: number) => (little ? buffer.readUInt16LE(offset) : buffer.readUInt16BE(offset));
  const u32 = (buffer: Buffer, offset: number) => (little ? buffer.readUInt32LE(offset) : buffer.readUInt32BE(offset));
  const word = (buffer: Buffer, offset: number) => (bits === 64 ? Number(little ? buffer.readBigUInt64LE(offset) : buffer.readBigUInt64BE(offset)) : u32(buffer, offset));
  const type = u16(head, 16);
  const machine = u16(head, 18);
  const phoff = word(head, bits === 64 ? 32 : 28);
  const shoff = word(head, bits === 64 ? 40 : 32);
  const at = bits === 64 ? 54 : 42;
  const phentsize = u16(head, at);
  const phnum = u16(head, at + 2);
  const shentsize = u16(head, at + 4);
  const shnum = u16(head, at + 6);
  const shstrndx = u16(head, at + 8);

  let interpreter: string | undefined;
  let dynamic: { offset: number; size: number } | undefined;
  if (phoff > 0 && phnum > 0 && phentsize >= (bits === 64 ? 56 : 32)) {
    const table = await reader.read(phoff, phnum * phentsize);
    for (let index = 0; index < phnum; index += 1) {
      const entry = index * phentsize;
      const pType = u32(table, entry);
      const offset = bits === 64 ? word(table, entry + 8) : u32(table, entry + 4);
      const fileSize = bits === 64 ? word(table, entry + 32) : u32(table, entry + 16);
      if (pType === 3 && fileSize > 0 && fileSize < 4096) interpreter = cString(await reader.read(offset, fileSize), 0);
      if (pType === 2) dynamic = { offset, size: fileSize };
    }
  }

  let stripped: boolean | undefined;
  let buildId: string | undefined;
  const sections: { name: string; type: number; offset: number; size: number; link: number }[] = [];
  if (shoff > 0 && shnum > 0 && shentsize >= (bits === 64 ? 64 : 40)) {
    const table = await reader.read(shoff, shnum * shentsize);
    for (let index = 0; index < shnum; index += 1) {
      const entry = index * shentsize;
      sections.push({
        name: String(u32(table, entry)),
        type: u32(table, entry + 4),
        offset: bits === 64 ? word(table, entry + 24) : u32(table, entry + 16),
        size: bits === 64 ? word(table, entry + 32) : u32(table, entry + 20),
        link: u32(table, entry + (bits === 64 ? 40 : 24)),
      });
    }
    const names = sections[shstrndx];
    if (names && names.type === 3) {
      const strings = await reader.read(names.offset, names.size, 1024 * 1024);
      for (const section of sections) section.name = cString(strings, Number(section.name), 256);
    }
    // A symbol table (SHT_SYMTAB) is what strip removes; .dynsym stays for the loader.
    stripped = !sections.some((section) => section.type === 2);
    const note = sections.find((section) => section.name === '.note.gnu.build-id');
    if (note && note.size >= 16 && note.size < 1024) buildId = gnuBuildId(await reader.read(note.offset, note.size), u32);
  }
  // Without section headers (sstrip) the build id is still in a PT_NOTE; rare enough to leave.

  const libraries: string[] = [];
  if (dynamic && dynamic.size > 0) {
    const dynstr = sections.find((section) => section.name === '.dynstr');
    if (dynstr) {
      const entries = await reader.read(dynamic.offset, Math.min(dynamic.size, 1024 * 1024));
      const strings = await reader.read(dynstr.offset, dynstr.size, 4 * 1024 * 1024);
      const step = bits === 64 ? 16 : 8;
      for (let entry = 0; entry + step <= entries.length && libraries.length < MAX_LIBRARIES; entry += step) {
        const tag = word(entries, entry);
        if (tag === 0) break;
        // DT_NEEDED: a library this file loads, named in .dynstr.
        if (tag === 1) libraries.push(cString(strings, word(entries, entry + step / 2), 256));
      }
    }
  }
  const kind = type === 1 ? 'object' : type === 2 ? 'executable' : type === 3 ? (interpreter ? 'pie-executable' : 'shared-library') : type === 4 ? 'core-dump' : `type-${type}`;
  return { format: 'elf', arch: ELF_MACHINES[machine] ?? `machine-${machine}`, bits, endian: little ? 'little' : 'big', kind, ...(stripped === undefined ? {} : { stripped }), ...(buildId ? { buildId } : {}), ...(interpreter ? { interpreter } : {}), libraries, extra: {} };
}

function gnuBuildId(note: Buffer, u32: (buffer: Buffer, offset: number) => number): string | undefined {
  const nameSize = u32(note, 0);
  const descSize = u32(note, 4);
  const type = u32(note, 8);
  const descStart = 12 + Math.ceil(nameSize / 4) * 4;
  // NT_GNU_BUILD_ID (3), owner "GNU".
  if (type !== 3 || descStart + descSize > note.length || descSize > 64) return undefined;
  return note.subarray(descStart, descStart + descSize).toString('hex');
}

const PE_MACHINES: Record<number, string> = { 0x14c: 'i386', 0x8664: 'x86_64', 0xaa64: 'aarch64', 0x1c4: 'arm', 0x200: 'ia64', 0x5064: 'riscv64' };
const PE_SUBSYSTEMS: Record<number, string> = { 1: 'native', 2: 'windows-gui', 3: 'windows-console', 9: 'windows-ce', 10: 'efi-application', 11: 'efi-boot-driver', 12: 'efi-runtime-driver' };

async function readPe(reader: ByteReader, head: Buffer): Promise<ExecutableFacts> {
  const peOffset = head.readUInt32LE(0x3c);
  const header = await reader.read(peOffset, 24);
  if (header.toString('latin1', 0, 4) !== 'PE\0\0') throw malformed('an MZ file without a PE header (DOS programs are not read)');
  const machine = header.readUInt16LE(4);
  const sectionCount = header.readUInt16LE(6);
  const timestamp = header.readUInt32LE(8);
  const symbolCount = header.readUInt32LE(16);
  const optionalSize = header.readUInt16LE(20);
  const characteristics = header.readUInt16LE(22);
  const optional = await reader.read(peOffset + 24, optionalSize, 4096);
  const magic = optional.length >= 2 ? optional.readUInt16LE(0) : 0;
  const bits = magic === 0x20b ? 64 : 32;
  const subsystem = optional.length >= 70 ? optional.readUInt16LE(68) : 0;
  const directories = bits === 64 ? 112 : 96;
  const directory = (index: number) => (optional.length >= directories + 8 * (index + 1) ? { rva: optional.readUInt32LE(directories + 8 * index), size: optional.readUInt32LE(directories + 8 * index + 4) } : { rva: 0, size: 0 });
  const sectionTable = await reader.read(peOffset + 24 + optionalSize, Math.min(sectionCount, 96) * 40);
  const toOffset = (rva: number): number | undefined => {
    for (let index = 0; index + 40 <= sectionTable.length; index += 40) {
      const virtualAddress = sectionTable.readUInt32LE(index + 12);
      const rawSize = sectionTable.readUInt32LE(index + 16);
      const rawPointer = sectionTable.readUInt32LE(index + 20);
      if (rva >= virtualAddress && rva < virtualAddress + rawSize) return rawPointer + rva - virtualAddress;
    }
    return undefined;
  };
  let buildId: string | undefined;
  let pdb: string | undefined;
  const debug = directory(6);
  const debugOffset = debug.size > 0 ? toOffset(debug.rva) : undefined;
  if (debugOffset !== undefined) {
    const entries = await reader.read(debugOffset, Math.min(debug.size, 28 * 64));
    for (let entry = 0; entry + 28 <= entries.length; entry += 28) {
      // IMAGE_DEBUG_TYPE_CODEVIEW: "RSDS", GUID, age, PDB path.
      if (entries.readUInt32LE(entry + 12) !== 2) continue;
      const size = entries.readUInt32LE(entry + 16);
      const pointer = entries.readUInt32LE(entry + 24);
      if (size < 24 || size > 4096) continue;
      const codeView = await reader.read(pointer, size);
      if (codeView.toString('latin1', 0, 4) !== 'RSDS') continue;
      const guid = codeView.subarray(4, 20);
      // Symbol servers key a PDB by GUID (its first three parts little-endian) and age.
      const guidText = [guid.readUInt32LE(0).toString(16).padStart(8, '0'), guid.readUInt16LE(4).toString(16).padStart(4, '0'), guid.readUInt16LE(6).toString(16).padStart(4, '0'), guid.subarray(8).toString('hex')].join('');
      buildId = `${guidText}${codeView.readUInt32LE(20).toString(16)}`.toUpperCase();
      pdb = cString(codeView, 24, 1024);
      break;
    }
  }
  const dll = (characteristics & 0x2000) !== 0;
  const dotnet = directory(14).size > 0;
  const stripped = (characteristics & 0x0200) !== 0 || (buildId === undefined && symbolCount === 0);
  return {
    format: 'pe',
    arch: PE_MACHINES[machine] ?? `machine-0x${machine.toString(16)}`,
    bits,
    endian: 'little',
    kind: dll ? 'shared-library' : (characteristics & 0x0002) !== 0 ? 'executable' : 'object',
    stripped,
    ...(buildId ? { buildId } : {}),
    libraries: [],
    extra: {
      ...(PE_SUBSYSTEMS[subsystem] ? { 'executable.subsystem': PE_SUBSYSTEMS[subsystem] as string } : {}),
      ...(dotnet ? { 'executable.runtime': 'dotnet' } : {}),
      ...(pdb ? { 'executable.pdb': pdb } : {}),
      // Reproducible builds put a hash here instead of a time; only plausible times are dates.
      ...(timestamp > 631152000 && timestamp < 4102444800 ? { 'executable.linked_at': new Date(timestamp * 1000).toISOString() } : {}),
    },
  };
}

const MACHO_CPUS: Record<number, string> = { 7: 'i386', 0x01000007: 'x86_64', 12: 'arm', 0x0100000c: 'aarch64', 0x0200000c: 'arm64_32', 18: 'powerpc', 0x01000012: 'powerpc64' };
const MACHO_KINDS: Record<number, string> = { 1: 'object', 2: 'executable', 6: 'shared-library', 7: 'dynamic-linker', 8: 'bundle', 10: 'debug-symbols', 11: 'kext' };

async function readMachO(reader: ByteReader, head: Buffer): Promise<ExecutableFacts> {
  const magic = head.readUInt32BE(0);
  if (magic === 0xcafebabe || magic === 0xcafebabf) {
    // A universal binary: the facts of its first slice, and every architecture it holds.
    const count = head.readUInt32BE(4);
    if (count === 0 || count > 32) throw malformed(`a universal binary of ${count} architectures`);
    const wide = magic === 0xcafebabf;
    const table = await reader.read(8, count * (wide ? 32 : 20));
    const arches: string[] = [];
    let first: { offset: number } | undefined;
    for (let index = 0; index < count; index += 1) {
      const entry = index * (wide ? 32 : 20);
      arches.push(MACHO_CPUS[table.readUInt32BE(entry)] ?? `cpu-${table.readUInt32BE(entry)}`);
      first ??= { offset: wide ? Number(table.readBigUInt64BE(entry + 8)) : table.readUInt32BE(entry + 8) };
    }
    const slice = await readMachOSlice(reader, (first as { offset: number }).offset);
    return { ...slice, arch: arches.join(','), extra: { ...slice.extra, 'executable.universal': 'true' } };
  }
  return readMachOSlice(reader, 0);
}

async function readMachOSlice(reader: ByteReader, base: number): Promise<ExecutableFacts> {
  const header = await reader.read(base, 32);
  const magic = header.readUInt32LE(0);
  const little = magic === 0xfeedface || magic === 0xfeedfacf;
  const swapped = magic === 0xcefaedfe || magic === 0xcffaedfe;
  const magicBE = header.readUInt32BE(0);
  if (!little && !swapped && magicBE !== 0xfeedface && magicBE !== 0xfeedfacf) throw malformed('not an ELF, PE or Mach-O header');
  const le = little;
  const u32 = (buffer: Buffer, offset: number) => (le ? buffer.readUInt32LE(offset) : buffer.readUInt32BE(offset));
  const bits = (le ? magic : magicBE) === 0xfeedfacf ? 64 : 32;
  const cpu = u32(header, 4);
  const fileType = u32(header, 12);
  const commands = u32(header, 16);
  const commandBytes = u32(header, 20);
  const table = await reader.read(base + (bits === 64 ? 32 : 28), commandBytes, 4 * 1024 * 1024);
  let buildId: string | undefined;
  let symbols: number | undefined;
  let localSymbols: number | undefined;
  const libraries: string[] = [];
  for (let index = 0, offset = 0; index < commands && offset + 8 <= table.length; index += 1) {
    const command = u32(table, offset);
    const size = u32(table, offset + 4);
    if (size < 8 || offset + size > table.length) break;
    if (command === 0x1b && size >= 24) {
      const uuid = table.subarray(offset + 8, offset + 24).toString('hex').toUpperCase();
      buildId = `${uuid.slice(0, 8)}-${uuid.slice(8, 12)}-${uuid.slice(12, 16)}-${uuid.slice(16, 20)}-${uuid.slice(20)}`;
    } else if (command === 0x2 && size >= 24) symbols = u32(table, offset + 12);
    else if (command === 0xb && size >= 20) localSymbols = u32(table, offset + 12);
    // LC_LOAD_DYLIB, LC_LOAD_WEAK_DYLIB, LC_REEXPORT_DYLIB: name at the offset the command gives.
    else if ((command === 0xc || command === 0x80000018 || command === 0x8000001f) && libraries.length < MAX_LIBRARIES) libraries.push(cString(table.subarray(offset, offset + size), u32(table, offset + 8), 1024));
    offset += size;
  }
  // strip removes the local symbols; the loader's undefined and exported ones stay.
  const stripped = localSymbols !== undefined ? localSymbols === 0 : symbols === undefined || symbols === 0;
  return { format: 'macho', arch: MACHO_CPUS[cpu] ?? `cpu-${cpu}`, bits, endian: le ? 'little' : 'big', kind: MACHO_KINDS[fileType] ?? `type-${fileType}`, stripped, ...(buildId ? { buildId } : {}), libraries, extra: {} };
}
