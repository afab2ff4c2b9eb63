import type { ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { deleteTwilioMedia, fetchMedia, MediaFailure, type MediaFetchConfig } from '../../src/attachments/media-fetch';
import { startFakeMediaHost, type FakeMediaHost } from '../support/fake-media';
import { FAKE_ACCOUNT_SID, FAKE_AUTH_TOKEN } from '../support/fake-twilio';
import { createCapturingLogger, silentLogger } from '../support/logger';

const MEDIA_PATH = `/2010-04-01/Accounts/${FAKE_ACCOUNT_SID}/Messages/MM${'a'.repeat(32)}/Media/ME${'b'.repeat(32)}`;
const RECORDING_PATH = `/2010-04-01/Accounts/${FAKE_ACCOUNT_SID}/Recordings/RE${'c'.repeat(32)}`;
const LINE_TOKEN = 'line-channel-access-token-0123456789';
const TWILIO_BASIC = `Basic ${Buffer.from(`${FAKE_ACCOUNT_SID}:${FAKE_AUTH_TOKEN}`).toString('base64')}`;

let twilio: FakeMediaHost;
let cdn: FakeMediaHost;

beforeEach(async () => {
  twilio = await startFakeMediaHost();
  cdn = await startFakeMediaHost();
});
afterEach(async () => {
  await twilio.close();
  await cdn.close();
});

function config(): MediaFetchConfig {
  return {
    twilio: { accountSid: FAKE_ACCOUNT_SID, authToken: FAKE_AUTH_TOKEN, apiBaseUrl: twilio.baseUrl },
    line: { channelAccessToken: LINE_TOKEN, dataApiBaseUrl: twilio.baseUrl },
    viber: { apiBaseUrl: cdn.baseUrl },
  };
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function failureOf(promise: Promise<unknown>): Promise<MediaFailure> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof MediaFailure) return error;
    throw error;
  }
  throw new Error('expected a MediaFailure');
}

const serve = (body: Buffer | string) => (_req: unknown, res: ServerResponse) => res.end(body);

