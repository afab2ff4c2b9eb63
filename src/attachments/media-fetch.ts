// Fetching a worker's file from the provider that holds it, with every bound in place: only from the
// provider's own host (credentials never leave it), at most one redirect and never to plain http, a
// total time limit and a byte limit. The webhook only records the media URL; this runs in a job.
//
// Out of scope here: Viber's media URLs are any https URL Viber's webhook names (it serves them from
// its CDN, whose hosts it does not publish), and private or loopback addresses behind a hostname are
// not refused. The webhook is signed, so the URL comes from Viber; an allow-list of hosts or a
// resolver that refuses private IPs is left for later.
import { Readable } from 'node:stream';
import type { LineConfig, TwilioConfig } from '../config';
import type { Logger } from '../observability/logger';
import { MAX_ATTACHMENT_BYTES } from './inspect';

/** Where a file is: a Twilio Media URL, LINE's `line-content:<messageId>` (or an external provider's https URL), or a Viber https URL. */
export type MediaSource =
  | { provider: 'twilio'; url: string }
  | { provider: 'line'; url: string }
  | { provider: 'viber'; url: string };

export interface MediaFetchConfig {
  twilio: Pick<TwilioConfig, 'accountSid' | 'authToken' | 'apiBaseUrl'>;
  line: Pick<LineConfig, 'channelAccessToken' | 'dataApiBaseUrl'>;
  /** Viber's API base URL: only its protocol is used — with http (a local fake), media URLs may be http too. */
  viber: { apiBaseUrl: string };
}

export interface MediaFetchLimits {
  maxBytes: number;
  /** The whole fetch, headers and body, redirect included. */
  timeoutMs: number;
}

export const DEFAULT_MEDIA_FETCH_LIMITS: MediaFetchLimits = { maxBytes: MAX_ATTACHMENT_BYTES, timeoutMs: 30_000 };

export type MediaFailureCode =
  | 'foreign_host'
  | 'bad_url'
  | 'bad_redirect'
  | 'not_configured'
  | 'too_large'
  | 'timed_out'
  | 'network'
  | `http_${number}`;

/** Why fetching or deleting media failed: retriable on 429, 5xx, timeouts and network errors; never otherwise. */
export class MediaFailure extends Error {
  override name = 'MediaFailure';
  constructor(
    readonly retriable: boolean,
    readonly code: MediaFailureCode,
    message: string,
  ) {
    super(message);
  }
}

export interface MediaFetchOptions {
  config: MediaFetchConfig;
  logger: Logger;
  limits?: MediaFetchLimits;
}

// Twilio's Media resource: /2010-04-01/Accounts/AC…/Messages/MM…/Media/ME… (SM… for SMS-era message ids).
const TWILIO_MEDIA_PATH = /^\/2010-04-01\/Accounts\/(AC[0-9a-fA-F]{32})\/Messages\/(MM|SM)[0-9a-fA-F]{32}\/Media\/ME[0-9a-fA-F]{32}$/;
// A call's recording: /2010-04-01/Accounts/AC…/Recordings/RE…, its audio served with a .wav or .mp3 suffix.
const TWILIO_RECORDING_PATH = /^\/2010-04-01\/Accounts\/(AC[0-9a-fA-F]{32})\/Recordings\/(RE[0-9a-fA-F]{32})(\.wav|\.mp3)?$/;
const LINE_CONTENT = /^line-content:(\d{1,32})$/;

/**
 * The file's bytes as a stream. Refusals before any byte (foreign host, bad URL, HTTP errors, a
 * Content-Length over the limit) reject the promise; a body over the limit or past the deadline
 * makes the stream fail with a MediaFailure (`too_large`, `timed_out`) and stops reading.
 */
