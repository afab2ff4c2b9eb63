import { createTransport } from 'nodemailer';
import SMTPPool from 'nodemailer/lib/smtp-pool';

/** One plain-text notification email. */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

/** Sends notification emails. */
export interface Mailer {
  send(message: MailMessage): Promise<void>;
  /** Connects and greets the server once, as a readiness check. */
  verify(): Promise<void>;
  /** Closes the pooled connections; pending sends fail. */
  close(): void;
}

/** The server refused the recipient or the message for good (5xx): do not retry. */
export class PermanentMailError extends Error {
  override name = 'PermanentMailError';
}

/** A mailer over SMTP (nodemailer), or undefined when SMTP_URL is not set. */
export function createMailer(options: { smtpUrl: string | undefined; from: string }): Mailer | undefined {
  if (options.smtpUrl === undefined) return undefined;
  // createTransport({ url, ...}) would keep the URL and drop every other option; the pool merges both.
  const transport = createTransport(
    new SMTPPool({
      pool: true,
      url: options.smtpUrl,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    }),
  );
  const from = options.from;
  return {
    async send(message) {
      try {
        await transport.sendMail({
          from,
          to: message.to,
          subject: message.subject,
          text: message.text,
          // Set per message: nodemailer ignores these on a transport object. Text never names a file or URL.
          disableFileAccess: true,
          disableUrlAccess: true,
        });
      } catch (error) {
        throw toMailError(error);
      }
    },
    async verify() {
      try {
        await transport.verify();
      } catch (error) {
        // eslint-disable-next-line preserve-caught-error -- deliberately no cause: see toMailError
        throw new Error(`smtp failed: ${describeSmtpError(error)}`);
      }
    },
    close() {
      transport.close();
    },
  };
}

// nodemailer's messages and `response` quote the server, which often names the recipient, so only
// the codes leave this file: no personal data in logs. No `cause` either, as loggers print it.
function toMailError(error: unknown): Error {
  const { code, responseCode } = smtpErrorFields(error);
  if (responseCode !== undefined && responseCode >= 500 && responseCode < 600) {
    return new PermanentMailError(`smtp refused: ${responseCode}`);
  }
  // Refused before any server saw it (no recipient, a malformed address): a retry changes nothing.
  if (code === 'EENVELOPE' && responseCode === undefined) return new PermanentMailError('smtp refused: EENVELOPE');
  return new Error(`smtp failed: ${describeSmtpError(error)}`);
}

function describeSmtpError(error: unknown): string {
  const { code, responseCode } = smtpErrorFields(error);
  return [code, responseCode].filter((part) => part !== undefined).join(' ') || 'unknown';
}

function smtpErrorFields(error: unknown): { code: string | undefined; responseCode: number | undefined } {
  if (typeof error !== 'object' || error === null) return { code: undefined, responseCode: undefined };
  const code = 'code' in error && typeof error.code === 'string' && /^[A-Z0-9_]+$/.test(error.code) ? error.code : undefined;
  const responseCode = 'responseCode' in error && typeof error.responseCode === 'number' ? error.responseCode : undefined;
  return { code, responseCode };
}
