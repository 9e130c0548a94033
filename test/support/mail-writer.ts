import { PNG } from 'pngjs';

/** E-mail messages and mbox files for tests, built as a mail client would write them. */

export interface Attachment {
  name: string;
  mime: string;
  bytes: Buffer;
  /** inline parts carry a Content-ID, as images in an HTML signature do. */
  inline?: boolean;
}

let boundaryCount = 0;

export function makeEmail(options: { from?: string; to?: string; subject: string; date?: string; body: string; attachments?: Attachment[]; messageId?: string }): Buffer {
  const boundary = `b${(boundaryCount += 1)}x${options.subject.length}`;
  const head = [
    `From: ${options.from ?? 'Anna Berg <anna@example.org>'}`,
    `To: ${options.to ?? 'Team <team@example.org>'}`,
    `Date: ${options.date ?? 'Mon, 06 May 2024 09:15:00 +0200'}`,
    `Subject: ${options.subject}`,
    `Message-ID: <${options.messageId ?? `${boundary}@example.org`}>`,
    'MIME-Version: 1.0',
  ];
  const attachments = options.attachments ?? [];
  if (attachments.length === 0) return Buffer.from([...head, 'Content-Type: text/plain; charset=utf-8', '', options.body, ''].join('\r\n'));
  const parts = [
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    options.body,
    ...attachments.flatMap((attachment, index) => [
      `--${boundary}`,
      `Content-Type: ${attachment.mime}; name="${attachment.name}"`,
      attachment.inline ? `Content-Disposition: inline; filename="${attachment.name}"` : `Content-Disposition: attachment; filename="${attachment.name}"`,
      ...(attachment.inline ? [`Content-ID: <part${index}@example.org>`] : []),
      ...(attachment.mime === 'message/rfc822' ? [] : ['Content-Transfer-Encoding: base64']),
      '',
      attachment.mime === 'message/rfc822' ? attachment.bytes.toString('utf8') : (attachment.bytes.toString('base64').match(/.{1,76}/g) ?? []).join('\r\n'),
    ]),
    `--${boundary}--`,
    '',
  ];
  return Buffer.from([...head, `Content-Type: multipart/mixed; boundary="${boundary}"`, '', ...parts].join('\r\n'));
}

/** An mboxrd file: each message after a From line, lines starting with (>*)From quoted with one more >. */
export function makeMbox(messages: Buffer[]): Buffer {
  return Buffer.from(
    messages
      .map((message, index) => {
        const quoted = message.toString('latin1').replace(/^(>*From )/gm, '>$1');
        return `From sender${index}@example.org Mon May  6 09:15:00 2024\n${quoted}${quoted.endsWith('\n') ? '' : '\n'}\n`;
      })
      .join(''),
    'latin1',
  );
}

/** A PNG of the given size, filled with noise so that it does not compress to nothing. */
export function makePng(width: number, height: number, seed = 1): Buffer {
  const png = new PNG({ width, height });
  let state = seed;
  for (let index = 0; index < png.data.length; index += 1) {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    png.data[index] = index % 4 === 3 ? 255 : state & 0xff;
  }
  return PNG.sync.write(png);
}
