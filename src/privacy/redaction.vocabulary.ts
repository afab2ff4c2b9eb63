// The words around contact details in the six languages of the hotline, as workers write them
// (several spellings where keyboards and habits differ). Only the redaction reads these lists.

/** Names of messengers and social networks; what follows them is often a handle. */
export const MESSENGER_WORDS: readonly string[] = [
  // Latin (en, vi, and the brand names as everyone writes them)
  'line id', 'id line', 'lineid', 'line', 'facebook', 'face book', 'fb', 'messenger', 'viber', 'whatsapp', 'whats app', 'telegram',
  'zalo', 'instagram', 'insta', 'ig', 'wechat', 'imo', 'tiktok', 'signal', 'skype',
  // th
  'ไอดีไลน์', 'ไลน์ไอดี', 'ไลน์', 'เฟซบุ๊ก', 'เฟซบุ๊ค', 'เฟสบุ๊ก', 'เฟสบุ๊ค', 'เฟสบุค', 'เฟส', 'ไวเบอร์', 'วอทส์แอป', 'วอทสแอป',
  'วอตส์แอป', 'วอทแอป', 'เทเลแกรม', 'ซาโล', 'อินสตาแกรม', 'ไอจี',
  // my
  'လိုင်းအိုင်ဒီ', 'လိုင်း', 'ဖေ့စ်ဘွတ်', 'ဖေ့ဘွတ်', 'ဖေ့စ်ဘုတ်', 'ဖေ့ဘုတ်', 'ဖေ့စ်ဘုက်', 'ဗိုင်ဘာ', 'ဗိုက်ဘာ', 'ဝက်စ်အက်ပ်', 'ဝတ်ဆပ်',
  'တယ်လီဂရမ်', 'အင်စတာဂရမ်', 'မက်ဆင်ဂျာ',
  // km
  'ឡាញ', 'ឡាយ', 'ហ្វេសប៊ុក', 'ហ្វេសបុក', 'ហ្វេស', 'វីប៊ឺ', 'វ៉ាយប័រ', 'វ៉ាត់សាប', 'វ៉ាត់សាប់', 'តេឡេក្រាម', 'តេលេក្រាម', 'អ៊ីនស្តាក្រាម',
  // lo
  'ລາຍ', 'ໄລນ໌', 'ເຟສບຸກ', 'ເຟສບຸ໊ກ', 'ເຟດບຸກ', 'ເຟສ', 'ວີເບີ', 'ໄວເບີ', 'ວັອດແອັບ', 'ວອດແອັບ', 'ເທເລແກຣມ', 'ຊາໂລ',
];

/** Identity documents; a number after them is the document's. */
export const DOCUMENT_WORDS: readonly string[] = [
  'passport', 'id card', 'identity card', 'id', 'work permit', 'wp', 'pink card', 'nrc', 'visa',
  'hộ chiếu', 'cccd', 'cmnd', 'căn cước', 'giấy phép lao động',
  'พาสปอร์ต', 'หนังสือเดินทาง', 'บัตรชมพู', 'ใบอนุญาตทำงาน', 'เลขบัตร', 'บัตรประชาชน', 'วีซ่า',
  'ပတ်စ်ပို့', 'ပတ်စပို့', 'နိုင်ငံကူးလက်မှတ်', 'မှတ်ပုံတင်', 'အလုပ်ပါမစ်', 'ပန်းရောင်ကတ်',
  'លិខិតឆ្លងដែន', 'អត្តសញ្ញាណប័ណ្ណ', 'ប័ណ្ណការងារ',
  'ໜັງສືຜ່ານແດນ', 'ຫນັງສືຜ່ານແດນ', 'ບັດປະຈຳຕົວ', 'ໃບອະນຸຍາດເຮັດວຽກ',
];

/** Words between a messenger or document and the handle or number: "Line ID x", "passport no. x". */
export const MARKER_WORDS: readonly string[] = [
  'id', 'name', 'account', 'acc', 'handle', 'user', 'username', 'number', 'no.', 'nr', 'nick',
  'tên', 'số', 'tài khoản', 'của tôi là', 'của em là', 'của anh là', 'của chị là',
  'ไอดี', 'ชื่อ', 'เลข', 'เลขที่', 'บัญชี',
  'အိုင်ဒီ', 'အကောင့်', 'နာမည်', 'နံပါတ်',
  'អាយឌី', 'គណនី', 'ឈ្មោះ', 'លេខ',
  'ໄອດີ', 'ອາຍດີ', 'ຊື່', 'ເລກ', 'ບັນຊີ',
];

/** Digit words, 0 to 9, of each language (several words may share a value). */
export const DIGIT_WORDS = {
  latin: [
    'zero', 'oh', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine',
    'không', 'một', 'mốt', 'hai', 'ba', 'bốn', 'tư', 'năm', 'lăm', 'sáu', 'bảy', 'bẩy', 'tám', 'chín',
  ],
  th: ['ศูนย์', 'หนึ่ง', 'สอง', 'โท', 'สาม', 'สี่', 'ห้า', 'หก', 'เจ็ด', 'แปด', 'เก้า'],
  my: ['သုည', 'သုံည', 'တစ်', 'နှစ်', 'သုံး', 'လေး', 'ငါး', 'ခြောက်', 'ခုနစ်', 'ခုနှစ်', 'ရှစ်', 'ကိုး'],
  km: ['សូន្យ', 'មួយ', 'ពីរ', 'បី', 'បួន', 'ប្រាំមួយ', 'ប្រាំពីរ', 'ប្រាំបី', 'ប្រាំបួន', 'ប្រាំ'],
  lo: ['ສູນ', 'ໜຶ່ງ', 'ຫນຶ່ງ', 'ນຶ່ງ', 'ສອງ', 'ສາມ', 'ສີ່', 'ຫ້າ', 'ຫົກ', 'ເຈັດ', 'ແປດ', 'ເກົ້າ'],
} as const;

/** "at" and "dot" of an e-mail address written out: "x at y dot com", "x [at] y [dot] com". */
export const EMAIL_AT_WORDS: readonly string[] = ['at', 'a còng', 'a móc', 'แอท', 'အက်', 'អាត់', 'ແອັດ'];
export const EMAIL_DOT_WORDS: readonly string[] = ['dot', 'chấm', 'ดอท', 'ဒေါ့', 'ដត', 'ດອດ'];
/** "com" as written in Thai and Burmese script after a written-out dot. */
export const EMAIL_COM_WORDS: readonly string[] = ['คอม', 'ကွမ်', 'ខម', 'ຄອມ'];

/** Currencies, so that "15000 baht" stays an amount. */
export const CURRENCY_WORDS: readonly string[] = [
  'baht', 'thb', 'บาท', 'kyat', 'kyats', 'mmk', 'ကျပ်', 'riel', 'riels', 'khr', 'រៀល', 'kip', 'lak', 'ກີບ', 'đồng', 'dong', 'vnd', 'đ',
  'ringgit', 'rm', 'myr', 'usd', 'us$', 'dollar', 'dollars', 'ដុល្លារ', 'ดอลลาร์', 'ဒေါ်လာ', 'ໂດລາ', '$', '฿',
];
