import { describe, expect, it } from 'vitest';
import {
  analyze,
  bareFields,
  blankIn,
  compileTemplate,
  templateLanguages,
  unicodeCulprits,
  withFallback,
  withoutAccents,
} from '../../shared/sms/index.ts';
import { countryOfMsisdn, partPrice } from '../../shared/sms/destination.ts';

const HEADERS = ['Name', 'First Name', 'town'];

describe('blank merge values', () => {
  it('finds the fields used without a fallback and the rows where they are blank', () => {
    const tpl = 'Dear {Name}, your parcel is in {town|our office}. {name}';
    expect(bareFields(tpl, HEADERS)).toEqual([{ name: 'Name', header: 'Name' }]);
    expect(blankIn(bareFields(tpl, HEADERS), { Name: '  ', town: '' })).toHaveLength(1);
    expect(blankIn(bareFields(tpl, HEADERS), { Name: 'Ada' })).toHaveLength(0);
    expect(blankIn(bareFields(tpl, HEADERS), {})).toHaveLength(1);
  });

  it('inserts a fallback into every bare use of the field, so a blank row reads well', () => {
    const tpl = 'Dear {Name}, your parcel is ready. Bye {name}! {town}';
    const fixed = withFallback(tpl, 'Name', 'Customer', HEADERS);
    expect(fixed).toBe('Dear {Name|Customer}, your parcel is ready. Bye {name|Customer}! {town}');
    const c = compileTemplate(fixed, HEADERS);
    expect(c.ok && c.render({ Name: '', town: 'Ibadan' })).toBe(
      'Dear Customer, your parcel is ready. Bye Customer! Ibadan',
    );
    // braces and bars cannot break the template
    expect(withFallback('Hi {Name}', 'Name', 'A{b}|c', HEADERS)).toBe('Hi {Name|Abc}');
  });
});

describe('accents in values', () => {
  it('removes only the marks GSM-7 cannot carry, after NFC', () => {
    expect(withoutAccents('Adéwálé')).toBe('Adéwalé');
    expect(analyze(`Hi ${withoutAccents('Adéwálé')}`).encoding).toBe('GSM-7');
    expect(withoutAccents('Ọlọ́lá Ṣeun')).toBe('Olola Seun');
    // typed as e + combining acute: NFC makes it é, which GSM-7 has
    expect(withoutAccents('Ade\u0301')).toBe('Adé');
    // Hausa hooked letters have no plain form: kept, not mangled
    expect(withoutAccents('Ɗanjuma ƙarami')).toBe('Ɗanjuma ƙarami');
  });

  it('shows a combining mark with its letter, never on its own', () => {
    const c = unicodeCulprits('Ọlo\u0301la \u{1F600}');
    expect(c.map((x) => x.shown)).toEqual(['Ọ', 'ó', '\u{1F600}']);
    expect(c.every((x) => !/^\p{M}$/u.test(x.shown))).toBe(true);
    expect(c.map((x) => x.letter)).toEqual([true, true, false]);
  });

  it('tells a message written in Yoruba, Hausa or Igbo from one that only has an accented name', () => {
    expect(templateLanguages('Ẹ kú àárọ̀ {Name}, ẹrù yín ti dé.')).toEqual(['Yoruba']);
    expect(templateLanguages('Barka da safiya {Name}, kayanku sun iso ƙofa.')).toEqual(['Hausa']);
    expect(templateLanguages('Ụtụtụ ọma {Name}, ngwongwo gị abịala.')).toEqual(['Igbo']);
    expect(templateLanguages('Dear {Name}, your parcel is ready.')).toEqual([]);
    // the accents come from the value, not from the text the user wrote
    expect(templateLanguages('Dear {Name|Adéwálé}, hi')).toEqual([]);
    // a curly quote forces Unicode but is no language
    expect(templateLanguages('It\u2019s ready')).toEqual([]);
  });
});

describe('destinations', () => {
  it('tells the country of a stored number and prices it, guessing only where no price is set', () => {
    expect(countryOfMsisdn('2348031234567')).toBe('NG');
    expect(countryOfMsisdn('447400123456')).toBe('GB');
    expect(countryOfMsisdn('233241234567')).toBe('GH');
    expect(partPrice('NG', 4, { GB: 30 })).toEqual({ price: 4, guessed: false });
    expect(partPrice('GB', 4, { GB: 30 })).toEqual({ price: 30, guessed: false });
    expect(partPrice('GH', 4, { GB: 30 })).toEqual({ price: 4, guessed: true });
  });
});