export async function fetchMedia(source: MediaSource, options: MediaFetchOptions): Promise<Readable> {
  const limits = options.limits ?? DEFAULT_MEDIA_FETCH_LIMITS;
  const request = requestFor(source, options);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new MediaFailure(true, 'timed_out', 'the media fetch took too long')), limits.timeoutMs);
  try {
    const response = await getFollowingOneRedirect(request, controller.signal);
    checkDeclaredLength(response, limits.maxBytes);
    if (!response.body) return emptyStream(timer);
    return Readable.from(bounded(response.body, limits.maxBytes, controller, timer));
  } catch (error) {
    clearTimeout(timer);
    controller.abort();
    throw asMediaFailure(error, controller.signal);
  }
}

/**
 * Deletes Twilio's copy of a media file or a call's recording once we stored ours (a recording is
 * deleted on its resource, without the audio suffix); a 404 means it is already gone.
 */
export async function deleteTwilioMedia(url: string, options: Omit<MediaFetchOptions, 'limits'> & { timeoutMs?: number }): Promise<void> {
  const target = twilioMediaUrl(url, options);
  target.pathname = target.pathname.replace(/\.(wav|mp3)$/, '');
  const signal = AbortSignal.timeout(options.timeoutMs ?? 15_000);
  let response: Response;
  try {
    response = await fetch(target, { method: 'DELETE', headers: { authorization: twilioAuthorization(options.config) }, redirect: 'manual', signal });
  } catch (error) {
    throw asMediaFailure(error, signal);
  }
  await response.body?.cancel();
  if (response.ok || response.status === 404) return;
  throw httpFailure(response.status, 'delete');
}

interface PreparedRequest {
  url: URL;
  headers: Record<string, string>;
  /** Whether a redirect may go to plain http (only when the provider's configured base URL is http itself). */
  allowHttp: boolean;
}

function requestFor(source: MediaSource, options: MediaFetchOptions): PreparedRequest {
  const { config } = options;
  if (source.provider === 'twilio') {
    const url = twilioMediaUrl(source.url, options);
    return { url, headers: { authorization: twilioAuthorization(config) }, allowHttp: url.protocol === 'http:' };
  }
  if (source.provider === 'line') {
    const id = LINE_CONTENT.exec(source.url)?.[1];
    // Content sent through an external provider lives at its own https URL, fetched without LINE's token.
    const external = id ? undefined : parseUrl(source.url);
    if (external?.protocol === 'https:') return { url: external, headers: {}, allowHttp: false };
    if (!id) throw new MediaFailure(false, 'bad_url', 'a LINE media source must be line-content:<messageId> or an https URL');
    if (!config.line.channelAccessToken) throw new MediaFailure(false, 'not_configured', 'LINE_CHANNEL_ACCESS_TOKEN is not set');
    const url = new URL(`${config.line.dataApiBaseUrl}/v2/bot/message/${id}/content`);
    return { url, headers: { authorization: `Bearer ${config.line.channelAccessToken}` }, allowHttp: url.protocol === 'http:' };
  }
  const allowHttp = new URL(config.viber.apiBaseUrl).protocol === 'http:';
  const url = parseUrl(source.url);
  if (!url || !isAllowedProtocol(url, allowHttp)) throw new MediaFailure(false, 'bad_url', 'a Viber media URL must be https');
  return { url, headers: {}, allowHttp };
}

/** The URL, if it is a Media resource or a recording on the configured Twilio API host; anything else is refused and its host logged. */
function twilioMediaUrl(raw: string, options: Omit<MediaFetchOptions, 'limits'>): URL {
  const { twilio } = options.config;
  if (!twilio.accountSid || !twilio.authToken) throw new MediaFailure(false, 'not_configured', 'TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN are not set');
  const url = parseUrl(raw);
  if (!url || url.origin !== new URL(twilio.apiBaseUrl).origin) {
    // The host only: the rest of a URL can carry ids or signed tokens.
    options.logger.warn({ host: url?.host ?? 'unparseable' }, 'media URL refused: not the Twilio API host');
    throw new MediaFailure(false, 'foreign_host', 'the media URL is not on the Twilio API host');
  }
  const account = TWILIO_MEDIA_PATH.exec(url.pathname)?.[1] ?? TWILIO_RECORDING_PATH.exec(url.pathname)?.[1];
  if (!account || account !== twilio.accountSid || url.search !== '' || url.username !== '' || url.password !== '') {
    throw new MediaFailure(false, 'bad_url', 'the URL is not a Media resource or recording of this Twilio account');
  }
  return url;
}