describe('fetching Twilio media', () => {
  it('sends the account credentials to the Twilio API host', async () => {
    twilio.on('GET', MEDIA_PATH, serve('photo bytes'));

    const stream = await fetchMedia({ provider: 'twilio', url: `${twilio.baseUrl}${MEDIA_PATH}` }, { config: config(), logger: silentLogger() });

    expect((await readAll(stream)).toString()).toBe('photo bytes');
    expect(twilio.requests).toEqual([{ method: 'GET', path: MEDIA_PATH, authorization: TWILIO_BASIC }]);
  });

  it('refuses another host without any request, logging the host only', async () => {
    const { logger, lines } = createCapturingLogger();
    const foreign = `${cdn.baseUrl}${MEDIA_PATH}?token=secret`;

    const failure = await failureOf(fetchMedia({ provider: 'twilio', url: foreign }, { config: config(), logger }));

    expect(failure).toMatchObject({ code: 'foreign_host', retriable: false });
    expect(cdn.requests).toEqual([]);
    expect(twilio.requests).toEqual([]);
    const log = lines().join('\n');
    expect(log).toContain(new URL(cdn.baseUrl).host);
    expect(log).not.toContain('secret');
    expect(log).not.toContain(MEDIA_PATH);
  });

  it('refuses a URL on the Twilio host that is not a Media resource of our account', async () => {
    const otherAccount = MEDIA_PATH.replace(FAKE_ACCOUNT_SID, `AC${'2'.repeat(32)}`);
    for (const path of [otherAccount, '/2010-04-01/Accounts.json', `${MEDIA_PATH}?x=1`]) {
      const failure = await failureOf(fetchMedia({ provider: 'twilio', url: `${twilio.baseUrl}${path}` }, { config: config(), logger: silentLogger() }));
      expect(failure.code).toBe('bad_url');
    }
    expect(twilio.requests).toEqual([]);
  });

  it('follows Twilio\'s redirect to its storage once, without the credentials', async () => {
    twilio.on('GET', MEDIA_PATH, (_req, res) => {
      res.writeHead(307, { location: `${cdn.baseUrl}/signed/photo?sig=abc` }).end();
    });
    cdn.on('GET', '/signed/photo?sig=abc', serve('from the CDN'));

    const stream = await fetchMedia({ provider: 'twilio', url: `${twilio.baseUrl}${MEDIA_PATH}` }, { config: config(), logger: silentLogger() });

    expect((await readAll(stream)).toString()).toBe('from the CDN');
    expect(cdn.requests).toEqual([{ method: 'GET', path: '/signed/photo?sig=abc', authorization: undefined }]);
  });

  it('refuses a second redirect', async () => {
    twilio.on('GET', MEDIA_PATH, (_req, res) => res.writeHead(307, { location: `${cdn.baseUrl}/one` }).end());
    cdn.on('GET', '/one', (_req, res) => res.writeHead(302, { location: `${cdn.baseUrl}/two` }).end());

    const failure = await failureOf(fetchMedia({ provider: 'twilio', url: `${twilio.baseUrl}${MEDIA_PATH}` }, { config: config(), logger: silentLogger() }));

    expect(failure.code).toBe('bad_redirect');
    expect(cdn.requests.map((request) => request.path)).toEqual(['/one']);
  });

  it('refuses the Twilio host over plain http when the API is https', async () => {
    const https = { ...config(), twilio: { ...config().twilio, apiBaseUrl: 'https://api.twilio.com' } };
    const failure = await failureOf(
      fetchMedia({ provider: 'twilio', url: `http://api.twilio.com${MEDIA_PATH}` }, { config: https, logger: silentLogger() }),
    );
    expect(failure.code).toBe('foreign_host');
  });

  it('refuses a redirect to anything but http(s)', async () => {
    twilio.on('GET', MEDIA_PATH, (_req, res) => res.writeHead(307, { location: 'file:///etc/passwd' }).end());
    const failure = await failureOf(fetchMedia({ provider: 'twilio', url: `${twilio.baseUrl}${MEDIA_PATH}` }, { config: config(), logger: silentLogger() }));
    expect(failure).toMatchObject({ code: 'bad_redirect', retriable: false });
  });

  it('refuses a declared length over the limit before reading the body', async () => {
    twilio.on('GET', MEDIA_PATH, (_req, res) => res.writeHead(200, { 'content-length': '2000' }).end(Buffer.alloc(2000)));

    const failure = await failureOf(
      fetchMedia({ provider: 'twilio', url: `${twilio.baseUrl}${MEDIA_PATH}` }, { config: config(), logger: silentLogger(), limits: { maxBytes: 1000, timeoutMs: 5000 } }),
    );

    expect(failure).toMatchObject({ code: 'too_large', retriable: false });
  });

  it('stops reading a body that grows past the limit', async () => {
    let written = 0;
    twilio.on('GET', MEDIA_PATH, (_req, res) => {
      res.writeHead(200); // chunked: no length declared
      const timer = setInterval(() => {
        written += 1024;
        if (!res.write(Buffer.alloc(1024)) && written > 1_000_000) clearInterval(timer);
      }, 1);
      res.on('close', () => clearInterval(timer));
    });

    const stream = await fetchMedia(
      { provider: 'twilio', url: `${twilio.baseUrl}${MEDIA_PATH}` },
      { config: config(), logger: silentLogger(), limits: { maxBytes: 10_000, timeoutMs: 5000 } },
    );

    const failure = await failureOf(readAll(stream));
    expect(failure).toMatchObject({ code: 'too_large', retriable: false });
    expect(written).toBeLessThan(1_000_000);
  });

  it('gives up after the time limit, retriably', async () => {
    twilio.on('GET', MEDIA_PATH, (_req, res) => {
      res.writeHead(200);
      res.write('a little');
    });

    const stream = await fetchMedia(
      { provider: 'twilio', url: `${twilio.baseUrl}${MEDIA_PATH}` },
      { config: config(), logger: silentLogger(), limits: { maxBytes: 10_000, timeoutMs: 300 } },
    );

    expect(await failureOf(readAll(stream))).toMatchObject({ code: 'timed_out', retriable: true });
  });

  it('gives up on a host that never answers', async () => {
    twilio.on('GET', MEDIA_PATH, () => undefined);
    const failure = await failureOf(
      fetchMedia({ provider: 'twilio', url: `${twilio.baseUrl}${MEDIA_PATH}` }, { config: config(), logger: silentLogger(), limits: { maxBytes: 10, timeoutMs: 300 } }),
    );
    expect(failure).toMatchObject({ code: 'timed_out', retriable: true });
  });

  it.each([
    [404, false],
    [429, true],
    [503, true],
  ])('maps HTTP %i to a failure (retriable: %s)', async (status, retriable) => {
    twilio.on('GET', MEDIA_PATH, (_req, res) => res.writeHead(status).end());
    const failure = await failureOf(fetchMedia({ provider: 'twilio', url: `${twilio.baseUrl}${MEDIA_PATH}` }, { config: config(), logger: silentLogger() }));
    expect(failure).toMatchObject({ code: `http_${status}`, retriable });
  });
});

describe('fetching LINE and Viber media', () => {
  it('gets LINE message content from the data API with the channel token', async () => {
    twilio.on('GET', '/v2/bot/message/468789577898262530/content', serve('line photo'));

    const stream = await fetchMedia({ provider: 'line', url: 'line-content:468789577898262530' }, { config: config(), logger: silentLogger() });

    expect((await readAll(stream)).toString()).toBe('line photo');
    expect(twilio.requests).toEqual([{ method: 'GET', path: '/v2/bot/message/468789577898262530/content', authorization: `Bearer ${LINE_TOKEN}` }]);
  });

  it('refuses a LINE source that is not a message id', async () => {
    const failure = await failureOf(fetchMedia({ provider: 'line', url: 'line-content:../../oauth' }, { config: config(), logger: silentLogger() }));
    expect(failure.code).toBe('bad_url');
  });

  it('gets a Viber media URL without credentials', async () => {
    cdn.on('GET', '/media/abc.jpg', serve('viber photo'));

    const stream = await fetchMedia({ provider: 'viber', url: `${cdn.baseUrl}/media/abc.jpg` }, { config: config(), logger: silentLogger() });

    expect((await readAll(stream)).toString()).toBe('viber photo');
    expect(cdn.requests).toEqual([{ method: 'GET', path: '/media/abc.jpg', authorization: undefined }]);
  });

  it('refuses a plain-http Viber URL when Viber\'s API is https', async () => {
    const https = { ...config(), viber: { apiBaseUrl: 'https://chatapi.viber.com' } };
    const failure = await failureOf(fetchMedia({ provider: 'viber', url: `${cdn.baseUrl}/media/abc.jpg` }, { config: https, logger: silentLogger() }));
    expect(failure.code).toBe('bad_url');
    expect(cdn.requests).toEqual([]);
  });
});

