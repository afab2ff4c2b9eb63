// Countries and provinces of the corridors the hotline serves (ISO 3166), with the names
// workers use for them in every supported language. Matching keeps the raw answer too.

export const DESTINATION_COUNTRIES = ['TH', 'MY'] as const;
export const ORIGIN_COUNTRIES = ['MM', 'KH', 'LA', 'VN'] as const;
export const COUNTRIES = [...DESTINATION_COUNTRIES, ...ORIGIN_COUNTRIES] as const;
export type CountryCode = (typeof COUNTRIES)[number];

export interface Province {
  code: string;
  country: CountryCode;
  name: string;
  /** Other names and spellings, in any script, matched case-insensitively. */
  aliases: readonly string[];
  /** Names that are also everyday words ("Tak" is Malay for "not"): never matched in free text. */
  ambiguous?: readonly string[];
}

/** Each country's nationality-language, used to guess a worker's nationality from their language. */
export const COUNTRY_LANGUAGE: Readonly<Record<CountryCode, string>> = {
  TH: 'th', MY: 'en', MM: 'my', KH: 'km', LA: 'lo', VN: 'vi',
};

export const PROVINCES: readonly Province[] = [
  { code: 'TH-10', country: 'TH', name: 'Bangkok', aliases: ['BKK', 'Krung Thep', 'กรุงเทพ', 'กรุงเทพมหานคร', 'ဘန်ကောက်', 'បាងកក', 'ບາງກອກ', 'Băng Cốc', 'กทม', 'ກຸງເທບ', 'ក្រុងទេព'] },
  { code: 'TH-74', country: 'TH', name: 'Samut Sakhon', aliases: ['Mahachai', 'Maha Chai', 'สมุทรสาคร', 'มหาชัย', 'မဟာချိုင်', 'ម៉ាហាឆៃ', 'មហាជ័យ', 'ម៉ាហាជ័យ', 'សាមុតសាខន', 'ມະຫາໄຊ', 'ສະໝຸດສາຄອນ'] },
  { code: 'TH-11', country: 'TH', name: 'Samut Prakan', aliases: ['Pak Nam', 'สมุทรปราการ', 'ပါကနမ်', 'សាមុតប្រាកាន', 'ສະໝຸດປາການ'] },
  { code: 'TH-20', country: 'TH', name: 'Chon Buri', aliases: ['Chonburi', 'Pattaya', 'Si Racha', 'ชลบุรี', 'ချုံဘူရီ', 'ជលបុរី', 'พัทยา', 'ศรีราชา', 'ប៉ាតាយ៉ា', 'ຊົນບູລີ', 'ພັດທະຍາ'] },
  { code: 'TH-13', country: 'TH', name: 'Pathum Thani', aliases: ['Rangsit', 'ปทุมธานี', 'รังสิต', 'ပသွန်ဌာနီ', 'បទុមថានី', 'ປະທຸມທານີ'] },
  { code: 'TH-50', country: 'TH', name: 'Chiang Mai', aliases: ['Chiangmai', 'เชียงใหม่', 'ချင်းမိုင်', 'ឈៀងម៉ៃ', 'ຊຽງໃໝ່'] },
  { code: 'TH-63', country: 'TH', name: 'Tak', aliases: ['Mae Sot', 'Maesot', 'จังหวัดตาก', 'แม่สอด', 'မဲဆောက်', 'ម៉ែសុត', 'ແມ່ສອດ'], ambiguous: ['Tak'] },
  { code: 'TH-85', country: 'TH', name: 'Ranong', aliases: ['ระนอง', 'ရနောင်း', 'ကော့သောင်းဘက်'] },
  { code: 'TH-21', country: 'TH', name: 'Rayong', aliases: ['ระยอง', 'ရာယောင်း', 'រ៉ាយ៉ុង', 'ລະຍອງ'] },
  { code: 'TH-83', country: 'TH', name: 'Phuket', aliases: ['ภูเก็ต', 'ဖူးခက်', 'ភូកេត', 'ພູເກັດ'] },
  { code: 'TH-90', country: 'TH', name: 'Songkhla', aliases: ['Hat Yai', 'Hatyai', 'สงขลา', 'หาดใหญ่', 'ဟတ်ယိုင်', 'ហាតយ៉ៃ', 'ຫາດໃຫຍ່'] },
  { code: 'TH-84', country: 'TH', name: 'Surat Thani', aliases: ['สุราษฎร์ธานี', 'ဆူရတ်ဌာနီ'] },
  { code: 'MY-14', country: 'MY', name: 'Kuala Lumpur', aliases: ['KL', 'K.L.', 'กัวลาลัมเปอร์', 'ကွာလာလမ်ပူ', 'គូឡាឡាំពួ', 'ກົວລາລຳເປີ'] },
  { code: 'MY-10', country: 'MY', name: 'Selangor', aliases: ['Shah Alam', 'Klang', 'Petaling Jaya', 'PJ', 'ဆလန်ဂေါ', 'សេឡាងហ្គ័រ', 'สลังงอร์'] },
  { code: 'MY-01', country: 'MY', name: 'Johor', aliases: ['Johor Bahru', 'JB', 'ဂျိုဟိုး', 'ជូហោ', 'ยะโฮร์'] },
  { code: 'MY-07', country: 'MY', name: 'Penang', aliases: ['Pulau Pinang', 'Georgetown', 'ပီနန်', 'ពីណាំង', 'ปีนัง', 'ປີນັງ'] },
  { code: 'MY-12', country: 'MY', name: 'Sabah', aliases: ['Kota Kinabalu', 'ဆဘား'] },
  { code: 'MY-13', country: 'MY', name: 'Sarawak', aliases: ['Kuching', 'ဆာရာဝပ်'] },
  { code: 'MM-15', country: 'MM', name: 'Mon', aliases: ['Mon State', 'Mawlamyine', 'Moulmein', 'မွန်ပြည်နယ်', 'မော်လမြိုင်', 'มะละแหม่ง'], ambiguous: ['Mon'] },
  { code: 'MM-13', country: 'MM', name: 'Kayin', aliases: ['Karen State', 'Hpa-An', 'Myawaddy', 'ကရင်ပြည်နယ်', 'ဘားအံ', 'မြဝတီ', 'เมียวดี', 'ผาอัน'] },
  { code: 'MM-17', country: 'MM', name: 'Shan', aliases: ['Taunggyi', 'Tachileik', 'ရှမ်း', 'တောင်ကြီး', 'တာချီလိတ်'] },
  { code: 'MM-06', country: 'MM', name: 'Yangon', aliases: ['Rangoon', 'ရန်ကုန်', 'ย่างกุ้ง'] },
  { code: 'MM-02', country: 'MM', name: 'Bago', aliases: ['Pegu', 'ပဲခူး'] },
  { code: 'MM-05', country: 'MM', name: 'Tanintharyi', aliases: ['Dawei', 'Myeik', 'Kawthaung', 'တနင်္သာရီ', 'ထားဝယ်', 'မြိတ်', 'ကော့သောင်း', 'ทวาย', 'มะริด', 'เกาะสอง'] },
  { code: 'KH-1', country: 'KH', name: 'Banteay Meanchey', aliases: ['Poipet', 'Poi Pet', 'បន្ទាយមានជ័យ', 'ប៉ោយប៉ែត', 'ปอยเปต'] },
  { code: 'KH-2', country: 'KH', name: 'Battambang', aliases: ['បាត់ដំបង', 'พระตะบอง'] },
  { code: 'KH-17', country: 'KH', name: 'Siem Reap', aliases: ['សៀមរាប', 'เสียมราฐ'] },
  { code: 'KH-6', country: 'KH', name: 'Kampong Thom', aliases: ['កំពង់ធំ'] },
  { code: 'KH-14', country: 'KH', name: 'Prey Veng', aliases: ['ព្រៃវែង'] },
  { code: 'KH-12', country: 'KH', name: 'Phnom Penh', aliases: ['PP', 'ភ្នំពេញ', 'พนมเปญ'] },
  { code: 'LA-SV', country: 'LA', name: 'Savannakhet', aliases: ['Savan', 'ສະຫວັນນະເຂດ', 'สะหวันนะเขต'] },
  { code: 'LA-CH', country: 'LA', name: 'Champasak', aliases: ['Pakse', 'ຈຳປາສັກ', 'ປາກເຊ', 'จำปาสัก'] },
  { code: 'LA-VT', country: 'LA', name: 'Vientiane Capital', aliases: ['Vientiane', 'ວຽງຈັນ', 'นครหลวงเวียงจันทน์', 'เวียงจันทน์', 'Viêng Chăn'] },
  { code: 'VN-22', country: 'VN', name: 'Nghe An', aliases: ['Nghệ An'] },
  { code: 'VN-23', country: 'VN', name: 'Ha Tinh', aliases: ['Hà Tĩnh'] },
  { code: 'VN-21', country: 'VN', name: 'Thanh Hoa', aliases: ['Thanh Hóa', 'Thanh Hoá'] },
];

/** The provinces of one country. */
export function provincesOf(country: CountryCode): Province[] {
  return PROVINCES.filter((province) => province.country === country);
}

/** The province with this ISO code, if the hotline knows it. */
export function findProvince(code: string): Province | undefined {
  return PROVINCES.find((province) => province.code === code);
}
