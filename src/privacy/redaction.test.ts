import { REDACTED, redactContactDetails } from './redaction';

// Each form: the language it is written in, the text, the detail that must be gone, and a word
// around it that must stay (the redaction takes the detail, not the sentence).
type Form = readonly [language: string, text: string, detail: string, kept: string];

const FORMS: readonly Form[] = [
  // English: phone numbers with every separator workers use.
  ['en', 'call me 081 234 5678 please', '081 234 5678', 'please'],
  ['en', 'my number +66-81-234-5678 ok', '81-234-5678', 'my number'],
  ['en', 'phone 081 - 234 - 5678 after work', '234 - 5678', 'after work'],
  ['en', 'phone 081,234,5678 after work', '234,5678', 'after work'],
  ['en', 'phone 081/234/5678 after work', '234/5678', 'after work'],
  ['en', 'phone 081_234_5678 after work', '234_5678', 'after work'],
  ['en', 'phone 081–234–5678 after work', '234–5678', 'after work'],
  ['en', 'phone 081—234—5678 after work', '234—5678', 'after work'],
  ['en', 'phone (081) 234.5678 after work', '234.5678', 'after work'],
  ['en', 'phone ０８１２３４５６７８ after work', '２３４５６７８', 'after work'],
  ['en', 'call zero eight one two three four five six seven eight tonight', 'five six seven', 'tonight'],
  ['en', 'call Zero-Eight-One-Two-Three-Four-Five-Six-Seven-Eight tonight', 'Five-Six-Seven', 'tonight'],
  // English: e-mail addresses, plain and written out.
  ['en', 'write to mya.mya@example.com today', 'mya.mya', 'today'],
  ['en', 'write to myamya at gmail dot com today', 'myamya', 'today'],
  ['en', 'write to myamya [at] gmail [dot] com today', 'myamya', 'today'],
  ['en', 'write to myamya(at)gmail(dot)com today', 'myamya', 'today'],
  ['en', 'write to myamya＠gmail．com today', 'myamya', 'today'],
  ['en', 'ask Ko Aung at aung.legal at gmail dot com today', 'aung.legal', 'ask Ko Aung at'],
  // English: links, with and without a scheme.
  ['en', 'find me at t.me/myamya99 today', 'myamya99', 'today'],
  ['en', 'my page facebook.com/mya.mya.123 today', 'mya.mya.123', 'today'],
  ['en', 'see https://www.facebook.com/profile.php?id=1000123 today', 'profile.php', 'today'],
  ['en', 'chat wa.me/66812345678 today', '66812345678', 'today'],
  ['en', 'add line.me/ti/p/~somchai today', 'somchai', 'today'],
  ['en', 'message m.me/somchai.k today', 'somchai.k', 'today'],
  ['en', 'open viber://chat?number=%2B66812345678 today', '66812345678', 'today'],
  // English: messenger handles, with or without a colon.
  ['en', 'Line ID somchai99 thanks', 'somchai99', 'thanks'],
  ['en', 'ID Line: somchai_k thanks', 'somchai_k', 'thanks'],
  ['en', 'my line somchai99 thanks', 'somchai99', 'thanks'],
  ['en', 'FB: mya.aung.77 thanks', 'mya.aung.77', 'thanks'],
  ['en', 'WhatsApp +60 12-345 6789 thanks', '345 6789', 'thanks'],
  ['en', 'Telegram @myamya99 thanks', 'myamya99', 'thanks'],
  ['en', 'IG mya_aung thanks', 'mya_aung', 'thanks'],
  ['en', 'Instagram: mya_aung thanks', 'mya_aung', 'thanks'],
  ['en', 'Viber 09-7812-34567 thanks', '7812-34567', 'thanks'],
  ['en', 'add @somchai_k thanks', 'somchai_k', 'thanks'],
  // English: documents.
  ['en', 'passport MB1234567 kept by boss', 'MB1234567', 'kept by boss'],
  ['en', 'passport no. mb 1234567 kept by boss', '1234567', 'kept by boss'],
  ['en', 'work permit WP-12345678 kept by boss', '12345678', 'kept by boss'],
  ['en', 'pink card 0-0012-34567-89-0 kept by boss', '34567', 'kept by boss'],
  ['en', 'ID card 1 2345 67890 12 3 kept by boss', '67890', 'kept by boss'],
  ['en', 'NRC 12/MaYaKa(N)123456 kept by boss', 'MaYaKa', 'kept by boss'],
  ['en', 'work permit number 4567 kept by boss', '4567', 'kept by boss'],
  // Burmese.
  ['my', 'ဖုန်း ၀၉၁၂၃၄၅၆၇၈ ပါ', '၀၉၁၂၃၄၅၆၇၈', 'ပါ'],
  ['my', 'ဖုန်း ၀၉-၇၈၁ ၂၃၄ ၅၆၇ ကိုဆက်ပါ', '၂၃၄ ၅၆၇', 'ကိုဆက်ပါ'],
  ['my', 'ဖုန်း ဝ၉၇၈၁၂၃၄၅၆၇ ပါ', '၇၈၁၂၃၄၅၆၇', 'ပါ'],
  ['my', 'ဖုန်း ႐႙႑႒႓႔႕႖႗႘ ပါ', '႑႒႓႔႕႖႗႘', 'ပါ'],
  ['my', 'လိုင်း myamya99 ပါ', 'myamya99', 'ပါ'],
  ['my', 'လိုင်းအိုင်ဒီ myamya ပါ', 'myamya', 'ပါ'],
  ['my', 'ဖေ့စ်ဘွတ် mya.mya.77 ပါ', 'mya.mya.77', 'ပါ'],
  ['my', 'ဗိုင်ဘာ ၀၉၄၅၆၇၈၉၀၁၂ ပါ', '၄၅၆၇၈၉၀၁၂', 'ပါ'],
  ['my', 'မှတ်ပုံတင် ၁၂/မရက(နိုင်)၁၂၃၄၅၆ ပါ', '၁၂၃၄၅၆', 'ပါ'],
  ['my', 'ပတ်စ်ပို့ MC123456 ပါ', 'MC123456', 'ပါ'],
  ['my', 'ဖုန်း သုည ကိုး တစ် နှစ် သုံး လေး ငါး ခြောက် ခုနစ် ရှစ် ပါ', 'သုံး လေး ငါး', 'ပါ'],
  ['my', 'အီးမေးလ် myamya＠gmail．com ပါ', 'myamya', 'ပါ'],
  // Khmer.
  ['km', 'លេខ ០១២៣៤៥៦៧៨ បាទ', '០១២៣៤៥៦៧៨', 'បាទ'],
  ['km', 'លេខទូរស័ព្ទ ០១២ ៣៤៥ ៦៧៨ បាទ', '៣៤៥ ៦៧៨', 'បាទ'],
  ['km', 'ហ្វេសប៊ុក sokha.chan.9 បាទ', 'sokha.chan.9', 'បាទ'],
  ['km', 'វីប៊ឺ ០៩៦ ៧៨៩ ១២៣៤ បាទ', '៧៨៩ ១២៣៤', 'បាទ'],
  ['km', 'តេឡេក្រាម @sokha_kh បាទ', 'sokha_kh', 'បាទ'],
  ['km', 'អ៊ីមែល sokha＠yahoo．com បាទ', 'sokha', 'បាទ'],
  ['km', 'លេខ សូន្យ ប្រាំបួន ប្រាំពីរ មួយ ពីរ បី បួន ប្រាំ ប្រាំមួយ បាទ', 'បី បួន', 'បាទ'],
  ['km', 'លិខិតឆ្លងដែន N01234567 បាទ', 'N01234567', 'បាទ'],
  ['km', 'ឡាញ sokha99 បាទ', 'sokha99', 'បាទ'],
  // Lao.
  ['lo', 'ເບີໂທ ໐໒໐ ໕໕໕໕ ໑໒໓໔ ເດີ', '໕໕໕໕ ໑໒໓໔', 'ເດີ'],
  ['lo', 'ໂທ 020-5555-1234 ເດີ', '5555-1234', 'ເດີ'],
  ['lo', 'ເຟສບຸກ bounmy.s ເດີ', 'bounmy.s', 'ເດີ'],
  ['lo', 'ລາຍ bounmy99 ເດີ', 'bounmy99', 'ເດີ'],
  ['lo', 'ວັອດແອັບ +856 20 5555 1234 ເດີ', '5555 1234', 'ເດີ'],
  ['lo', 'ເບີ ສູນ ສອງ ສູນ ຫ້າ ຫ້າ ຫ້າ ຫ້າ ໜຶ່ງ ສອງ ສາມ ສີ່ ເດີ', 'ຫ້າ ຫ້າ ຫ້າ ຫ້າ', 'ເດີ'],
  ['lo', 'ໜັງສືຜ່ານແດນ P1234567 ເດີ', 'P1234567', 'ເດີ'],
  // Thai.
  ['th', 'เบอร์ ๐๘๑-๒๓๔-๕๖๗๘ ค่ะ', '๒๓๔-๕๖๗๘', 'ค่ะ'],
  ['th', 'โทร 081 - 234 - 5678 นะคะ', '234 - 5678', 'นะคะ'],
  ['th', 'ไลน์ somchai99 ค่ะ', 'somchai99', 'ค่ะ'],
  ['th', 'ไอดีไลน์ somchai_k ค่ะ', 'somchai_k', 'ค่ะ'],
  ['th', 'ไลน์ไอดี: @somchai ค่ะ', 'somchai', 'ค่ะ'],
  ['th', 'เฟซบุ๊ก somchai.jaidee ค่ะ', 'somchai.jaidee', 'ค่ะ'],
  ['th', 'โทร ศูนย์แปดหนึ่งสองสามสี่ห้าหกเจ็ดแปด ค่ะ', 'สามสี่ห้า', 'ค่ะ'],
  ['th', 'โทร ศูนย์ แปด หนึ่ง โท สาม สี่ ห้า หก เจ็ด แปด ค่ะ', 'สี่ ห้า หก', 'ค่ะ'],
  ['th', 'บัตรชมพู 0 0012 34567 89 0 ค่ะ', '34567', 'ค่ะ'],
  ['th', 'อีเมล somchai แอท gmail ดอท คอม ค่ะ', 'somchai', 'ค่ะ'],
  ['th', 'พาสปอร์ต AA1234567 ค่ะ', 'AA1234567', 'ค่ะ'],
  // Vietnamese.
  ['vi', 'số điện thoại 0912.345.678 nhé', '345.678', 'nhé'],
  ['vi', 'gọi 091 234 5678 nhé', '234 5678', 'nhé'],
  ['vi', 'zalo: nguyenvana nhé', 'nguyenvana', 'nhé'],
  ['vi', 'Zalo của em 0912 345 678 nhé', '345 678', 'nhé'],
  ['vi', 'trang facebook.com/nguyen.van.a nhé', 'nguyen.van.a', 'nhé'],
  ['vi', 'email nguyenvana a còng gmail chấm com nhé', 'nguyenvana', 'nhé'],
  ['vi', 'số không chín một hai ba bốn năm sáu bảy tám nhé', 'bốn năm sáu', 'nhé'],
  ['vi', 'hộ chiếu C1234567 nhé', 'C1234567', 'nhé'],
  ['vi', 'CCCD 001234567890 nhé', '001234567890', 'nhé'],
  ['vi', 'nick fb: nguyenvana92 nhé', 'nguyenvana92', 'nhé'],
];

