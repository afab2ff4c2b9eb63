import { LANGUAGES } from '../../src/cases/case.vocabulary';
import { parseReportForm, statusFormSchema, fieldErrors } from '../../src/channels/web/web.schema';
import { createI18n } from '../../src/language/i18n';

const i18n = createI18n();

function messageOf(language: string, reason: string, params: Record<string, number> = {}): string {
  const t = i18n.getFixedT(language);
  return t(`web:field.${reason}`, { defaultValue: t(`errors:field.${reason}`, { defaultValue: '', ...params }), ...params });
}

const BAD_REPORT = { story: '', consent: 'maybe', contact: 'sms', phone: '0812', workers: '0', sector: 'mining', categories: ['wages', 'gambling'], province: 'x'.repeat(300) };

describe('validation messages of the web forms', () => {
  const report = parseReportForm(BAD_REPORT);
  const reportErrors = report.success ? {} : report.errors;

  it('name every bad field of the report form at once', () => {
    expect(Object.keys(reportErrors).sort()).toEqual(['categories', 'consent', 'phone', 'province', 'sector', 'story', 'workers']);
    expect(reportErrors['phone']?.reason).toBe('phone_format');
    expect(reportErrors['province']).toEqual({ reason: 'too_long', params: { maximum: 200 } });
  });

  it('ask for a number when SMS or WhatsApp is chosen without one', () => {
    const parsed = parseReportForm({ story: 'x', consent: 'yes', contact: 'whatsapp', phone: '' });
    expect(parsed.success ? {} : parsed.errors).toEqual({ phone: { reason: 'phone_required' } });
  });

  it('accept numbers as people type them', () => {
    const parsed = parseReportForm({ story: 'x', consent: 'yes', contact: 'sms', phone: '00 66 (81) 234-5678' });
    expect(parsed.success).toBe(true);
  });

  it('name a malformed reference and PIN', () => {
    const parsed = statusFormSchema.safeParse({ reference: 'K0M-4QX', pin: '12a' });
    expect(parsed.success ? {} : fieldErrors(parsed.error)).toEqual({ reference: { reason: 'reference_format' }, pin: { reason: 'pin_format' } });
  });

  const reasons = [...new Set([
    ...Object.values(reportErrors).map((error) => error.reason),
    'phone_required', 'reference_format', 'pin_format', 'too_long',
  ])];

  it.each(LANGUAGES)('are written out in %s for every reason, with numbers filled in', (language) => {
    for (const reason of reasons) {
      const message = messageOf(language, reason, { maximum: 200 });
      expect({ reason, message: message.trim() === '' ? 'EMPTY' : 'ok', placeholders: /{{/.test(message) }).toEqual({ reason, message: 'ok', placeholders: false });
      if (reason === 'too_long') expect(message).toContain('200');
      if (language !== 'en' && language !== 'vi') expect({ reason, same: message === messageOf('en', reason, { maximum: 200 }) }).toEqual({ reason, same: false });
    }
  });
});
