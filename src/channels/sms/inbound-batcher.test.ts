import { createInboundBatcher } from './inbound-batcher';
import type { StoredInbound, StoreResult } from './inbound.repository';

const message = (providerId: string): StoredInbound => ({
  providerId, channel: 'sms', address: '+66812345678', body: 'hi', rawBody: 'hi', language: 'en', media: [], receivedAt: new Date(),
});

describe('the inbound batcher', () => {
  it('writes a lone message at once, and gathers those that arrive meanwhile into one batch', async () => {
    const batches: string[][] = [];
    const batcher = createInboundBatcher({
      store: async (messages) => {
        batches.push(messages.map((m) => m.providerId));
        await new Promise((resolve) => setTimeout(resolve, 10));
        return messages.map((m): StoreResult => ({ contactId: 'c', messageId: m.providerId }));
      },
    });
    const results = await Promise.all(['a', 'b', 'c', 'd'].map((id) => batcher.submit(message(id))));
    expect(batches).toEqual([['a'], ['b', 'c', 'd']]);
    expect(results.map((result) => result.messageId)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('fails every message of a batch that failed, and goes on with the next', async () => {
    let calls = 0;
    const batcher = createInboundBatcher({
      store: async (messages) => {
        calls += 1;
        if (calls === 1) throw new Error('database down');
        return messages.map((m): StoreResult => ({ contactId: 'c', messageId: m.providerId }));
      },
    });
    await expect(batcher.submit(message('a'))).rejects.toThrow('database down');
    await expect(batcher.submit(message('b'))).resolves.toEqual({ contactId: 'c', messageId: 'b' });
  });

  it('fails a batch that hangs, so its requests can be spooled and others can go on', async () => {
    let calls = 0;
    const batcher = createInboundBatcher({
      timeoutMs: 50,
      store: async (messages) => {
        calls += 1;
        if (calls === 1) await new Promise<never>(() => undefined); // a write that never returns
        return messages.map((m): StoreResult => ({ contactId: 'c', messageId: m.providerId }));
      },
    });
    await expect(batcher.submit(message('a'))).rejects.toThrow('not committed within 50 ms');
    await expect(batcher.submit(message('b'))).resolves.toMatchObject({ messageId: 'b' });
  });
});