// Ordinary words, amounts, dates and times: none of them is a way to reach a worker.
const ORDINARY: readonly string[] = [
  'boss owes me 15000 baht for 3 months',
  'they took 1,500,000 kyat for the job',
  'we are 12 workers since 2024',
  '9,000 baht missing since 12/03/2025',
  'arrived 2025-03-12 at 10:30, paid 20% fee',
  'worked 12 hours a day, 7 days a week, from 1 May to 30 June',
  'paid $300 and RM 1,200 to the agent',
  'she is 19 years old, room 204, 3 people',
  'my boss took my phone and my passport',
  'the line manager shouted at us on the production line',
  'I sent a message on Facebook and on LINE',
  'ပိုက်ဆံ မရဘူး ၃ လ',
  'ကျွန်တော် ၁၂ နာရီ အလုပ်လုပ်ရတယ် ၁,၅၀၀,၀၀၀ ကျပ်',
  'သူဌေးက ပတ်စ်ပို့ ယူထားတယ်',
  'ខ្ញុំធ្វើការ ៣ ខែ មិនបានប្រាក់ ៩០០ ដុល្លារ',
  'ថៅកែយកលិខិតឆ្លងដែន ១២/០៣/២០២៥',
  'ເຮັດວຽກ 3 ເດືອນ ບໍ່ໄດ້ເງິນ 2,000,000 ກີບ',
  'ນາຍຈ້າງເອົາໜັງສືຜ່ານແດນໄປ ວັນທີ 12/03/2025',
  'เงินเดือน 15,000 บาท ไม่ได้รับ 3 เดือน',
  'ได้เงิน ๙,๐๐๐ บาท เมื่อวันที่ ๑๒/๐๓/๒๕๖๘ เวลา 10.30 น.',
  'นายจ้างยึดพาสปอร์ตไว้ ทำงาน 12 ชั่วโมง',
  'nợ lương 3 tháng, 9.000.000 đồng',
  'tôi làm việc 12 giờ mỗi ngày từ 01/02/2024',
  'chủ giữ hộ chiếu của tôi, năm 2024',
];

