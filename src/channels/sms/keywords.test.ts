import { isResubscribeWord, normaliseKeywordText, parseKeyword } from './keywords';
import { parseYesNo } from './yes-no';

describe('SMS keywords', () => {
  it.each([
    ['STOP', { kind: 'stop' }], ['stop.', { kind: 'stop' }], [' Unsubscribe ', { kind: 'stop' }], ['ရပ်', { kind: 'stop' }],
    ['ឈប់', { kind: 'stop' }], ['ຢຸດ', { kind: 'stop' }], ['หยุด', { kind: 'stop' }], ['DỪNG', { kind: 'stop' }], ['Hủy', { kind: 'stop' }],
    ['START', { kind: 'start' }], ['unstop', { kind: 'start' }],
    ['help', { kind: 'help' }], ['INFO', { kind: 'help' }], ['ជំនួយ', { kind: 'help' }], ['giúp', { kind: 'help' }],
    ['LANG', { kind: 'language_menu' }], ['ภาษา', { kind: 'language_menu' }],
    ['ខ្មែរ', { kind: 'language', language: 'km' }], ['Tiếng Việt', { kind: 'language', language: 'vi' }], ['english', { kind: 'language', language: 'en' }],
    ['SAFE', { kind: 'discreet', on: true }], ['normal', { kind: 'discreet', on: false }],
    ['STATUS', { kind: 'status' }], ['status k7m-4qx', { kind: 'status', reference: 'K7M-4QX' }], ['အခြေအနေ K7M 4QX', { kind: 'status', reference: 'K7M-4QX' }],
    ['NEW', { kind: 'new', story: '' }], ['new my friend is missing', { kind: 'new', story: 'my friend is missing' }],
  ])('reads %j as a keyword', (text, keyword) => {
    expect(parseKeyword(text)).toEqual(keyword);
  });

  it.each([
    'DELETE', 'delete', 'Delete.', 'erase', 'delete my data', 'ဖျက်', 'ဖျက်ပါ', 'ဖျက်ပေးပါ', 'លុប', 'លុបទិន្នន័យ', 'ລຶບ', 'ລົບ', 'ລຶບຂໍ້ມູນ', 'ลบ', 'ลบข้อมูล',
    'XÓA', 'xóa', 'xoá', 'XOA', 'xoa', 'Xóa dữ liệu', 'xoa du lieu',
  ])('reads %j as the request to erase the worker\'s data', (text) => {
    expect(parseKeyword(text)).toEqual({ kind: 'erase' });
  });

  it('reads "delete" typed on a Zawgyi phone', () => {
    // ဖျက် and ဖျက်ပေးပါ as a Zawgyi keyboard types them: medial ya and asat on other code points.
    expect(parseKeyword('\u1016\u103a\u1000\u1039')).toEqual({ kind: 'erase' });
    expect(parseKeyword('\u1016\u103a\u1000\u1039\u1031\u1015\u1038\u1015\u102b')).toEqual({ kind: 'erase' });
  });

  it.each([
    ['\u101B\u1015\u1039', { kind: 'stop' }], // ရပ် (stop)
    ['\u101B\u1015\u1039\u1015\u102B', { kind: 'stop' }], // ရပ်ပါ
    ['\u1005\u1010\u1004\u1039', { kind: 'start' }], // စတင် (start)
    ['\u1021\u1031\u103B\u1001\u1021\u1031\u1014', { kind: 'status' }], // အခြေအနေ (status)
    ['\u1021\u1031\u103B\u1001\u1021\u1031\u1014 K7M 4QX', { kind: 'status', reference: 'K7M-4QX' }],
  ])('reads the Burmese keyword %j typed on a Zawgyi phone', (text, keyword) => {
    expect(parseKeyword(text)).toEqual(keyword);
  });

  it('lets a worker who typed START on a Zawgyi phone back in', () => {
    expect(isResubscribeWord('\u1005\u1010\u1004\u1039')).toBe(true);
    expect(isResubscribeWord('\u101B\u1015\u1039')).toBe(false);
  });

  it.each(['delete these messages?', 'I deleted the messages', 'my boss said to erase the photos', 'ลบข้อความแล้ว'])('does not read %j as an erasure request', (text) => {
    expect(parseKeyword(text)).toBeUndefined();
  });

  it('does not read "đúng" (right) or "đừng" (don\'t) as the stop word "dừng", typed with or without marks', () => {
    for (const stop of ['dừng', 'DỪNG!', 'dung', 'Dừng lại', 'dung lai', 'hủy', 'huỷ', 'huy']) expect(parseKeyword(stop)).toEqual({ kind: 'stop' });
    for (const other of ['đúng', 'Đúng.', 'đừng', 'đựng']) expect(parseKeyword(other)).toBeUndefined();
  });

  it.each(['please stop the boss', 'my boss does not pay', 'newspaper', 'status?? of my pay is bad'.slice(0, 0), ''])('does not read %j as a keyword', (text) => {
    expect(parseKeyword(text)).toBeUndefined();
  });

  it('reads yes and no in every language', () => {
    for (const yes of ['YES', 'y', 'ဟုတ်ကဲ့', 'បាទ', 'ចាស', 'ແມ່ນ', 'ใช่', 'CÓ', 'đồng ý', '1']) expect(parseYesNo(yes)).toBe(true);
    for (const no of ['NO', 'n', 'မဟုတ်ဘူး', 'ទេ', 'ບໍ່', 'ไม่', 'Không', '2']) expect(parseYesNo(no)).toBe(false);
    expect(parseYesNo('maybe later')).toBeUndefined();
  });

  it('treats Twilio\'s YES as a re-subscribe word', () => {
    expect(isResubscribeWord('yes')).toBe(true);
    expect(isResubscribeWord('hello')).toBe(false);
  });

  it('normalises case, Vietnamese marks and trailing punctuation', () => {
    expect(normaliseKeywordText('  ĐỒNG Ý!! ')).toBe('dong y');
    expect(normaliseKeywordText('ရပ်။')).toBe('ရပ်');
  });
});
