import { normaliseBurmese } from './zawgyi';
import { ZAWGYI_SAMPLES } from './zawgyi.samples';

function unchanged(text: string): { text: string; raw: string; wasZawgyi: boolean } {
  return { text, raw: text, wasZawgyi: false };
}

describe('normaliseBurmese', () => {
  it('converts Zawgyi to Unicode and keeps the text as received', () => {
    expect(normaliseBurmese('ျမန္မာ')).toEqual({ text: 'မြန်မာ', raw: 'ျမန္မာ', wasZawgyi: true });
  });

  it.each(ZAWGYI_SAMPLES.map((sample) => [sample.unicode, sample]))(
    'converts a worker message typed in Zawgyi: %s',
    (_unicode, { zawgyi, unicode }) => {
      expect(normaliseBurmese(zawgyi)).toEqual({ text: unicode, raw: zawgyi, wasZawgyi: true });
    },
  );

  it('converts Zawgyi mixed with Latin words and digits', () => {
    const zawgyi = 'boss က လစာ 9000 မေပးဘူး';
    expect(normaliseBurmese(zawgyi)).toEqual({ text: 'boss က လစာ 9000 မပေးဘူး', raw: zawgyi, wasZawgyi: true });
  });

  it.each(ZAWGYI_SAMPLES.map((sample) => [sample.unicode]))('leaves Unicode Burmese unchanged: %s', (unicode) => {
    expect(normaliseBurmese(unicode)).toEqual(unchanged(unicode));
  });

  it.each([
    ['Shan', 'ၶႅၼ်းတေႃႈ ပႂ်ႉၵွၼ်ႇ'],
    ['Shan', 'ၶေႃႈဢၼ်ၸဝ်ႈၵဝ်ႇႁႃၼၼ်ႉ ဢမ်ႇႁၼ်သဵင်ႈ။'],
    ['Mon', 'ဗာရှေန်ဂမၠိုၚ် သွက်ဂွံ စၟတ်'],
    ['Mon', 'ဂၠာဲစနူဏအ်'],
    ['Mon', 'ဘိုၚ်ရီုကၠာတြာဲပ္ဍဲဇာနှိက်တြာဲဝဳကဳ'],
    ['S\'gaw Karen', 'လါယနူၤအါရံၤ'],
    ['S\'gaw Karen', 'လါစဲးပတ့ဘၢၣ်'],
    ['Pwo Karen', 'ၮဲဖှ်ေဆ်ုခၠါင်ဘာႋသာ့'],
  ])('does not convert %s text written in the Myanmar block: %s', (_language, text) => {
    expect(normaliseBurmese(text)).toEqual(unchanged(text));
  });

  it.each(['က', 'ကို', 'ပါ'])('does not convert a short ambiguous string: %s', (text) => {
    expect(normaliseBurmese(text)).toEqual(unchanged(text));
  });

  it.each(['นายจ้างไม่จ่ายเงินเดือน', 'Chủ không trả lương', 'ថៅកែមិនបើកប្រាក់ខែ', 'no pay 2 months', ''])(
    'leaves text without Myanmar script untouched: %j',
    (text) => {
      expect(normaliseBurmese(text)).toEqual(unchanged(text));
    },
  );
});

describe('normaliseBurmese when myanmar-tools fails', () => {
  afterEach(() => {
    jest.dontMock('myanmar-tools');
    jest.resetModules();
  });

  it('returns the input unchanged instead of throwing', async () => {
    jest.resetModules();
    jest.doMock('myanmar-tools', () => ({
      ZawgyiDetector: class {
        getZawgyiProbability(): number {
          return 1;
        }
      },
      ZawgyiConverter: class {
        zawgyiToUnicode(): string {
          throw new Error('converter bug');
        }
      },
    }));
    const { normaliseBurmese: withFailingConverter } = await import('./zawgyi');
    expect(withFailingConverter('ျမန္မာ')).toEqual(unchanged('ျမန္မာ'));
  });
});
