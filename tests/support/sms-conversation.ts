import type { DatabaseHandle } from '../../src/db/database';
import type { TestHotline } from './app';
import { inboundSms, postSigned } from './twilio-webhook';
import { openerFor } from '../../src/privacy/person-keys';

/** An outbound message as the worker would receive it. */
export interface ReceivedReply {
  template: string | null;
  body: string;
  language: string | null;
  status: string;
  segments: number | null;
}

/** Texts the hotline as one worker and returns the replies that text produced. */
export function createWorkerPhone(handle: DatabaseHandle, hotline: TestHotline, from: string) {
  let seen: Set<string> | undefined;
  const outboundIds = async () =>
    new Set((await handle.db.selectFrom('messages').select('id').where('direction', '=', 'out').execute()).map((row) => row.id));
  return {
    async text(body: string, extra: Record<string, string> = {}): Promise<ReceivedReply[]> {
      // Replies to other workers, sent before this phone's first text, are not this phone's.
      seen ??= await outboundIds();
      await postSigned(hotline.app, '/webhooks/twilio/messaging', inboundSms(from, body, extra)).expect(200);
      await hotline.runJobs();
      const rows = await handle.db
        .selectFrom('messages')
        .select(['id', 'template', 'body_encrypted', 'language', 'status', 'segments'])
        .where('direction', '=', 'out')
        .orderBy('sequence')
        .execute();
      const known = seen;
      const fresh = rows.filter((row) => !known.has(row.id));
      seen = new Set(rows.map((row) => row.id));
      const opener = await openerFor(handle.db, hotline.cipher, fresh.map((row) => row.body_encrypted));
      return fresh.map((row) => ({
        template: row.template,
        body: opener.openOptional(row.body_encrypted) ?? '',
        language: row.language,
        status: row.status,
        segments: row.segments,
      }));
    },
  };
}
