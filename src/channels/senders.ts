import { SendFailure, type ChannelSender, type MessagingChannel, type OutboundMessage, type SentMessage } from './channel';

/** Sends on every channel the deployment has: each message goes through its channel's provider. */
export interface MessageSender {
  /** False when the channel's provider is not configured: its messages are recorded, not sent. */
  canSend(channel: MessagingChannel): boolean;
  send(message: OutboundMessage): Promise<SentMessage>;
}

export interface ProviderSenders {
  /** SMS, WhatsApp and Messenger. */
  twilio: MessageSender;
  line?: ChannelSender;
  viber?: ChannelSender;
}

/** One sender over the providers: Twilio for SMS, WhatsApp and Messenger; LINE; Viber. */
export function combineSenders(providers: ProviderSenders): MessageSender {
  const single = (channel: MessagingChannel): ChannelSender | undefined =>
    channel === 'line' ? providers.line : channel === 'viber' ? providers.viber : undefined;
  return {
    canSend(channel) {
      if (channel === 'line' || channel === 'viber') return single(channel)?.canSend ?? false;
      return providers.twilio.canSend(channel);
    },
    send(message) {
      if (message.channel === 'line' || message.channel === 'viber') {
        const sender = single(message.channel);
        if (!sender?.canSend) return Promise.reject(new SendFailure(false, 'not_configured', `${message.channel} is not configured`));
        return sender.send(message);
      }
      return providers.twilio.send(message);
    },
  };
}
