import type { i18n } from 'i18next';
import type { TellWorkerFileRefused } from '../../attachments/attachment-intake.service';
import type { AttachmentRefusal } from '../../attachments/inspect';
import type { Clock } from '../../clock';
import { isLanguage } from '../../language/negotiation';
import type { HotlineCounters } from '../../observability/hotline-counters';
import type { PersonalDataCipher } from '../../privacy/personal-data';
import { isMessagingChannel } from '../channel';
import { findSenderOfMessage } from './conversation.repository';
import { render } from './inbound-processor';
import { queueOutboundMessage, type EnqueueSend } from './outbound';

// A file the hotline could not keep is answered on the channel it came from, in the worker's
// language, saying what to send instead: silence would leave them thinking their evidence is safe.

/** The reply template for each reason a file was not kept. */
export function refusalTemplate(reason: AttachmentRefusal): string {
  switch (reason) {
    case 'too_large':
      return 'attachment.too_large';
    case 'heic_unsupported':
    case 'too_many_pixels':
    case 'unreadable_image':
      return 'attachment.unreadable_photo';
    default:
      return 'attachment.unsupported_type';
  }
}

/** Tells the sender of an inbound message that one of its files was not kept (nothing to an opted-out worker). */
export function createFileRefusalReply(deps: {
  cipher: PersonalDataCipher;
  clock: Clock;
  i18n: i18n;
  enqueueSend: EnqueueSend;
  counters?: Pick<HotlineCounters, 'outboundStatus'> | undefined;
}): TellWorkerFileRefused {
  return async (trx, refusal) => {
    const sender = await findSenderOfMessage(trx, refusal.messageId);
    if (!sender || sender.isOptedOut || !isMessagingChannel(sender.channel)) return;
    const language = isLanguage(sender.language) ? sender.language : 'en';
    const template = refusalTemplate(refusal.reason);
    await queueOutboundMessage(trx, deps, {
      contactId: sender.contactId,
      caseId: refusal.caseId,
      channel: sender.channel,
      body: render(deps.i18n, language, template, {}),
      language,
      template,
    });
  };
}
