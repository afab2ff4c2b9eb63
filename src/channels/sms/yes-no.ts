import { LANGUAGES, type Language } from '../../cases/case.vocabulary';
import { asciiDigits } from '../../language/digits';
import { zawgyiToUnicodeForMatching } from '../../language/zawgyi';

// A worker's yes or no, read the way each language answers "may we?": with the verb of the
// question ("ได้", "ရပါတယ်", "បាន"), with polite and final particles around it ("ได้ครับ",
// "ចាស បាន", "dạ được ạ"), as the option text shown in the question ("បាទ/ចាស"), or in chat
// spellings ("ok", "ko"). Whatever is not clearly one or the other stays unknown — a question back
// ("ได้ไหม", "được không", "ရမလား") above all — because a wrong yes shares a worker's details.

interface YesNoWords {
  /** Answers on their own, without particles. */
  yes: readonly string[];
  no: readonly string[];
  /** Polite and final particles that may stand before or after an answer and change nothing. */
  particles: readonly string[];
  /** Final particles that end a negative sentence only ("မရပါဘူး", "ไม่ได้หรอก"): taken off a no, never off a yes. */
  negativeParticles?: readonly string[];
  /** Forms read only when this is the contact's language: "k" is "không" in Vietnamese, "ok" in English. */
  ownLanguageOnly?: { yes?: readonly string[]; no?: readonly string[] };
}

const WRITTEN: Readonly<Record<Language, YesNoWords>> = {
  en: {
    yes: ['yes', 'y', 'ya', 'yah', 'yeah', 'yep', 'yup', 'yes yes', 'ok', 'okay', 'oke', 'okie', 'okey', 'sure', 'agree', 'i agree', 'of course', 'alright', 'all right', 'go ahead', 'you may', 'you can', 'yes you may', 'yes you can', 'fine'],
    no: ['no', 'n', 'nope', 'nah', 'no no', 'dont', "don't", 'do not', 'disagree', 'i disagree', 'not ok', 'not okay', 'never', 'you may not', 'you cannot', "you can't", 'do not share', "don't share"],
    particles: ['please', 'pls', 'plz', 'thanks', 'thank you', 'thx', 'sir', 'madam'],
  },
  my: {
    yes: ['ရ', 'ရပါပြီ', 'ဟုတ်', 'ဟုတ်ကဲ့', 'သဘောတူ', 'သဘောတူပါ', 'အိုကေ', 'ကောင်းပြီ', 'ပို့', 'ပို့လိုက်', 'ပို့ပေး', 'ခွင့်ပြု', 'ok'],
    no: ['မရ', 'မဟုတ်', 'သဘောမတူ', 'ဟင့်အင်း', 'ဟင်အင်း', 'မပို့နဲ့', 'မပို့ပါနဲ့', 'ခွင့်မပြု', 'မလုပ်နဲ့'],
    // Spoken and written sentence endings and the polite words of men (ဗျ, ခင်ဗျာ) and women (ရှင့်).
    particles: ['ဟုတ်ကဲ့', 'ပါတယ်', 'ပါသည်', 'တယ်', 'သည်', 'ပါ', 'ခင်ဗျာ', 'ခင်ဗျ', 'ဗျာ', 'ဗျ', 'ရှင့်', 'ရှင်', 'နော်', 'လေ', 'ရယ်'],
    negativeParticles: ['ဘူး'],
  },
  km: {
    yes: ['បាន', 'បានហើយ', 'បាទ', 'ចាស', 'ចាស៎', 'ចា', 'បាទបាន', 'យល់ព្រម', 'ព្រម', 'អនុញ្ញាត', 'អូខេ', 'ល្អ', 'ok'],
    no: ['មិនបាន', 'ទេ', 'អត់', 'អត់បាន', 'មិនយល់ព្រម', 'មិនព្រម', 'មិនអនុញ្ញាត', 'កុំ', 'កុំផ្ញើ', 'កុំបញ្ជូន'],
    particles: ['បាទ', 'ចាស៎', 'ចាស', 'ចា', 'ណា', 'ណាស់', 'ហ្នឹង', 'អរគុណ'],
    // "មិនបានទេ" is "no", but "បានទេ" is "may you?".
    negativeParticles: ['ទេ'],
  },
  lo: {
    yes: ['ໄດ້', 'ໄດ້ເລີຍ', 'ແມ່ນ', 'ໂດຍ', 'ເຈົ້າ', 'ຕົກລົງ', 'ຍິນຍອມ', 'ອະນຸຍາດ', 'ໂອເຄ', 'ເອົາ', 'ok'],
    no: ['ບໍ່ໄດ້', 'ບໍ່', 'ບໍ່ແມ່ນ', 'ບໍ່ຕົກລົງ', 'ບໍ່ຍິນຍອມ', 'ບໍ່ອະນຸຍາດ', 'ບໍ່ເອົາ', 'ຢ່າ', 'ຢ່າສົ່ງ'],
    particles: ['ເຈົ້າ', 'ໂດຍ', 'ຂະໜ້ອຍ', 'ເດີ້', 'ເດີ', 'ເນາະ', 'ແລ້ວ', 'ເລີຍ', 'ຂອບໃຈ'],
    negativeParticles: ['ດອກ'],
  },
  th: {
    // "ครับ" or "ค่ะ" alone acknowledges the question: a yes.
    yes: ['ได้', 'ได้เลย', 'ได้สิ', 'ใช่', 'ครับ', 'ครับผม', 'คับ', 'ค่ะ', 'ค่า', 'จ้า', 'ตกลง', 'ยินยอม', 'ยอม', 'อนุญาต', 'โอเค', 'เอา', 'ส่งได้', 'ok'],
    no: ['ไม่ได้', 'ไม่', 'ไม่ใช่', 'ไม่ตกลง', 'ไม่ยินยอม', 'ไม่ยอม', 'ไม่อนุญาต', 'ไม่เอา', 'ไม่ต้อง', 'ไม่ต้องส่ง', 'อย่า', 'อย่าส่ง'],
    particles: ['ครับผม', 'ครับ', 'คับ', 'ค้าบ', 'คร้าบ', 'ค่ะ', 'คะ', 'ค่า', 'ค้า', 'จ้า', 'จ้ะ', 'จ๊ะ', 'ฮะ', 'งับ', 'นะ', 'เลย', 'ขอบคุณ'],
    negativeParticles: ['หรอก'],
  },
  vi: {
    yes: ['có', 'được', 'đc', 'đồng ý', 'vâng', 'dạ', 'ừ', 'ừm', 'ờ', 'uh', 'uhm', 'uk', 'ok', 'oke', 'okê', 'okie', 'oki', 'đúng', 'đúng rồi', 'được rồi', 'có chứ', 'tất nhiên', 'gửi', 'gửi đi', 'chuyển đi', 'dạ vâng', 'vâng được'],
    no: ['không', 'ko', 'kg', 'khg', 'hông', 'hong', 'hok', 'hem', 'không được', 'ko được', 'không đồng ý', 'không muốn', 'không cần', 'thôi', 'đừng', 'đừng gửi', 'đừng chuyển'],
    particles: ['dạ', 'vâng', 'ạ', 'nhé', 'nha', 'nhe', 'nhá', 'luôn', 'cảm ơn', 'cám ơn', 'em', 'anh', 'chị'],
    negativeParticles: ['đâu'],
    ownLanguageOnly: { no: ['k'] },
  },
};