function twilioAuthorization(config: MediaFetchConfig): string {
  return `Basic ${Buffer.from(`${config.twilio.accountSid ?? ''}:${config.twilio.authToken ?? ''}`).toString('base64')}`;
}

/**
 * GET with credentials; a 3xx is followed once, to https only and without any credentials: Twilio
 * answers a media GET with a 307 to a signed URL on its storage CDN, which needs none.
 */
async function getFollowingOneRedirect(request: PreparedRequest, signal: AbortSignal): Promise<Response> {
  const first = await fetch(request.url, { headers: request.headers, redirect: 'manual', signal });
  if (!isRedirect(first.status)) return okOrThrow(first);
  await first.body?.cancel();
  const location = first.headers.get('location');
  const target = location ? parseUrl(location, request.url) : undefined;
  if (!target || !isAllowedProtocol(target, request.allowHttp)) {
    throw new MediaFailure(false, 'bad_redirect', 'the media redirect does not go to an https URL');
  }
  const second = await fetch(target, { redirect: 'manual', signal });
  if (isRedirect(second.status)) {
    await second.body?.cancel();
    throw new MediaFailure(false, 'bad_redirect', 'the media redirected more than once');
  }
  return okOrThrow(second);
}

async function okOrThrow(response: Response): Promise<Response> {
  if (response.ok) return response;
  await response.body?.cancel();
  throw httpFailure(response.status, 'fetch');
}

function checkDeclaredLength(response: Response, maxBytes: number): void {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    void response.body?.cancel();
    throw new MediaFailure(false, 'too_large', `the media is larger than ${maxBytes} bytes`);
  }
}

/** The body, failing with `too_large` past maxBytes (the download is aborted, not read to the end). */
async function* bounded(body: ReadableStream<Uint8Array>, maxBytes: number, controller: AbortController, timer: NodeJS.Timeout): AsyncGenerator<Buffer> {
  let total = 0;
  try {
    for await (const chunk of body) {
      total += chunk.byteLength;
      if (total > maxBytes) {
        controller.abort(new MediaFailure(false, 'too_large', `the media is larger than ${maxBytes} bytes`));
        break;
      }
      yield Buffer.from(chunk);
    }
  } catch (error) {
    throw asMediaFailure(error, controller.signal);
  } finally {
    clearTimeout(timer);
  }
  if (controller.signal.aborted) throw asMediaFailure(controller.signal.reason, controller.signal);
}

function emptyStream(timer: NodeJS.Timeout): Readable {
  clearTimeout(timer);
  return Readable.from([]);
}

function httpFailure(status: number, what: 'fetch' | 'delete'): MediaFailure {
  return new MediaFailure(status === 429 || status >= 500, `http_${status}`, `the media ${what} was answered with HTTP ${status}`);
}

function asMediaFailure(error: unknown, signal: AbortSignal): MediaFailure {
  if (error instanceof MediaFailure) return error;
  if (signal.reason instanceof MediaFailure) return signal.reason;
  if (signal.aborted) return new MediaFailure(true, 'timed_out', 'the media request took too long');
  return new MediaFailure(true, 'network', 'the media request failed on the network');
}

function isRedirect(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}

function isAllowedProtocol(url: URL, allowHttp: boolean): boolean {
  return url.protocol === 'https:' || (allowHttp && url.protocol === 'http:');
}

function parseUrl(raw: string, base?: URL): URL | undefined {
  try {
    return new URL(raw, base);
  } catch {
    return undefined;
  }
}
