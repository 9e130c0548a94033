import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { strToU8, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { extractArchive } from '../../../src/extract/artifacts/archive.js';
import { extractExecutable } from '../../../src/extract/artifacts/executable.js';
import type { ExtractInput, ExtractOptions } from '../../../src/extract/extractor.js';
import { tempDir } from '../../support/cli.js';

const OPTIONS: ExtractOptions = { ocrEnabled: false, renderDpi: 300, maxPagePixels: 1, minTextCharsPerPage: 1, pdfPasswords: [], maxPages: 10, maxImagePixels: 1, maxUnpackedBytes: 1, maxTextBytes: 1 << 20 };

function input(filePath: string, mime: string, options: Partial<ExtractOptions> = {}): ExtractInput {
  return { path: filePath, mime, size: fs.statSync(filePath).size, options: { ...OPTIONS, ...options }, ocr: () => { throw new Error('no OCR here'); }, signal: new AbortController().signal };
}

function hasTool(tool: string): boolean {
  try {
    execFileSync(tool, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A folder with a package/package.json and a file, tarred with the given compressor flag. */
function npmTarball(flag: string, name: string): string {
  const work = tempDir('doccat-tar-');
  fs.mkdirSync(path.join(work, 'package', 'lib'), { recursive: true });
  fs.writeFileSync(path.join(work, 'package', 'package.json'), JSON.stringify({ name: 'left-pad', version: '1.3.0' }));
  fs.writeFileSync(path.join(work, 'package', 'lib', `a-very-long-directory-name-${'x'.repeat(120)}.js`), 'module.exports = 1;\n');
  const output = path.join(tempDir(), name);
  execFileSync('tar', [flag, '-cf', output, '-C', work, 'package']);
  return output;
}

describe('archive listings', () => {
  for (const [flag, format, tool] of [['--gzip', 'tar.gz', 'gzip'], ['--xz', 'tar.xz', 'xz'], ['--zstd', 'tar.zst', 'zstd'], ['--bzip2', 'tar.bz2', 'bzip2']] as const) {
    it.skipIf(!hasTool(tool))(`lists a ${format} and reads the npm package in it (long names included)`, async () => {
      const file = npmTarball(flag, `left-pad.${format}`);
      const result = await extractArchive(input(file, 'application/octet-stream'));
      expect(result.artifact).toMatchObject({ type: 'package', fields: { 'archive.format': format, 'package.ecosystem': 'npm', 'package.name': 'left-pad', 'package.version': '1.3.0' } });
      expect(result.text).toContain(`package/lib/a-very-long-directory-name-${'x'.repeat(120)}.js 20`);
    });
  }

  it('reads a jar built by Maven and a NuGet package from their zip directories', async () => {
    const jar = path.join(tempDir(), 'lib.jar');
    fs.writeFileSync(jar, zipSync({ 'META-INF/MANIFEST.MF': strToU8('Manifest-Version: 1.0\r\nImplementation-Title: ignored\r\n'), 'META-INF/maven/org.acme/widgets/pom.properties': strToU8('groupId=org.acme\nartifactId=widgets\nversion=2.1.0\n'), 'org/acme/Widget.class': new Uint8Array([0xca, 0xfe, 0xba, 0xbe]) }));
    expect((await extractArchive(input(jar, 'application/java-archive'))).artifact?.fields).toMatchObject({ 'archive.format': 'jar', 'package.ecosystem': 'maven', 'package.name': 'org.acme:widgets', 'package.version': '2.1.0' });
    const nupkg = path.join(tempDir(), 'Acme.Tools.1.0.0.nupkg');
    fs.writeFileSync(nupkg, zipSync({ 'Acme.Tools.nuspec': strToU8('<package><metadata><id>Acme.Tools</id><version>1.0.0</version></metadata></package>'), 'lib/net8.0/Acme.Tools.dll': new Uint8Array(10) }));
    expect((await extractArchive(input(nupkg, 'application/zip'))).artifact?.fields).toMatchObject({ 'archive.format': 'nupkg', 'package.ecosystem': 'nuget', 'package.name': 'Acme.Tools' });
  });

  it('reads a .deb: its control file and what it installs', async () => {
    const work = tempDir('doccat-deb-');
    fs.mkdirSync(path.join(work, 'control'));
    fs.writeFileSync(path.join(work, 'control', 'control'), 'Package: acme-tool\nVersion: 1.4-2\nArchitecture: amd64\nMaintainer: Acme <ops@acme.test>\nDescription: the acme tool\n more text\n');
    fs.mkdirSync(path.join(work, 'data', 'usr', 'bin'), { recursive: true });
    fs.writeFileSync(path.join(work, 'data', 'usr', 'bin', 'acme-tool'), '#!/bin/sh\necho acme\n');
    execFileSync('tar', ['-czf', path.join(work, 'control.tar.gz'), '-C', path.join(work, 'control'), './control']);
    execFileSync('tar', ['-cJf', path.join(work, 'data.tar.xz'), '-C', path.join(work, 'data'), './usr']);
    // ar: a global header, then a 60-byte header per member, data padded to an even length.
    const member = (name: string, data: Buffer) => {
      const header = Buffer.alloc(60, ' ');
      header.write(name, 0, 'latin1');
      header.write('0', 16);
      header.write('0', 28);
      header.write('0', 34);
      header.write('100644', 40);
      header.write(String(data.length), 48);
      header.write('`\n', 58, 'latin1');
      return Buffer.concat([header, data, data.length % 2 === 1 ? Buffer.from('\n') : Buffer.alloc(0)]);
    };
    const deb = path.join(work, 'acme-tool_1.4-2_amd64.deb');
    fs.writeFileSync(deb, Buffer.concat([Buffer.from('!<arch>\n'), member('debian-binary', Buffer.from('2.0\n')), member('control.tar.gz', fs.readFileSync(path.join(work, 'control.tar.gz'))), member('data.tar.xz', fs.readFileSync(path.join(work, 'data.tar.xz')))]));
    const result = await extractArchive(input(deb, 'application/x-deb'));
    expect(result.artifact).toMatchObject({ type: 'package', title: 'acme-tool 1.4-2', fields: { 'archive.format': 'deb', 'package.ecosystem': 'deb', 'package.name': 'acme-tool', 'package.version': '1.4-2', 'package.arch': 'amd64', 'package.summary': 'the acme tool' } });
    expect(result.text).toContain('usr/bin/acme-tool 20');
  });

  it('reads an .rpm from its header: name, version-release, arch and files', async () => {
    // Header entries: tag, type, offset into the store, count. Types: 4 int32, 6 string, 8 string array.
    const store: Buffer[] = [];
    let storeLength = 0;
    const index: Buffer[] = [];
    const add = (tag: number, type: number, data: Buffer, count: number) => {
      if (type === 4) {
        const pad = (4 - (storeLength % 4)) % 4;
        store.push(Buffer.alloc(pad));
        storeLength += pad;
      }
      const entry = Buffer.alloc(16);
      entry.writeUInt32BE(tag, 0);
      entry.writeUInt32BE(type, 4);
      entry.writeUInt32BE(storeLength, 8);
      entry.writeUInt32BE(count, 12);
      index.push(entry);
      store.push(data);
      storeLength += data.length;
    };
    const strings = (...values: string[]) => Buffer.from(values.map((value) => `${value}\0`).join(''), 'latin1');
    const ints = (...values: number[]) => Buffer.concat(values.map((value) => { const out = Buffer.alloc(4); out.writeUInt32BE(value); return out; }));
    add(1000, 6, strings('acme-tool'), 1);
    add(1001, 6, strings('1.4'), 1);
    add(1002, 6, strings('2.el9'), 1);
    add(1022, 6, strings('x86_64'), 1);
    add(1028, 4, ints(1234, 56), 2);
    add(1116, 4, ints(0, 1), 2);
    add(1117, 8, strings('acme-tool', 'acme.conf'), 2);
    add(1118, 8, strings('/usr/bin/', '/etc/'), 2);
    const header = (entries: Buffer[], data: Buffer[]) => {
      const intro = Buffer.alloc(16);
      intro.writeUInt32BE(0x8eade801, 0);
      intro.writeUInt32BE(entries.length, 8);
      intro.writeUInt32BE(Buffer.concat(data).length, 12);
      return Buffer.concat([intro, ...entries, ...data]);
    };
    const lead = Buffer.alloc(96);
    lead.writeUInt32BE(0xedabeedb, 0);
    const signature = header([], []);
    const file = path.join(tempDir(), 'acme-tool-1.4-2.el9.x86_64.rpm');
    fs.writeFileSync(file, Buffer.concat([lead, signature, Buffer.alloc((8 - (signature.length % 8)) % 8), header(index, store), Buffer.from('payload')]));
    const result = await extractArchive(input(file, 'application/x-rpm'));
    expect(result.artifact?.fields).toMatchObject({ 'archive.format': 'rpm', 'package.ecosystem': 'rpm', 'package.name': 'acme-tool', 'package.version': '1.4-2.el9', 'package.arch': 'x86_64', 'archive.files': '2' });
    expect(result.text).toContain('usr/bin/acme-tool 1234');
    expect(result.text).toContain('etc/acme.conf 56');
  });

  it('lists a zip bomb from its directory without inflating it', async () => {
    // 512 MB of zeros deflate to about half a megabyte; only the directory is read.
    const file = path.join(tempDir(), 'bomb.zip');
    const deflater = zlib.deflateRawSync(Buffer.alloc(64 * 1024 * 1024), { level: 9 });
    const entries = Array.from({ length: 8 }, (_, index) => `layer-${index}.bin`);
    const central: Buffer[] = [];
    const locals: Buffer[] = [];
    let offset = 0;
    for (const name of entries) {
      const local = Buffer.alloc(30 + name.length);
      local.writeUInt32LE(0x04034b50, 0);
      local.writeUInt16LE(8, 8);
      local.writeUInt32LE(deflater.length, 18);
      local.writeUInt32LE(64 * 1024 * 1024, 22);
      local.writeUInt16LE(name.length, 26);
      local.write(name, 30, 'latin1');
      const record = Buffer.alloc(46 + name.length);
      record.writeUInt32LE(0x02014b50, 0);
      record.writeUInt16LE(8, 10);
      record.writeUInt32LE(deflater.length, 20);
      record.writeUInt32LE(64 * 1024 * 1024, 24);
      record.writeUInt16LE(name.length, 28);
      record.writeUInt32LE(offset, 42);
      record.write(name, 46, 'latin1');
      locals.push(local, deflater);
      central.push(record);
      offset += local.length + deflater.length;
    }
    const directory = Buffer.concat(central);
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(entries.length, 8);
    end.writeUInt16LE(entries.length, 10);
    end.writeUInt32LE(directory.length, 12);
    end.writeUInt32LE(offset, 16);
    fs.writeFileSync(file, Buffer.concat([...locals, directory, end]));
    const before = process.memoryUsage().rss;
    const result = await extractArchive(input(file, 'application/zip'));
    expect(result.artifact?.fields).toMatchObject({ 'archive.entries': '8', 'archive.unpacked_size': String(8 * 64 * 1024 * 1024) });
    expect(process.memoryUsage().rss - before).toBeLessThan(100 * 1024 * 1024);
  });

  it('cuts the listing of a tar.gz bomb at its byte budget, with a warning, instead of failing', async () => {
    const work = tempDir('doccat-bomb-');
    fs.writeFileSync(path.join(work, 'zeros.bin'), Buffer.alloc(32 * 1024 * 1024));
    fs.writeFileSync(path.join(work, 'zz-after.txt'), 'after the zeros\n');
    const file = path.join(tempDir(), 'bomb.tar.gz');
    execFileSync('tar', ['-czf', file, '-C', work, 'zeros.bin', 'zz-after.txt']);
    expect(fs.statSync(file).size).toBeLessThan(1024 * 1024);
    const result = await extractArchive(input(file, 'application/gzip', { maxListBytes: 4 * 1024 * 1024 }));
    expect(result.warnings.map((warning) => warning.code)).toEqual(['W_LISTING_TRUNCATED']);
    expect(result.artifact?.fields).toMatchObject({ 'archive.truncated': 'true', 'archive.entries': '1' });
    const whole = await extractArchive(input(file, 'application/gzip'));
    expect(whole.artifact?.fields['archive.entries']).toBe('2');
    expect(whole.warnings).toEqual([]);
  });

  it('lists names past maxListEntries only as a count', async () => {
    const files: Record<string, Uint8Array> = {};
    for (let index = 0; index < 50; index += 1) files[`f${index}.txt`] = strToU8('x');
    const file = path.join(tempDir(), 'many.zip');
    fs.writeFileSync(file, zipSync(files));
    const result = await extractArchive(input(file, 'application/zip', { maxListEntries: 10 }));
    expect(result.artifact?.fields['archive.entries']).toBe('50');
    expect(result.text.split('\n')).toHaveLength(11);
    expect(result.warnings[0]?.code).toBe('W_LISTING_TRUNCATED');
  });

  it('fails a damaged archive as malformed', async () => {
    const file = path.join(tempDir(), 'cut.zip');
    fs.writeFileSync(file, zipSync({ 'a.txt': strToU8('hello') }).subarray(0, 20));
    await expect(extractArchive(input(file, 'application/zip'))).rejects.toMatchObject({ code: 'E_MALFORMED' });
  });
});

describe('executable headers', () => {
  it('reads a PE32+ DLL with its CodeView build id', async () => {
    // DOS stub, PE header, optional header (PE32+), one section holding the debug directory.
    const file = Buffer.alloc(0x600);
    file.write('MZ', 0, 'latin1');
    file.writeUInt32LE(0x80, 0x3c);
    file.write('PE\0\0', 0x80, 'latin1');
    file.writeUInt16LE(0x8664, 0x84);
    file.writeUInt16LE(1, 0x86);
    file.writeUInt16LE(240, 0x94);
    file.writeUInt16LE(0x2022, 0x96);
    const optional = 0x98;
    file.writeUInt16LE(0x20b, optional);
    file.writeUInt16LE(3, optional + 68);
    file.writeUInt32LE(0x1000, optional + 112 + 8 * 6);
    file.writeUInt32LE(28, optional + 112 + 8 * 6 + 4);
    const section = optional + 240;
    file.write('.rdata', section, 'latin1');
    file.writeUInt32LE(0x1000, section + 12);
    file.writeUInt32LE(0x200, section + 16);
    file.writeUInt32LE(0x200, section + 20);
    file.writeUInt32LE(2, 0x200 + 12);
    file.writeUInt32LE(24 + 9, 0x200 + 16);
    file.writeUInt32LE(0x300, 0x200 + 24);
    file.write('RSDS', 0x300, 'latin1');
    Buffer.from('00112233445566778899aabbccddeeff', 'hex').copy(file, 0x304);
    file.writeUInt32LE(1, 0x314);
    file.write('acme.pdb\0', 0x318, 'latin1');
    const filePath = path.join(tempDir(), 'acme.dll');
    fs.writeFileSync(filePath, file);
    const result = await extractExecutable(input(filePath, 'application/x-msdownload'));
    expect(result.artifact?.fields).toMatchObject({ 'executable.format': 'pe', 'executable.arch': 'x86_64', 'executable.bits': '64', 'executable.kind': 'shared-library', 'executable.build_id': '33221100554477668899AABBCCDDEEFF1', 'executable.pdb': 'acme.pdb', 'executable.subsystem': 'windows-console' });
  });

  it('reads a 64-bit Mach-O executable: architecture, UUID, libraries, stripped', async () => {
    const commands: Buffer[] = [];
    const uuid = Buffer.alloc(24);
    uuid.writeUInt32LE(0x1b, 0);
    uuid.writeUInt32LE(24, 4);
    Buffer.from('0123456789abcdef0123456789abcdef', 'hex').copy(uuid, 8);
    commands.push(uuid);
    const dylibName = '/usr/lib/libSystem.B.dylib\0';
    const dylib = Buffer.alloc(24 + Math.ceil(dylibName.length / 8) * 8);
    dylib.writeUInt32LE(0xc, 0);
    dylib.writeUInt32LE(dylib.length, 4);
    dylib.writeUInt32LE(24, 8);
    dylib.write(dylibName, 24, 'latin1');
    commands.push(dylib);
    const dysymtab = Buffer.alloc(80);
    dysymtab.writeUInt32LE(0xb, 0);
    dysymtab.writeUInt32LE(80, 4);
    dysymtab.writeUInt32LE(0, 12);
    commands.push(dysymtab);
    const body = Buffer.concat(commands);
    const header = Buffer.alloc(32);
    header.writeUInt32LE(0xfeedfacf, 0);
    header.writeUInt32LE(0x0100000c, 4);
    header.writeUInt32LE(2, 12);
    header.writeUInt32LE(commands.length, 16);
    header.writeUInt32LE(body.length, 20);
    const filePath = path.join(tempDir(), 'tool');
    fs.writeFileSync(filePath, Buffer.concat([header, body]));
    const result = await extractExecutable(input(filePath, 'application/x-mach-binary'));
    expect(result.artifact?.fields).toMatchObject({ 'executable.format': 'macho', 'executable.arch': 'aarch64', 'executable.bits': '64', 'executable.kind': 'executable', 'executable.stripped': 'true', 'executable.build_id': '01234567-89AB-CDEF-0123-456789ABCDEF' });
    expect(result.text).toContain('libraries: /usr/lib/libSystem.B.dylib');
  });

  it('refuses an ELF whose tables lie outside the file', async () => {
    const elf = Buffer.alloc(64);
    Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]).copy(elf);
    elf.writeUInt16LE(2, 16);
    elf.writeUInt16LE(62, 18);
    elf.writeBigUInt64LE(10n ** 12n, 40);
    elf.writeUInt16LE(64, 58);
    elf.writeUInt16LE(30, 60);
    const filePath = path.join(tempDir(), 'lying.elf');
    fs.writeFileSync(filePath, elf);
    await expect(extractExecutable(input(filePath, 'application/x-elf'))).rejects.toMatchObject({ code: 'E_MALFORMED' });
  });
});