describe('redactContactDetails', () => {
  it('is tested on at least 60 forms in all six languages', () => {
    expect(FORMS.length).toBeGreaterThanOrEqual(60);
    expect(new Set(FORMS.map(([language]) => language))).toEqual(new Set(['en', 'my', 'km', 'lo', 'th', 'vi']));
  });

  it.each(FORMS)('[%s] removes the detail from %j', (_language, text, detail, kept) => {
    const redacted = redactContactDetails(text);
    expect(redacted).not.toContain(detail);
    expect(redacted).toContain(REDACTED);
    expect(redacted).toContain(kept);
  });

  it.each(ORDINARY)('keeps %j as it is', (text) => {
    expect(redactContactDetails(text)).toBe(text);
  });

  it('replaces the span as written, whatever digits it was written in', () => {
    expect(redactContactDetails('ဖုန်း ၀၉၁၂၃၄၅၆၇၈ ပါ')).toBe(`ဖုန်း ${REDACTED} ပါ`);
    expect(redactContactDetails('โทร 081 - 234 - 5678 นะคะ')).toBe(`โทร ${REDACTED} นะคะ`);
  });

  it('keeps the name of the messenger and takes the handle', () => {
    expect(redactContactDetails('Line ID somchai99 thanks')).toBe(`Line ID ${REDACTED} thanks`);
  });

  it('leaves text without any detail untouched, even when not in NFC', () => {
    const decomposed = 'tôi làm việc 3 tháng'.normalize('NFD');
    expect(redactContactDetails(decomposed)).toBe(decomposed);
  });
});
