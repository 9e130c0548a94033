import fsp from 'node:fs/promises';
import { DoccatError } from '../../errors.js';
import type { ExtractedPart, Extractor, PartsOptions } from '../extractor.js';
import { writePart } from '../parts.js';
import { textResult } from '../extractor.js';
import { decodeText, normalizeWhitespace } from '../decode-text.js';
import { htmlToPlainText } from './html.js';
import { isStackOverflow } from '../limits.js';

/** Forwarded messages inside forwarded messages go a few levels deep; 64 leaves ample room. */
const MAX_MIME_DEPTH = 64;

interface MailboxLike {
  name?: string;
  address?: string;
  group?: MailboxLike[];
}

function formatAddress(address: MailboxLike | undefined): string {
  if (!address) return '';
  if (address.group) return address.group.map(formatAddress).join(', ');
  if (address.name && address.address) return `${address.name} <${address.address}>`;
  return address.address ?? address.name ?? '';
}

/** RFC 822 e-mail: headers that matter, the body (plain text, else HTML as text) and attachment names. */
export const extractEmail: Extractor = async (input) => {
  const bytes = await fsp.readFile(input.path);
  // Whole-file UTF-16 messages exist in the wild; decode to a string first so the parser sees headers.
  const raw = decodeText(bytes);
  if (raw.trim().length === 0) {
    throw new DoccatError('E_EMAIL_EMPTY', 'the e-mail file holds only whitespace', { hint: 'the export is empty; export the message again' });
  }
  const { default: PostalMime } = await import('postal-mime');
  let email: Awaited<ReturnType<typeof PostalMime.parse>>;
  try {
    email = await PostalMime.parse(raw, { attachmentEncoding: 'arraybuffer', maxNestingDepth: MAX_MIME_DEPTH });
  } catch (error) {
    // postal-mime refuses deeper nesting with a plain Error; it is the file's shape, not our bug.
    if (/nesting depth/i.test((error as Error).message) || isStackOverflow(error)) {
      throw new DoccatError('E_MALFORMED', `the e-mail nests MIME parts more than ${MAX_MIME_DEPTH} levels deep`, {
        hint: 'real messages nest a few levels (a forward of a forward); this one was probably made to break mail parsers. Open it in a mail client and save it again',
        cause: error,
      });
    }
    throw error;
  }
  if (email.headers.length === 0) {
    throw new DoccatError('E_EMAIL_MALFORMED', 'no e-mail headers found', { hint: 'the file is not an RFC 822 message (.eml); export it again' });
  }
  const contentType = email.headers.find((header) => header.key === 'content-type')?.value ?? '';
  if (/multipart\/encrypted|application\/(pgp|pkcs7)-encrypted|smime-type\s*=\s*enveloped-data/i.test(contentType)) {
    throw new DoccatError('E_ENCRYPTED', 'the e-mail body is encrypted (PGP/S-MIME)', { hint: 'decrypt the message with your mail client and save the decrypted copy' });
  }
  const from = formatAddress(email.from as MailboxLike | undefined);
  const to = (email.to ?? []).map((address) => formatAddress(address as MailboxLike)).join(', ');
  let body = email.text ?? '';
  if (body.trim().length === 0 && email.html) body = (await htmlToPlainText(email.html)).text;
  const attachmentNames = email.attachments.map((attachment) => attachment.filename).filter((name): name is string => Boolean(name));
  const lines = [
    from && `From: ${from}`,
    to && `To: ${to}`,
    email.date && `Date: ${email.date}`,
    email.subject && `Subject: ${email.subject}`,
    '',
    body,
    attachmentNames.length > 0 ? `\nAttachments: ${attachmentNames.join(', ')}` : '',
  ].filter((line): line is string => typeof line === 'string');
  const metadata: Record<string, string> = {};
  if (email.subject) metadata.subject = metadata.title = email.subject;
  if (from) metadata.from = from;
  if (email.date) metadata.date = email.date;
  const result = textResult(normalizeWhitespace(lines.join('\n')), metadata);
  if (input.options.parts?.directory) result.parts = await writeAttachments(email.attachments, input.options.parts, input.options.parts.directory);
  return result;
};

type Attachment = Awaited<ReturnType<typeof import('postal-mime').default.parse>>['attachments'][number];

/** Signatures and encryption envelopes travel as attachments; they are not documents. */
const NOT_DOCUMENTS = new Set(['application/pkcs7-signature', 'application/x-pkcs7-signature', 'application/pgp-signature', 'application/pgp-keys', 'application/pgp-encrypted']);

function bytesOf(attachment: Attachment): Uint8Array {
  const { content } = attachment;
  if (typeof content === 'string') return Buffer.from(content, attachment.encoding === 'base64' ? 'base64' : 'utf8');
  return content instanceof Uint8Array ? content : new Uint8Array(content);
}

/**
 * The attachments that may be documents, each written as a part file. Inline images under the
 * threshold (logos, signature images, tracking pixels) are left out; the limits are checked
 * before anything is written, so a message made of ten thousand attachments writes nothing.
 */
async function writeAttachments(attachments: Attachment[], options: PartsOptions, directory: string): Promise<ExtractedPart[]> {
  const kept = attachments
    .map((attachment) => ({ attachment, bytes: bytesOf(attachment) }))
    .filter(({ attachment, bytes }) => {
      if (bytes.length === 0 || NOT_DOCUMENTS.has(attachment.mimeType.toLowerCase())) return false;
      const inline = attachment.disposition === 'inline' || attachment.related === true || (attachment.disposition === null && attachment.contentId !== undefined);
      return !(inline && attachment.mimeType.toLowerCase().startsWith('image/') && bytes.length < options.skipInlineImagesUnderBytes);
    });
  if (kept.length > options.maxAttachments) {
    throw new DoccatError('E_EMAIL_TOO_MANY_ATTACHMENTS', `the e-mail has ${kept.length} attachments, over the limit of ${options.maxAttachments}`, {
      hint: 'raise email.maxAttachments in the config if this really is a message you want catalogued with its attachments',
    });
  }
  const total = kept.reduce((sum, { bytes }) => sum + bytes.length, 0);
  if (total > options.maxAttachmentBytes) {
    throw new DoccatError('E_EMAIL_ATTACHMENTS_TOO_LARGE', `the e-mail's attachments hold ${(total / 1024 / 1024).toFixed(1)} MB, over the limit of ${(options.maxAttachmentBytes / 1024 / 1024).toFixed(1)} MB`, {
      hint: 'raise email.maxAttachmentsMb in the config if this really is a message you want catalogued with its attachments',
    });
  }
  const parts: ExtractedPart[] = [];
  for (const [index, { attachment, bytes }] of kept.entries()) {
    const written = await writePart(directory, `attachment-${index}`, bytes);
    parts.push({ ...written, name: attachment.filename ?? '', declaredMime: attachment.mimeType.toLowerCase(), kind: attachment.mimeType.toLowerCase() === 'message/rfc822' ? 'message' : 'attachment' });
  }
  return parts;
}
