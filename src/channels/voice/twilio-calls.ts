import type { TwilioConfig } from '../../config';

// A small client of Twilio's Calls API for call-backs: start a call, and end one. Requests go only
// to TWILIO_API_BASE_URL (a local fake in tests) with the account's credentials. Phone numbers pass
// through here to Twilio and nowhere else: errors name the status, never the request.

/** What starting an outbound call needs. */
export interface OutboundCall {
  /** The number Twilio rings first. */
  to: string;
  /** The caller ID it shows. */
  from: string;
  /** Where Twilio fetches the call's TwiML once it is answered. */
  url: string;
  /** Where Twilio reports the call's progress. */
  statusCallback: string;
}

/** The Calls API, as the call-backs use it. */
export interface TwilioCalls {
  /** True when an account is configured: calls can be made. */
  readonly configured: boolean;
  /** Starts a call; its CallSid. */
  startCall(call: OutboundCall): Promise<string>;
  /** Ends a call in progress (or cancels one still ringing). */
  endCall(callSid: string): Promise<void>;
}

/** Twilio refused or could not be reached; `status` 0 when no answer came. */
export class TwilioCallFailure extends Error {
  override name = 'TwilioCallFailure';
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

const CALL_SID = /^CA[0-9a-fA-F]{32}$/;
/** How long a request to Twilio may take. */
const TIMEOUT_MS = 10_000;

/** Builds the client over the account's credentials and API base URL. */
export function createTwilioCalls(config: Pick<TwilioConfig, 'accountSid' | 'authToken' | 'apiBaseUrl'>): TwilioCalls {
  const { accountSid, authToken } = config;
  const authorization = `Basic ${Buffer.from(`${accountSid ?? ''}:${authToken ?? ''}`).toString('base64')}`;
  const callsUrl = `${config.apiBaseUrl}/2010-04-01/Accounts/${accountSid ?? ''}/Calls`;
  const post = async (url: string, form: Record<string, string>): Promise<unknown> => {
    if (!accountSid || !authToken) throw new TwilioCallFailure(0, 'TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN are not set');
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form).toString(),
        redirect: 'error',
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch {
      throw new TwilioCallFailure(0, 'Twilio could not be reached');
    }
    const body: unknown = await response.json().catch(() => undefined);
    if (!response.ok) {
      const code = typeof body === 'object' && body !== null && 'code' in body ? ` (error ${String((body as { code: unknown }).code)})` : '';
      throw new TwilioCallFailure(response.status, `Twilio answered ${response.status}${code}`);
    }
    return body;
  };
  return {
    configured: Boolean(accountSid && authToken),
    async startCall(call) {
      const body = await post(`${callsUrl}.json`, {
        To: call.to,
        From: call.from,
        Url: call.url,
        Method: 'POST',
        StatusCallback: call.statusCallback,
        StatusCallbackMethod: 'POST',
        // The caseworker's leg is never recorded either.
        Record: 'false',
      });
      const sid = typeof body === 'object' && body !== null && 'sid' in body ? String((body as { sid: unknown }).sid) : '';
      if (!CALL_SID.test(sid)) throw new TwilioCallFailure(502, 'Twilio answered without a CallSid');
      return sid;
    },
    async endCall(callSid) {
      if (!CALL_SID.test(callSid)) return;
      await post(`${callsUrl}/${callSid}.json`, { Status: 'completed' });
    },
  };
}
