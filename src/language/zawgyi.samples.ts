// Worker messages typed in Zawgyi, with the Unicode they stand for. Each Zawgyi string scores
// ≥ 0.95 on myanmar-tools' detector and converts exactly to its Unicode partner (zawgyi.test.ts
// checks both), so conversation tests can send them as an old phone would.

/** Verified Zawgyi / Unicode pairs of typical Burmese worker messages, for tests. */
export const ZAWGYI_SAMPLES: readonly { zawgyi: string; unicode: string }[] = [
  // "The boss hasn't paid my wages for two months."
  { zawgyi: 'သူေဌးက လစာ ႏွစ္လ မေပးေသးဘူး', unicode: 'သူဌေးက လစာ နှစ်လ မပေးသေးဘူး' },
  // "The employer keeps my passport."
  { zawgyi: 'အလုပ္ရွင္က ကြၽန္ေတာ့္ ပတ္စပို႔ကို သိမ္းထားတယ္', unicode: 'အလုပ်ရှင်က ကျွန်တော့် ပတ်စပို့ကို သိမ်းထားတယ်' },
  // "I work in Mahachai." (Samut Sakhon)
  { zawgyi: 'ကြၽန္ေတာ္ မဟာခ်ိဳင္မွာ အလုပ္လုပ္တယ္', unicode: 'ကျွန်တော် မဟာချိုင်မှာ အလုပ်လုပ်တယ်' },
];
