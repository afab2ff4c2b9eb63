import { fieldsWithNul } from './input-guards';

describe('fieldsWithNul', () => {
  it('names each field whose text holds a NUL, by its dotted path', () => {
    expect(fieldsWithNul({ story: 'ok', consent: { wording: 'yes\u0000' }, categories: ['wages', 'a\u0000'] }).sort()).toEqual(['categories.1', 'consent.wording']);
  });

  it('names a field whose name holds a NUL (jsonb refuses those too)', () => {
    expect(fieldsWithNul({ 'bad\u0000key': 'x' })).toEqual(['bad\uFFFDkey']);
  });

  it('finds nothing in clean input, numbers, nulls or no body at all', () => {
    expect(fieldsWithNul({ a: 1, b: null, c: [true, 'text'] })).toEqual([]);
    expect(fieldsWithNul(undefined)).toEqual([]);
  });

  it('walks a body nested far deeper than the stack would allow, without throwing', () => {
    let deep: unknown = 'x\u0000';
    for (let level = 0; level < 50_000; level += 1) deep = [deep];
    expect(() => fieldsWithNul(deep)).not.toThrow();
  });
});
