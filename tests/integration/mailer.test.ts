import net from 'node:net';
import { createMailer, PermanentMailError, type Mailer } from '../../src/notifications/mailer';
import { startSmtpServer, type LocalSmtpServer } from '../support/smtp';

const FROM = 'Migrant Hotline <no-reply@hotline.example.org>';
const BURMESE_SUBJECT = 'သင့်တိုင်ကြားချက်ကို လက်ခံရရှိပါပြီ — အမှုအမှတ် K7M-4QX ကို အလုပ်သမားအဖွဲ့က ဆက်လက်ကိုင်တွယ်ပါမည်';
const KHMER_BODY = 'យើងបានទទួលករណីរបស់អ្នកហើយ។\nបុគ្គលិកសង្គមនឹងទាក់ទងអ្នកក្នុងពេលឆាប់ៗនេះ។\n\nលេខករណី៖ K7M-4QX';
const REFUSED = 'unknown.worker@hotline.example.org';

/** A port on 127.0.0.1 where, right now, nothing listens. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function mailerFor(smtpUrl: string): Mailer {
  const mailer = createMailer({ smtpUrl, from: FROM });
  if (!mailer) throw new Error('expected a mailer for a set SMTP_URL');
  return mailer;
}

describe('the SMTP mailer', () => {
  let smtp: LocalSmtpServer;
  let mailer: Mailer;

  beforeAll(async () => {
    smtp = await startSmtpServer({ rejectRecipient: (address) => address === REFUSED });
    mailer = mailerFor(smtp.url);
  });
  afterAll(async () => {
    mailer.close();
    await smtp.close();
  });
  beforeEach(() => {
    smtp.messages.length = 0;
  });

  it('sends nothing and builds nothing when SMTP_URL is unset', () => {
    expect(createMailer({ smtpUrl: undefined, from: FROM })).toBeUndefined();
  });

  it('delivers a text mail with a Burmese subject and a Khmer body exactly as written', async () => {
    await mailer.send({ to: 'caseworker@partner.example.org', subject: BURMESE_SUBJECT, text: KHMER_BODY });

    expect(smtp.messages).toEqual([
      { from: FROM, to: ['caseworker@partner.example.org'], subject: BURMESE_SUBJECT, text: KHMER_BODY },
    ]);
  });

  it('keeps sending over the pooled connection', async () => {
    await mailer.send({ to: 'one@partner.example.org', subject: 'ການແຈ້ງເຕືອນ', text: 'ສະບາຍດີ' });
    await mailer.send({ to: 'two@partner.example.org', subject: 'Thông báo mới', text: 'Xin chào, có một trường hợp mới.' });

    expect(smtp.messages.map((message) => [message.to, message.subject, message.text])).toEqual([
      [['one@partner.example.org'], 'ການແຈ້ງເຕືອນ', 'ສະບາຍດີ'],
      [['two@partner.example.org'], 'Thông báo mới', 'Xin chào, có một trường hợp mới.'],
    ]);
  });

  it('encodes a From display name in any script', async () => {
    const from = 'สายด่วนแรงงานข้ามชาติ <no-reply@hotline.example.org>';
    const thai = createMailer({ smtpUrl: smtp.url, from });
    try {
      await thai?.send({ to: 'caseworker@partner.example.org', subject: 'แจ้งเตือน', text: 'มีเรื่องร้องเรียนใหม่' });
    } finally {
      thai?.close();
    }
    expect(smtp.messages.map((message) => message.from)).toEqual([from]);
  });

  it('passes the readiness check against a server that answers', async () => {
    await expect(mailer.verify()).resolves.toBeUndefined();
  });

  it('turns a 550 for the recipient into a PermanentMailError that names neither the address nor the body', async () => {
    const error = await mailer.send({ to: REFUSED, subject: 'แจ้งเตือน', text: KHMER_BODY }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(PermanentMailError);
    const message = (error as Error).message;
    expect(message).toBe('smtp refused: 550');
    expect(message).not.toContain(REFUSED);
    expect(message).not.toContain('unknown.worker');
    expect(message).not.toContain(KHMER_BODY.slice(0, 10));
    expect(JSON.stringify(error)).not.toContain('unknown.worker');
    expect((error as Error).cause).toBeUndefined();
    expect(smtp.messages).toEqual([]);
  });

  it('still delivers after a refused recipient', async () => {
    await mailer.send({ to: 'caseworker@partner.example.org', subject: 'after', text: 'still here' });
    expect(smtp.messages).toHaveLength(1);
  });

  it('refuses for good, before any server sees it, a mail with no usable recipient', async () => {
    const error = await mailer.send({ to: '', subject: 'nobody', text: 'nobody' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PermanentMailError);
    expect(smtp.messages).toEqual([]);
  });
});

describe('the SMTP mailer against a busy server', () => {
  let busy: net.Server;
  let mailer: Mailer;

  beforeAll(async () => {
    busy = net.createServer((socket) => socket.end('421 4.3.2 Too busy, try again later\r\n'));
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    mailer = mailerFor(`smtp://127.0.0.1:${(busy.address() as net.AddressInfo).port}`);
  });
  afterAll(async () => {
    mailer.close();
    await new Promise<void>((resolve) => busy.close(() => resolve()));
  });

  it('fails a send on a 421 with a plain, retriable Error', async () => {
    const error = await mailer.send({ to: 'caseworker@partner.example.org', subject: 's', text: 't' }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(PermanentMailError);
    expect((error as Error).message).toMatch(/^smtp failed: .*421$/);
  });
});

describe('the SMTP mailer without a server', () => {
  let mailer: Mailer;

  beforeAll(async () => {
    mailer = mailerFor(`smtp://127.0.0.1:${await closedPort()}`);
  });
  afterAll(() => {
    mailer.close();
  });

  it('fails a send with a plain, retriable Error that names neither the address nor the body', async () => {
    const error = await mailer.send({ to: 'caseworker@partner.example.org', subject: 's', text: KHMER_BODY }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(PermanentMailError);
    expect((error as Error).message).toMatch(/^smtp failed: /);
    expect((error as Error).message).not.toContain('caseworker');
  });

  it('fails the readiness check', async () => {
    await expect(mailer.verify()).rejects.toThrow(/^smtp failed: /);
  });
});