describe('fetching a call recording from Twilio', () => {
  it('gets the audio of a recording with the account credentials, with its .wav or .mp3 suffix', async () => {
    twilio.on('GET', `${RECORDING_PATH}.wav`, serve('wav bytes'));
    twilio.on('GET', `${RECORDING_PATH}.mp3`, serve('mp3 bytes'));
    for (const suffix of ['.wav', '.mp3']) {
      const stream = await fetchMedia({ provider: 'twilio', url: `${twilio.baseUrl}${RECORDING_PATH}${suffix}` }, { config: config(), logger: silentLogger() });
      expect((await readAll(stream)).toString()).toBe(`${suffix.slice(1)} bytes`);
    }
    expect(twilio.requests.map((r) => [r.path, r.authorization])).toEqual([[`${RECORDING_PATH}.wav`, TWILIO_BASIC], [`${RECORDING_PATH}.mp3`, TWILIO_BASIC]]);
  });

  it('refuses a recording on another host, of another account, or in another shape', async () => {
    const foreign = await failureOf(fetchMedia({ provider: 'twilio', url: `${cdn.baseUrl}${RECORDING_PATH}.wav` }, { config: config(), logger: silentLogger() }));
    expect(foreign.code).toBe('foreign_host');
    const otherAccount = RECORDING_PATH.replace(FAKE_ACCOUNT_SID, `AC${'2'.repeat(32)}`);
    for (const path of [`${otherAccount}.wav`, `${RECORDING_PATH}.json`, `${RECORDING_PATH}.wav?x=1`, `${RECORDING_PATH}/Transcriptions`, RECORDING_PATH.replace('RE', 'XX')]) {
      const failure = await failureOf(fetchMedia({ provider: 'twilio', url: `${twilio.baseUrl}${path}` }, { config: config(), logger: silentLogger() }));
      expect({ path, code: failure.code }).toEqual({ path, code: 'bad_url' });
    }
    expect(cdn.requests).toEqual([]);
    expect(twilio.requests).toEqual([]);
  });

  it('deletes the recording resource itself, without the audio suffix', async () => {
    twilio.on('DELETE', RECORDING_PATH, (_req, res) => res.writeHead(204).end());
    await deleteTwilioMedia(`${twilio.baseUrl}${RECORDING_PATH}.wav`, { config: config(), logger: silentLogger() });
    expect(twilio.requests).toEqual([{ method: 'DELETE', path: RECORDING_PATH, authorization: TWILIO_BASIC }]);
  });
});

describe('deleting Twilio\'s copy', () => {
  it('sends DELETE with the credentials', async () => {
    twilio.on('DELETE', MEDIA_PATH, (_req, res) => res.writeHead(204).end());
    await deleteTwilioMedia(`${twilio.baseUrl}${MEDIA_PATH}`, { config: config(), logger: silentLogger() });
    expect(twilio.requests).toEqual([{ method: 'DELETE', path: MEDIA_PATH, authorization: TWILIO_BASIC }]);
  });

  it('treats 404 as already done', async () => {
    await expect(deleteTwilioMedia(`${twilio.baseUrl}${MEDIA_PATH}`, { config: config(), logger: silentLogger() })).resolves.toBeUndefined();
    expect(twilio.requests).toHaveLength(1);
  });

  it('fails retriably on 5xx and finally on 401', async () => {
    twilio.on('DELETE', MEDIA_PATH, (_req, res) => res.writeHead(503).end());
    expect(await failureOf(deleteTwilioMedia(`${twilio.baseUrl}${MEDIA_PATH}`, { config: config(), logger: silentLogger() }))).toMatchObject({ retriable: true, code: 'http_503' });
    twilio.on('DELETE', MEDIA_PATH, (_req, res) => res.writeHead(401).end());
    expect(await failureOf(deleteTwilioMedia(`${twilio.baseUrl}${MEDIA_PATH}`, { config: config(), logger: silentLogger() }))).toMatchObject({ retriable: false, code: 'http_401' });
  });

  it('refuses to delete on another host, sending nothing', async () => {
    const failure = await failureOf(deleteTwilioMedia(`${cdn.baseUrl}${MEDIA_PATH}`, { config: config(), logger: silentLogger() }));
    expect(failure.code).toBe('foreign_host');
    expect(cdn.requests).toEqual([]);
  });
});
