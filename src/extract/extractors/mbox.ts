import fs from 'node:fs';
import { DoccatError } from '../../errors.js';
import type { ExtractedPart, Extractor } from '../extractor.js';
import { textResult } from '../extractor.js';
import { decodeWords } from 'postal-mime';
import { decodeText, normalizeWhitespace } from '../decode-text.js';
import { PartWriter } from '../parts.js';

/**
 * An mbox file: messages one after another, each after a `From ` line that follows a blank line
 * (or starts the file). Read as a stream of lines, never held whole: each message is written as a
 * part file of its own (mboxrd's `>From ` quoting undone, the envelope line and the blank line
 * before the next one left out), and the mbox's own text is an index of its messages.
 */

const FROM = Buffer.from('From ');
/** A line longer than this is written on in pieces: only the start of a line can be a separator. */
const MAX_LINE_BYTES = 64 * 1024;
/** Headers read per message for the index. */
const HEADER_BYTES = 16 * 1024;
const NEWLINE = 0x0a;

interface MessageInProgress {
  writer: PartWriter | undefined;
  header: Buffer[];
  headerBytes: number;
  headerDone: boolean;
  /** A blank line held back: it is dropped when a separator follows it. */
  pendingBlank: Buffer | undefined;
}

export const extractMbox: Extractor = async (input) => {
  const options = input.options.parts;
  const directory = options?.directory;
  const parts: ExtractedPart[] = [];
  const index: string[] = [];
  let count = 0;
  let current: MessageInProgress | undefined;
  let previousBlank = true;
  let midLine = false;
  /** Inside an envelope line longer than one piece. */
  let skippingEnvelope = false;

  const finish = async () => {
    if (!current) return;
    const message = current;
    current = undefined;
    index.push(indexLine(count, Buffer.concat(message.header)));
    if (message.writer) parts.push({ ...(await message.writer.close()), name: `message-${count}.eml`, declaredMime: 'message/rfc822', kind: 'message' });
  };
  const start = async () => {
    await finish();
    count += 1;
    if (options && count > options.maxMessages) {
      throw new DoccatError('E_MBOX_TOO_MANY_MESSAGES', `the mbox holds more than ${options.maxMessages} messages`, { hint: 'raise email.maxMboxMessages in the config, or split the mailbox into several files' });
    }
    current = { writer: directory ? await PartWriter.create(directory, `message-${count}`) : undefined, header: [], headerBytes: 0, headerDone: false, pendingBlank: undefined };
  };
  const append = async (bytes: Buffer) => {
    const message = current as MessageInProgress;
    if (!message.headerDone) {
      const room = HEADER_BYTES - message.headerBytes;
      if (room > 0) {
        message.header.push(bytes.subarray(0, room));
        message.headerBytes += Math.min(room, bytes.length);
      }
    }
    await message.writer?.write(bytes);
  };
  const line = async (bytes: Buffer, complete: boolean) => {
    const lineStart = !midLine;
    midLine = !complete;
    if (lineStart && previousBlank && bytes.subarray(0, FROM.length).equals(FROM)) {
      await start();
      previousBlank = false;
      // A long envelope line is skipped to its end.
      skippingEnvelope = !complete;
      return;
    }
    if (skippingEnvelope) {
      skippingEnvelope = !complete;
      return;
    }
    const blank = lineStart && complete && (bytes.length === 1 || (bytes.length === 2 && bytes[0] === 0x0d));
    if (!current) {
      // Blank lines before the first message; anything else means this is no mbox.
      if (blank) return;
      throw new DoccatError('E_EMAIL_MALFORMED', 'the mbox does not start with a "From " line', { hint: 'the file is not an mbox mailbox; export the mailbox again' });
    }
    if (current.pendingBlank) {
      const held = current.pendingBlank;
      current.pendingBlank = undefined;
      await append(held);
    }
    if (blank) {
      current.headerDone = true;
      current.pendingBlank = bytes;
    } else {
      // mboxrd: ">From " (any number of '>') stands for one '>' less.
      await append(lineStart && isQuotedFrom(bytes) ? bytes.subarray(1) : bytes);
    }
    previousBlank = blank;
  };

  const stream = fs.createReadStream(input.path, { highWaterMark: 1024 * 1024 });
  let carry: Buffer | undefined;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let data = carry ? Buffer.concat([carry, chunk]) : chunk;
      carry = undefined;
      let from = 0;
      for (let newline = data.indexOf(NEWLINE, from); newline >= 0; newline = data.indexOf(NEWLINE, from)) {
        await line(data.subarray(from, newline + 1), true);
        from = newline + 1;
      }
      data = data.subarray(from);
      if (data.length > MAX_LINE_BYTES) await line(data, false);
      else if (data.length > 0) carry = Buffer.from(data);
    }
    if (carry) await line(carry, true);
    await finish();
  } catch (error) {
    stream.destroy();
    await current?.writer?.discard();
    throw error;
  }
  if (count === 0) throw new DoccatError('E_EMAIL_EMPTY', 'the mbox holds no messages', { hint: 'nothing to catalogue; export the mailbox again if it should hold messages' });
  const text = normalizeWhitespace([`Mailbox with ${count} message${count === 1 ? '' : 's'}`, '', ...index].join('\n'));
  const result = textResult(text, {}, 1);
  if (directory) result.parts = parts;
  return result;
};

function isQuotedFrom(bytes: Buffer): boolean {
  let position = 0;
  while (bytes[position] === 0x3e) position += 1;
  return position > 0 && bytes.subarray(position, position + FROM.length).equals(FROM);
}

/** "#3  2024-03-01 ...  From  Subject" from a message's first headers. */
function indexLine(number: number, header: Buffer): string {
  const text = decodeText(header).split(/\r?\n\r?\n/, 1)[0] ?? '';
  const headers = new Map<string, string>();
  for (const unfolded of text.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = unfolded.indexOf(':');
    if (colon <= 0) continue;
    const name = unfolded.slice(0, colon).trim().toLowerCase();
    if (!headers.has(name)) headers.set(name, safeDecodeWords(unfolded.slice(colon + 1).trim()));
  }
  return [`#${number}`, headers.get('date'), headers.get('from'), headers.get('subject')].filter((value) => value !== undefined && value !== '').join('  ');
}

function safeDecodeWords(value: string): string {
  try {
    return decodeWords(value);
  } catch {
    return value;
  }
}