// Answers are folded with NFKC, which spells Lao ໜ and ຫຼ as two letters: so are the lists.
const fold = (forms: readonly string[] = []) => forms.map((form) => form.normalize('NFKC').toLowerCase());
const foldWords = ({ yes, no, particles, negativeParticles, ownLanguageOnly }: YesNoWords): YesNoWords => ({
  yes: fold(yes), no: fold(no), particles: fold(particles), negativeParticles: fold(negativeParticles), ownLanguageOnly: { yes: fold(ownLanguageOnly?.yes), no: fold(ownLanguageOnly?.no) },
});
const WORDS: Readonly<Record<Language, YesNoWords>> = {
  en: foldWords(WRITTEN.en), my: foldWords(WRITTEN.my), km: foldWords(WRITTEN.km), lo: foldWords(WRITTEN.lo), th: foldWords(WRITTEN.th), vi: foldWords(WRITTEN.vi),
};

// Forms whose unmarked spelling is another word: "dung" is "đúng" (right), "đừng" (don't) and "dừng" (stop).
const MARKED_ONLY = new Set(['đúng', 'đúng rồi', 'đừng', 'đừng gửi', 'đừng chuyển']);

// Scripts written without spaces between words: their answers are compared without spaces.
const UNSPACED_SCRIPT = /[\u0E00-\u0EFF\u1000-\u109F\u1780-\u17FF\uA9E0-\uA9FF\uAA60-\uAA7F]/u;
const INVISIBLE = /[\u200B-\u200D\u2060\uFEFF]/gu;
// Quotes a worker copies with the option, emoji and closing punctuation around an answer.
const AROUND = /^[\s"'“”‘’«»「」.!?,;:…~\-။၊។៕ฯ\p{Extended_Pictographic}\uFE0F]+|[\s"'“”‘’«»「」.!?,;:…~\-။၊។៕ฯ\p{Extended_Pictographic}\uFE0F]+$/gu;
// A question sent back is never an answer, whatever words it holds.
const QUESTION = /[?？]/u;

/** A yes or no answer, read first by the rules of the contact's language, then of the others; else undefined. */
export function parseYesNo(text: string, language?: Language | null): boolean | undefined {
  const answer = readAnswer(text, language ?? undefined);
  if (answer !== undefined) return answer;
  // Short answers typed in Zawgyi score too low for the inbound conversion; convert them here.
  const unicode = zawgyiToUnicodeForMatching(text);
  return unicode === undefined || unicode === text ? undefined : readAnswer(unicode, language ?? undefined);
}

function readAnswer(text: string, language: Language | undefined): boolean | undefined {
  const folded = text.normalize('NFKC').replace(INVISIBLE, '').toLowerCase().trim();
  if (folded === '' || QUESTION.test(folded)) return undefined;
  // The options as shown ("បាទ/ចាស", "ได้ (YES)") count when every part says the same.
  const parts = folded.split(/[/()（）]/u).map((part) => part.replace(AROUND, '').trim()).filter((part) => part !== '');
  const answers = parts.map((part) => readPart(part, language));
  const [first] = answers;
  if (first === undefined || answers.some((answer) => answer !== first)) return undefined;
  return first;
}

function readPart(part: string, language: Language | undefined): boolean | undefined {
  const digits = asciiDigits(part);
  if (digits === '1') return true;
  if (digits === '2') return false;
  const order = language ? [language, ...LANGUAGES.filter((other) => other !== language)] : [...LANGUAGES];
  for (const candidate of order) {
    const answer = readInLanguage(part, WORDS[candidate], candidate === language);
    if (answer !== undefined) return answer;
  }
  return undefined;
}

function readInLanguage(part: string, words: YesNoWords, isOwnLanguage: boolean): boolean | undefined {
  const yes = isOwnLanguage ? [...words.yes, ...(words.ownLanguageOnly?.yes ?? [])] : words.yes;
  const no = isOwnLanguage ? [...words.no, ...(words.ownLanguageOnly?.no ?? [])] : words.no;
  const answer: Answer = {
    yes, no,
    yesCores: cores(part, words.particles),
    noCores: cores(part, [...words.particles, ...(words.negativeParticles ?? [])]),
  };
  // The spelling as typed decides first; Vietnamese typed without its marks ("dong y") only then.
  return decide(answer, (core, form) => core === form) ?? decide(answer, (core, form) => !MARKED_ONLY.has(form) && withoutMarks(core) === withoutMarks(form));
}

/** An answer read in one language: the forms to look for, and the answer with particles taken off. */
interface Answer {
  yes: readonly string[];
  no: readonly string[];
  yesCores: readonly string[];
  noCores: readonly string[];
}

function decide({ yes, no, yesCores, noCores }: Answer, same: (core: string, form: string) => boolean): boolean | undefined {
  const saysYes = yesCores.some((core) => yes.some((form) => same(core, form)));
  const saysNo = noCores.some((core) => no.some((form) => same(core, form)));
  // Both at once is not an answer.
  return saysYes === saysNo ? undefined : saysYes;
}

/** The answer as given, and every way of taking particles off its ends ("ဟုတ်ကဲ့ပါ" loses ပါ, not ဟုတ်ကဲ့). */
function cores(part: string, particles: readonly string[]): string[] {
  const unspaced = UNSPACED_SCRIPT.test(part);
  const compact = unspaced ? part.replace(/\s+/gu, '') : part.replace(/[\s,]+/gu, ' ');
  const found = new Set([compact]);
  const queue = [compact];
  for (let text = queue.shift(); text !== undefined; text = queue.shift()) {
    for (const next of withoutOneParticle(text, particles, unspaced)) {
      if (found.has(next)) continue;
      found.add(next);
      queue.push(next);
    }
  }
  return [...found];
}

function withoutOneParticle(text: string, particles: readonly string[], unspaced: boolean): string[] {
  const shorter: string[] = [];
  for (const particle of particles) {
    if (text === particle) continue;
    const [head, tail] = unspaced ? [particle, particle] : [`${particle} `, ` ${particle}`];
    if (text.endsWith(tail)) shorter.push(text.slice(0, -tail.length));
    if (text.startsWith(head)) shorter.push(text.slice(head.length));
  }
  return shorter;
}

function withoutMarks(text: string): string {
  return text.replace(/đ/g, 'd').normalize('NFD').replace(/(?<=[a-z])[\u0300-\u036f]+/g, '').normalize('NFC');
}
