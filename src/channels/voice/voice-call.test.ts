import { answerStep, initialCallState, startCall, type CallSetting, type CallState, type VoiceVerb } from './voice-call';
import { escapeXml, renderTwiml, type PromptBook } from './twiml';

const setting = (overrides: Partial<CallSetting> = {}): CallSetting => ({
  offered: ['th', 'vi', 'en'], defaultLanguage: 'en', language: null, hasOpenCase: false, canCallBack: true, ...overrides,
});

const at = (step: CallState['step'], overrides: Partial<CallState> = {}): CallState => ({ ...initialCallState(), step, ...overrides });

const spoken = (verbs: VoiceVerb[]) => verbs.flatMap((verb) => {
  if (verb.verb === 'speak') return [verb.utterance.kind === 'prompt' ? verb.utterance.key : 'REFERENCE'];
  if (verb.verb === 'gather') return [`gather:${verb.step}`];
  return [verb.verb];
});

describe('the voice call', () => {
  it('skips the language menu when the line speaks one language', () => {
    const turn = startCall(setting({ offered: ['en'] }));
    expect(turn.actions).toEqual([{ type: 'set_language', language: 'en' }]);
    expect(spoken(turn.verbs)).toEqual(['safety', 'gather:category']);
  });

  it('does not take the key of a language the line cannot speak', () => {
    const first = answerStep({ step: 'language', digits: '2', state: at('language'), setting: setting() });
    expect(first.actions).toEqual([]);
    expect(spoken(first.verbs)).toEqual(['gather:language']);
    const second = answerStep({ step: 'language', digits: '3', state: first.state, setting: setting({ defaultLanguage: 'vi' }) });
    expect(second.actions).toEqual([{ type: 'set_language', language: 'vi' }]);
  });

  it('asks for the message once more when none came, then says goodbye without a case number', () => {
    const state = at('record', { recordPending: true });
    const again = answerStep({ step: 'record', digits: '', state, setting: setting({ language: 'th' }) });
    expect(spoken(again.verbs)).toEqual(['record_none', 'record']);
    expect(again.state.recordPending).toBe(true);
    const done = answerStep({ step: 'record', digits: '', state: again.state, setting: setting({ language: 'th' }) });
    expect(spoken(done.verbs)).toEqual(['goodbye', 'hangup']);
    expect(done.state).toMatchObject({ step: 'done', recordPending: false, recorded: false });
  });

  it('does not offer a call-back to a withheld number', () => {
    const turn = answerStep({
      step: 'record', digits: '#', recording: { url: 'https://api.twilio.com/x', sid: `RE${'1'.repeat(32)}` }, state: at('record', { recordPending: true }), setting: setting({ language: 'en', canCallBack: false }),
    });
    expect(spoken(turn.verbs)).toEqual(['reference', 'REFERENCE', 'reference_again', 'REFERENCE', 'goodbye', 'hangup']);
  });

  it('asks the waiting question again when a request is for another step', () => {
    const turn = answerStep({ step: 'language', digits: '1', state: at('callback'), setting: setting({ language: 'en' }) });
    expect(turn.actions).toEqual([]);
    expect(spoken(turn.verbs)).toEqual(['gather:callback']);
  });
});

describe('the TwiML writer', () => {
  it('escapes what it writes', () => {
    expect(escapeXml(`<a href="x">&'`)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&apos;');
    const book: PromptBook = {
      recordingUrl: () => undefined,
      words: () => 'Tom & "Jerry" <press 1>',
      reference: undefined,
      stepUrl: (step) => `https://hotline.example.org/webhooks/twilio/voice/step?step=${step}&x=<1>`,
      recordingCallbackUrl: 'https://hotline.example.org/webhooks/twilio/voice/recording',
    };
    const xml = renderTwiml([{ verb: 'gather', step: 'category', utterances: [{ kind: 'prompt', key: 'retry', language: 'en' }] }], book);
    expect(xml).toContain('action="https://hotline.example.org/webhooks/twilio/voice/step?step=category&amp;x=&lt;1&gt;"');
    expect(xml).toContain('>Tom &amp; &quot;Jerry&quot; &lt;press 1&gt;</Say>');
  });
});
