import { countryFromPhone, matchPlace } from './place-matcher';

describe('matchPlace', () => {
  it.each([
    ['Mahachai', 'TH', 'TH-74'],
    ['I work in Mae Sot', 'TH', 'TH-63'],
    ['KL', 'MY', 'MY-14'],
    ['in KL now', 'MY', 'MY-14'],
    ['K.L.', 'MY', 'MY-14'],
    ['kuala lumpur!!', 'MY', 'MY-14'],
    ['มหาชัย', 'TH', 'TH-74'],
    ['ทำงานที่มหาชัยค่ะ', 'TH', 'TH-74'],
    ['ကျွန်တော် မဟာချိုင်မှာ အလုပ်လုပ်တယ်', 'TH', 'TH-74'],
    ['ភ្នំពេញ', 'KH', 'KH-12'],
    ['ខ្ញុំ\u200Bធ្វើការ\u200Bនៅ\u200Bភ្នំពេញ', 'KH', 'KH-12'],
    ['ຢູ່ສະຫວັນນະເຂດ', 'LA', 'LA-SV'],
    ['Tôi làm ở Hà Tĩnh', 'VN', 'VN-23'],
    ['ทำงานที่Mae Sotครับ', 'TH', 'TH-63'],
    ['Ｍａｈａｃｈａｉ', 'TH', 'TH-74'],
    // Names workers write in their own scripts for the common places (#18).
    ['ខ្ញុំធ្វើការនៅមហាជ័យ', 'TH', 'TH-74'],
    ['ម៉ាហាជ័យ', 'TH', 'TH-74'],
    ['ຢູ່ສະໝຸດສາຄອນ', 'TH', 'TH-74'],
    ['ເຮັດວຽກຢູ່ກຸງເທບ', 'TH', 'TH-10'],
    ['ក្រុងទេព', 'TH', 'TH-10'],
    ['อยู่กทม', 'TH', 'TH-10'],
    ['ແມ່ສອດ', 'TH', 'TH-63'],
    ['ทำงานที่พัทยา', 'TH', 'TH-20'],
    ['ປະທຸມທານີ', 'TH', 'TH-13'],
    ['ហាតយ៉ៃ', 'TH', 'TH-90'],
    ['ปีนัง', 'MY', 'MY-07'],
    ['มาจากย่างกุ้ง', 'MM', 'MM-06'],
    ['ปอยเปต', 'KH', 'KH-1'],
    ['Tôi ở Viêng Chăn', 'LA', 'LA-VT'],
  ])('finds the province in %j', (answer, country, province) => {
    expect(matchPlace(answer)).toEqual({ country, province });
  });

  it('prefers the longest matching name', () => {
    // "Kawthaung side" is Ranong in Thailand; Kawthaung alone is in Tanintharyi.
    expect(matchPlace('ကော့သောင်းဘက်မှာ')).toEqual({ country: 'TH', province: 'TH-85' });
    expect(matchPlace('ကော့သောင်းမှာ')).toEqual({ country: 'MM', province: 'MM-05' });
  });

  it('matches Latin names on word boundaries only', () => {
    expect(matchPlace('Klong Toey')).toEqual({});
    expect(matchPlace('KLONG')).toEqual({});
  });

  it.each([
    ['somewhere in Thailand', 'TH'],
    ['ประเทศไทย', 'TH'],
    ['ထိုင်းမှာ', 'TH'],
    ['Malaysia, near the port', 'MY'],
    ['ມາເລເຊຍ', 'MY'],
    ['ម៉ាឡេស៊ី', 'MY'],
    ['Tôi ở Mã Lai', 'MY'],
    ['Việt Nam', 'VN'],
    ['ឡាវ', 'LA'],
    ['ກຳປູເຈຍ', 'KH'],
  ])('falls back to the country named in %j', (answer, country) => {
    expect(matchPlace(answer)).toEqual({ country });
  });

  it('does not read the Vietnamese word "lao động" (labour) as Laos', () => {
    expect(matchPlace('lao động')).toEqual({});
  });

  it('finds nothing in an answer that names no known place', () => {
    expect(matchPlace('at the factory near the river')).toEqual({});
    expect(matchPlace('')).toEqual({});
  });
});

describe('countryFromPhone', () => {
  it.each([
    ['+66812345678', 'TH'],
    ['+60123456789', 'MY'],
    ['+959712345678', 'MM'],
    ['+85512345678', 'KH'],
    ['+8562012345678', 'LA'],
    ['+84912345678', 'VN'],
    ['whatsapp:+66812345678', 'TH'],
  ])('reads %s as %s', (phone, country) => {
    expect(countryFromPhone(phone)).toBe(country);
  });

  it('knows nothing of other countries', () => {
    expect(countryFromPhone('+447911123456')).toBeUndefined();
    expect(countryFromPhone('0812345678')).toBeUndefined();
  });
});
