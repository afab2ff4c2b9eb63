import type { Language } from '../../cases/case.vocabulary';

// How workers answer "may we pass your case on?", per language, as they type it: with polite and
// final particles, as the option is shown in the question, in chat spellings, and (Burmese) typed
// on a Zawgyi phone. The parser test and the conversation tests both ask these.

/** Answers that must read as yes, as no, or stay unknown, by the language the worker writes. */
export interface YesNoSamples {
  yes: readonly string[];
  no: readonly string[];
  /** Maybe, don't know, a question back, both options at once: never an answer. */
  unknown: readonly string[];
}

export const YES_NO_SAMPLES: Readonly<Record<Language, YesNoSamples>> = {
  en: {
    yes: ['YES', 'yes please', 'Yes!', 'y', 'ok', 'OK.', 'okay', 'sure', 'yeah', 'yep', 'of course', 'I agree', 'go ahead', 'alright', 'ok thanks', '1'],
    no: ['NO', 'no thanks', 'n', 'nope', 'nah', "don't", 'do not share', 'I disagree', 'not ok', '2', 'No.'],
    unknown: ['maybe', 'maybe later', 'who will see it?', 'what organisation', "I don't know", 'yes?', 'YES/NO', 'ok no'],
  },
  my: {
    yes: [
      'ရပါတယ်', 'ရပါသည်', 'ရတယ်', 'ရ', 'ရပါ', 'ရပါတယ်ဗျ', 'ရပါတယ်ရှင့်', 'ရပါတယ် ခင်ဗျာ', 'ဟုတ်ကဲ့', 'ဟုတ်ကဲ့ပါ', 'ဟုတ်ကဲ့ ရပါတယ်',
      'ဟုတ်ကဲ့ရှင့်', 'သဘောတူပါတယ်', 'သဘောတူတယ်', 'ပို့ပါ', 'အိုကေ', 'ရပါတယ် (YES)', 'ရပါတယ်။', '၁',
      // Typed on a Zawgyi phone: ရပါတယ်, ဟုတ်ကဲ့, သဘောတူတယ်.
      'ရပါတယ္', 'ဟုတ္ကဲ့', 'သေဘာတူတယ္',
    ],
    no: [
      'မရပါ', 'မရပါဘူး', 'မရဘူး', 'မရ', 'မရပါဘူးဗျ', 'မရပါဘူးရှင့်', 'ဟင့်အင်း', 'သဘောမတူဘူး', 'သဘောမတူပါ', 'မဟုတ်ဘူး', 'မပို့ပါနဲ့',
      'ဟုတ်ကဲ့ မရပါဘူး', 'မရပါဘူး (NO)', 'မဟုတ်ပါဘူး',
      // Typed on a Zawgyi phone: မရပါဘူးရှင့်, သဘောမတူဘူး.
      'မရပါဘူးရွင့္', 'သေဘာမတူဘူး',
    ],
    unknown: ['ရမလား', 'ဘယ်ကို ပို့မှာလဲ', 'မသိဘူး', 'ရဘူး', 'ရှင့်', 'စဉ်းစားဦးမယ်', 'ရပါတယ်/မရပါဘူး'],
  },
  km: {
    yes: ['បាន', 'បាទ', 'ចាស', 'ចាស៎', 'បាទ/ចាស', 'បាទ បាន', 'ចាស បាន', 'បានណា', 'បាទ អរគុណ', 'យល់ព្រម', 'ព្រម', 'អនុញ្ញាត', 'បាន (YES)', 'អូខេ', 'ok', 'ចា', 'បានហើយ', '១'],
    no: ['មិនបាន', 'មិនបានទេ', 'ទេ', 'អត់', 'អត់ទេ', 'ចាស មិនបាន', 'បាទ ទេ', 'មិនយល់ព្រមទេ', 'កុំផ្ញើ', 'កុំ', 'អត់បានទេ', 'មិនបាន (NO)'],
    unknown: ['បានទេ?', 'បានទេ', 'ប្រហែល', 'អង្គការណា?', 'មិនដឹង', 'បាន/មិនបាន'],
  },
  lo: {
    yes: ['ໄດ້', 'ໄດ້ເຈົ້າ', 'ເຈົ້າ ໄດ້', 'ເຈົ້າ', 'ໂດຍ', 'ໄດ້ໂດຍ', 'ໂດຍ ໄດ້ ຂະໜ້ອຍ', 'ໄດ້ເລີຍ', 'ແມ່ນ', 'ແມ່ນແລ້ວ', 'ຕົກລົງ', 'ຍິນຍອມ', 'ໂອເຄ', 'ເອົາ', 'ໄດ້ (YES)', 'ok', 'ໄດ້ເດີ້', '໑'],
    no: ['ບໍ່ໄດ້', 'ບໍ່ໄດ້ເຈົ້າ', 'ບໍ່', 'ບໍ່ເຈົ້າ', 'ເຈົ້າ ບໍ່ໄດ້', 'ບໍ່ແມ່ນ', 'ບໍ່ຍິນຍອມ', 'ບໍ່ເອົາ', 'ຢ່າສົ່ງ', 'ບໍ່ໄດ້ (NO)', 'ໂດຍ ບໍ່ໄດ້', 'ບໍ່ໄດ້ດອກ'],
    unknown: ['ໄດ້ບໍ່', 'ໄດ້ດອກ', 'ສົ່ງໃຫ້ໃຜ?', 'ບໍ່ຮູ້', 'ຍັງບໍ່ແນ່ໃຈ', 'ໄດ້/ບໍ່ໄດ້'],
  },
  th: {
    yes: ['ได้', 'ได้ครับ', 'ได้ค่ะ', 'ได้คะ', 'ได้จ้า', 'ได้เลย', 'ได้เลยครับ', 'ได้ค่ะ ขอบคุณค่ะ', 'ใช่', 'ใช่ครับ', 'ครับ', 'ตกลง', 'ตกลงค่ะ', 'ยินยอม', 'โอเค', 'ok ครับ', 'ได้ (YES)', '๑'],
    no: ['ไม่', 'ไม่ค่ะ', 'ไม่ครับ', 'ไม่ได้', 'ไม่ได้ครับ', 'ไม่ได้ค่ะ', 'ไม่ใช่', 'ไม่ยินยอม', 'ไม่เอา', 'ไม่ต้องครับ', 'อย่าส่ง', 'ไม่ได้ (NO)', 'ไม่ได้หรอกค่ะ'],
    unknown: ['ได้ไหม', 'ได้ไหมครับ', 'ส่งให้ใคร', 'ไม่แน่ใจ', 'ขอคิดก่อน', 'ได้/ไม่ได้'],
  },
  vi: {
    yes: ['có', 'Có', 'CÓ', 'co', 'đồng ý', 'Đồng ý', 'dong y', 'được', 'duoc', 'đc', 'dc', 'vâng', 'dạ', 'dạ được ạ', 'ừ', 'ok', 'oke', 'ok nhé', 'vâng ạ', 'đúng rồi', 'Đồng ý (YES)'],
    no: ['không', 'Không', 'khong', 'ko', 'k', 'không được', 'khong duoc', 'không ạ', 'dạ không', 'không đồng ý', 'đừng gửi', 'Không (NO)', 'kg', 'không được đâu'],
    unknown: ['được đâu', 'được không?', 'được không', 'có được không', 'để em suy nghĩ', 'không biết', 'tổ chức nào?', 'Đồng ý/Không'],
  },
};
