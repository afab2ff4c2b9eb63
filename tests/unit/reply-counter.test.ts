import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import express from 'express';
import request from 'supertest';
import { countSegments } from '../../src/channels/sms/segments';
import { replyCounterRoutes } from '../../src/console/reply-counter.routes';
import { mountRoutes } from '../../src/http/routes';

// The case page's reply box counts SMS segments while typing (public/console.js, with the counter
// served as /assets/sms-segments.js). Here both scripts run as the browser runs them, on the
// examples of src/channels/sms/segments.test.ts, and must say what the server says.

const THAI_KO = 'ก';
const BURMESE_KA = 'က';
const TEMPLATE = '{{encoding}} {{units}} {{segments}}';

const EXAMPLES: Record<string, string> = {
  empty: '',
  '160 GSM-7 characters': 'a'.repeat(160),
  '161 GSM-7 characters': 'a'.repeat(161),
  '307 GSM-7 characters': 'a'.repeat(307),
  'an extension character at the boundary': 'a'.repeat(159) + '€',
  'an escape pair that would straddle segments': 'a'.repeat(152) + '€' + 'a'.repeat(152),
  '71 Thai characters': THAI_KO.repeat(71),
  '135 Thai characters': THAI_KO.repeat(135),
  'an emoji at a segment boundary': THAI_KO.repeat(66) + '😀' + THAI_KO.repeat(66),
  'a Burmese cluster at a segment boundary': BURMESE_KA.repeat(65) + 'နှို' + BURMESE_KA.repeat(65),
  'Vietnamese with diacritics': 'Chủ không trả lương',
  'one Burmese letter after Latin': 'a'.repeat(100) + 'မ',
};

interface FakeElement {
  value: string;
  textContent: string;
  getAttribute(name: string): string | null;
  addEventListener(type: string, listener: () => void): void;
}

/** A page with the reply box, after both scripts ran; `type` sets the text and fires `input`. */
async function replyBox(): Promise<{ type(text: string): string }> {
  const app = express();
  app.use(mountRoutes(express.Router(), replyCounterRoutes(), async () => undefined));
  const served = await request(app).get('/assets/sms-segments.js').expect(200).expect('Content-Type', /javascript/);
  const listeners: Array<() => void> = [];
  const box: FakeElement = { value: '', textContent: '', getAttribute: () => null, addEventListener: (_type, listener) => listeners.push(listener) };
  const out: FakeElement = { value: '', textContent: '', getAttribute: (name) => (name === 'data-template' ? TEMPLATE : null), addEventListener: () => undefined };
  const elements: Record<string, FakeElement> = { 'reply-body': box, 'reply-counter': out };
  const page = vm.createContext({ document: { getElementById: (id: string) => elements[id] ?? null }, Intl });
  vm.runInContext('var window = this;', page);
  vm.runInContext(served.text, page);
  vm.runInContext(fs.readFileSync(path.resolve(__dirname, '../../public/console.js'), 'utf8'), page);
  return {
    type(text) {
      box.value = text;
      for (const listener of listeners) listener();
      return out.textContent;
    },
  };
}

describe('the reply box SMS counter (browser)', () => {
  it.each(Object.entries(EXAMPLES))('counts %s as the server does', async (_name, text) => {
    const server = countSegments(text);
    const page = await replyBox();
    expect(page.type(text)).toBe(`${server.encoding} ${server.units} ${server.segments}`);
  });

  it('counts the Burmese example in three segments, as the server refuses or sends it', async () => {
    const page = await replyBox();
    expect(page.type(EXAMPLES['a Burmese cluster at a segment boundary'] ?? '')).toBe('UCS-2 134 3');
  });
});
