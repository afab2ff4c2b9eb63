import type { TwilioConfig } from '../config';

// Deleting the copies Twilio keeps of a worker's messages, media files, calls and call recordings, once
// their personal data is erased here. Requests go only to TWILIO_API_BASE_URL (a local fake in
// tests) with the account's credentials; the ids are checked before they become a path.

/** A kind of copy Twilio keeps. */
export type TwilioCopyKind = 'message' | 'media' | 'recording' | 'call';

/** Twilio refused, could not be reached, or the copy's id is not one of its own. */
export class TwilioCopyFailure extends Error {
  override name = 'TwilioCopyFailure';
  constructor(
    /** Whether trying again later may succeed. */
    readonly retriable: boolean,
    /** A short code for the record (`http_500`, `network`, `not_configured`, `bad_ref`); never the request. */
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Deletes copies at Twilio. */
export interface TwilioCopies {
  /** `deleted`, or `gone` when Twilio no longer has it (404); throws TwilioCopyFailure otherwise. */
  delete(kind: TwilioCopyKind, ref: string): Promise<'deleted' | 'gone'>;
}

const MESSAGE_SID = /^(SM|MM)[0-9a-fA-F]{32}$/;
const MEDIA_SID = /^ME[0-9a-fA-F]{32}$/;
const RECORDING_SID = /^RE[0-9a-fA-F]{32}$/;
const CALL_SID = /^CA[0-9a-fA-F]{32}$/;
const TIMEOUT_MS = 15_000;

/** The resource of a copy under the account: `Messages/SM….json`, `Messages/MM…/Media/ME….json`, `Recordings/RE….json`, `Calls/CA….json`. */
export function twilioCopyPath(kind: TwilioCopyKind, ref: string): string | undefined {
  if (kind === 'message') return MESSAGE_SID.test(ref) ? `Messages/${ref}.json` : undefined;
  if (kind === 'recording') return RECORDING_SID.test(ref) ? `Recordings/${ref}.json` : undefined;
  if (kind === 'call') return CALL_SID.test(ref) ? `Calls/${ref}.json` : undefined;
  const [message = '', media = '', ...rest] = ref.split('/');
  return MESSAGE_SID.test(message) && MEDIA_SID.test(media) && rest.length === 0 ? `Messages/${message}/Media/${media}.json` : undefined;
}

/** Builds the client over the account's credentials and API base URL. */
export function createTwilioCopies(config: Pick<TwilioConfig, 'accountSid' | 'authToken' | 'apiBaseUrl'>): TwilioCopies {
  const { accountSid, authToken } = config;
  const authorization = `Basic ${Buffer.from(`${accountSid ?? ''}:${authToken ?? ''}`).toString('base64')}`;
  return {
    async delete(kind, ref) {
      if (!accountSid || !authToken) throw new TwilioCopyFailure(false, 'not_configured', 'TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN are not set');
      const resource = twilioCopyPath(kind, ref);
      if (!resource) throw new TwilioCopyFailure(false, 'bad_ref', `not a Twilio ${kind} id`);
      let response: Response;
      try {
        response = await fetch(`${config.apiBaseUrl}/2010-04-01/Accounts/${accountSid}/${resource}`, {
          method: 'DELETE',
          headers: { authorization },
          redirect: 'error',
          signal: AbortSignal.timeout(TIMEOUT_MS),
        });
      } catch {
        throw new TwilioCopyFailure(true, 'network', 'Twilio could not be reached');
      }
      await response.body?.cancel();
      if (response.ok) return 'deleted';
      if (response.status === 404) return 'gone';
      // A 4xx may pass too (a message still being sent cannot be deleted yet): every answer is retried.
      throw new TwilioCopyFailure(true, `http_${response.status}`, `Twilio answered ${response.status}`);
    },
  };
}
