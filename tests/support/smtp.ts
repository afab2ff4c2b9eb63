import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** One message the local SMTP server accepted, decoded. */
export interface CapturedMail {
  /** The From header, decoded, display name included. */
  from: string;
  /** The envelope recipients (RCPT TO): where the message really went. */
  to: string[];
  subject: string;
  text: string;
}

/** A running local SMTP server; `url` is what SMTP_URL would hold. */
export interface LocalSmtpServer {
  url: string;
  messages: CapturedMail[];
  close(): Promise<void>;
}

/**
 * An SMTP server on 127.0.0.1 and an ephemeral port, plain text only (no STARTTLS offered, no
 * authentication required), keeping every message it accepts. `rejectRecipient` answers 550 for an
 * RCPT, quoting the address the way real servers do.
 */
export async function startSmtpServer(options: { rejectRecipient?: (address: string) => boolean } = {}): Promise<LocalSmtpServer> {
  const messages: CapturedMail[] = [];
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    logger: false,
    disableReverseLookup: true,
    // A client that never says QUIT would otherwise hold close() for 30 s.
    closeTimeout: 200,
    onRcptTo(address, _session, callback) {
      if (options.rejectRecipient?.(address.address)) {
        callback(Object.assign(new Error(`<${address.address}>: Recipient address rejected: User unknown`), { responseCode: 550 }));
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      simpleParser(stream).then(
        (parsed) => {
          messages.push({
            from: formatAddress(parsed.from?.value[0]),
            to: session.envelope.rcptTo.map((recipient) => recipient.address),
            subject: parsed.subject ?? '',
            // Quoted-printable bodies end in a line break the sender never wrote; SMTP cannot tell them apart.
            text: (parsed.text ?? '').replace(/\r?\n$/, ''),
          });
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.server.address() as AddressInfo).port);
    });
  });
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function formatAddress(address: { name: string; address?: string | undefined } | undefined): string {
  if (!address) return '';
  return address.name ? `${address.name} <${address.address ?? ''}>` : (address.address ?? '');
}
