import { describe, expect, it } from 'vitest';
import { compileTemplate, parseTemplate } from '../../shared/sms/index.ts';

const headers = ['First Name', 'city', 'Phone', 'balance_due'];

function render(tpl: string, fields: Record<string, string>, names: string[] = headers): string {
  const c = compileTemplate(tpl, names);
  if (!c.ok) throw new Error(c.message);
  return c.render(fields);
}

describe('merge fields', () => {
  const row = { 'First Name': 'Ada', city: 'Lagos', Phone: '2348031234567', balance_due: '₦5,000' };

  it('fills fields by header, ignoring case and treating spaces/underscores alike', () => {
    expect(render('Hi {first_name} of {CITY}, you owe {Balance Due}.', row)).toBe('Hi Ada of Lagos, you owe ₦5,000.');
    expect(render('{First Name}{first-name}{ first_name }', row)).toBe('AdaAdaAda');
  });

  it('uses the default when the value is empty, only spaces, or missing', () => {
    const tpl = 'Dear {first_name|Customer},';
    expect(render(tpl, { ...row, 'First Name': '' })).toBe('Dear Customer,');
    expect(render(tpl, { ...row, 'First Name': '   \t' })).toBe('Dear Customer,');
    expect(render(tpl, { ...row, 'First Name': '\u00A0' })).toBe('Dear Customer,');
    expect(render(tpl, { city: 'Abuja' })).toBe('Dear Customer,');
    expect(render(tpl, row)).toBe('Dear Ada,');
  });

  it('trims values and defaults, and renders an empty field without a default as nothing', () => {
    expect(render('Hi {first_name | valued customer }!', { 'First Name': '  Ada ' })).toBe('Hi Ada!');
    expect(render('Hi {first_name | valued customer }!', { 'First Name': '' })).toBe('Hi valued customer!');
    expect(render('Hi {first_name}!', { 'First Name': '' })).toBe('Hi !');
  });

  it('keeps everything after the first | as the default', () => {
    expect(render('{city|Lagos | Abuja}', { city: '' })).toBe('Lagos | Abuja');
  });

  it('prefers an exact header over a looser match', () => {
    expect(render('{Name}/{name}/{NAME}', { name: 'lower', Name: 'Title' }, ['name', 'Name'])).toBe(
      'Title/lower/lower',
    );
  });

  it('renders a template without fields as itself', () => {
    expect(render('Shop closes at 6pm today.', {})).toBe('Shop closes at 6pm today.');
  });
});

describe('unknown fields', () => {
  it('names the unknown field and lists the available ones', () => {
    const c = compileTemplate('Hi {frist_name}, from {city} and {Surname}.', headers);
    expect(c.ok).toBe(false);
    if (c.ok) return;
    expect(c.unknown).toEqual(['frist_name', 'Surname']);
    expect(c.message).toContain('{frist_name}');
    expect(c.message).toContain('{Surname}');
    for (const h of headers) expect(c.message).toContain(`{${h}}`);
  });

  it('says so when the list has no columns to merge', () => {
    const c = compileTemplate('Hi {name}', []);
    expect(c.ok).toBe(false);
    if (!c.ok) expect(c.message).toMatch(/no columns/);
  });
});

describe('literal braces', () => {
  it('writes {{ and }} as literal braces, and a lone } as itself', () => {
    expect(render('Use code {{VIP}} at {city}; set {{a, b}', { city: 'Ikeja' })).toBe(
      'Use code {VIP} at Ikeja; set {a, b}',
    );
    expect(render('smile :-}', {})).toBe('smile :-}');
    expect(render('{{first_name}}', { 'First Name': 'Ada' })).toBe('{first_name}');
  });

  it('rejects a { that nothing closes, saying where and how to write a literal brace', () => {
    const c = compileTemplate('Hi {first_name, welcome', headers);
    expect(c.ok).toBe(false);
    if (c.ok) return;
    expect(c.unknown).toEqual([]);
    expect(c.message).toContain('character 4');
    expect(c.message).toContain('{{');
  });

  it('does not let a field run across a line break', () => {
    expect(compileTemplate('Hi {first_name\n}', headers).ok).toBe(false);
  });

  it('rejects an empty field {}', () => {
    const c = compileTemplate('Price {} only', headers);
    expect(c.ok).toBe(false);
    if (!c.ok) expect(c.message).toContain('{}');
  });
});

describe('parseTemplate', () => {
  it('lists each field once, as first written, with its default', () => {
    const p = parseTemplate('{First Name|friend} {first_name} {{x}} {city}');
    expect(p.fields).toEqual(['First Name', 'city']);
    expect(p.errors).toEqual([]);
    expect(p.tokens).toEqual([
      { kind: 'field', name: 'First Name', fallback: 'friend', raw: '{First Name|friend}', index: 0 },
      { kind: 'text', text: ' ' },
      { kind: 'field', name: 'first_name', fallback: null, raw: '{first_name}', index: 20 },
      { kind: 'text', text: ' {x} ' },
      { kind: 'field', name: 'city', fallback: null, raw: '{city}', index: 39 },
    ]);
  });
});

describe('render speed', () => {
  it('renders two fields at most about 2x the cost of a String.replace loop', () => {
    const tpl = 'Hello {first_name|Customer}, your order in {city} is ready. Reply STOP to opt out.';
    const c = compileTemplate(tpl, ['first_name', 'city', 'phone']);
    if (!c.ok) throw new Error(c.message);
    const rows = Array.from({ length: 1000 }, (_, i) => ({
      first_name: `Name${i}`,
      city: `Lagos${i % 7}`,
      phone: '234',
    }));
    const n = 200_000;
    // charCodeAt forces each string flat, as storing it would
    const ours = () => {
      let s = 0;
      for (let i = 0; i < n; i++) {
        const t = c.render(rows[i % 1000]);
        s += t.charCodeAt(t.length - 1);
      }
      return s;
    };
    const base = () => {
      let s = 0;
      for (let i = 0; i < n; i++) {
        const r = rows[i % 1000];
        const t = tpl.replace('{first_name|Customer}', r.first_name).replace('{city}', r.city);
        s += t.charCodeAt(t.length - 1);
      }
      return s;
    };
    expect(ours()).toBe(base());
    const time = (f: () => number) => {
      const t0 = performance.now();
      f();
      return performance.now() - t0;
    };
    let best = Infinity;
    for (let round = 0; round < 3; round++) best = Math.min(best, time(ours) / time(base));
    expect(best).toBeLessThan(2);
  });
});
