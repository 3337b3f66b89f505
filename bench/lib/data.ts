import fs from 'node:fs';
import * as XLSX from '@e965/xlsx';
import { mulberry32 } from '../../electron/engine/sandbox/random.ts';

/** Small seeded PRNG so every run imports the very same file. */
export const rng = mulberry32;

const PREFIXES = [
  '0803',
  '0806',
  '0813',
  '0816',
  '0703',
  '0706',
  '0805',
  '0807',
  '0815',
  '0802',
  '0808',
  '0812',
  '0809',
  '0817',
];
const FIRST = [
  'Ada',
  'Chinedu',
  'Ngozi',
  'Tunde',
  'Bola',
  'Emeka',
  'Funmi',
  'Ibrahim',
  'Aisha',
  'Kemi',
  'Segun',
  'Zainab',
  'Obi',
  'Yemi',
  'Halima',
  'Femi',
];
const CITY = [
  'Lagos',
  'Abuja',
  'Kano',
  'Ibadan',
  'Port Harcourt',
  'Benin City',
  'Enugu',
  'Kaduna',
  'Jos',
  'Ilorin',
  'Owerri',
  'Abeokuta',
];
const INVALID = ['12345', 'n/a', '0803123', '+1 555 0100', 'call me', '080312345678901', ''];

/** The numbers of the file in every common spelling: 0803 123 4567, +234…, 803…, 234…. */
function spell(prefix: string, rest: string, style: number): string {
  switch (style) {
    case 0:
      return `${prefix}${rest}`;
    case 1:
      return `${prefix} ${rest.slice(0, 3)} ${rest.slice(3)}`;
    case 2:
      return `+234${prefix.slice(1)}${rest}`;
    case 3:
      return `234${prefix.slice(1)}${rest}`;
    default:
      return `${prefix.slice(1)}${rest}`;
  }
}

/**
 * Contact rows (phone, first name, city): 10% invalid numbers, 5% repeats of an earlier
 * valid number (written differently), the rest distinct valid Nigerian mobiles.
 */
export function* contactRows(n: number, seed = 42): Generator<[string, string, string]> {
  const r = rng(seed);
  const valid: Array<[string, string]> = [];
  for (let i = 0; i < n; i++) {
    const u = r();
    const first = FIRST[Math.floor(r() * FIRST.length)];
    const city = CITY[Math.floor(r() * CITY.length)];
    let phone: string;
    if (u < 0.1) phone = INVALID[Math.floor(r() * INVALID.length)];
    else if (u < 0.15 && valid.length) {
      const [p, rest] = valid[Math.floor(r() * valid.length)];
      phone = spell(p, rest, Math.floor(r() * 5));
    } else {
      // Numbers in no particular order, as in a real customer sheet (sorted numbers would make
      // every index insert land at the end of its B-tree, which flatters the import).
      const p = PREFIXES[Math.floor(r() * PREFIXES.length)];
      const rest = String((i * 7_919 + 1_234_567) % 10_000_000).padStart(7, '0');
      if (valid.length < 50_000) valid.push([p, rest]);
      else if (r() < 0.01) valid[Math.floor(r() * valid.length)] = [p, rest];
      phone = spell(p, rest, Math.floor(r() * 5));
    }
    yield [phone, first, city];
  }
}

export const HEADER = ['Phone', 'First Name', 'City'];

export function csvCell(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function writeCsv(file: string, n: number): void {
  const fd = fs.openSync(file, 'w');
  let buf = HEADER.join(',') + '\n';
  for (const row of contactRows(n)) {
    buf += row.map(csvCell).join(',') + '\n';
    if (buf.length > 1 << 20) {
      fs.writeSync(fd, buf);
      buf = '';
    }
  }
  fs.writeSync(fd, buf);
  fs.closeSync(fd);
}

export function writeXlsx(file: string, n: number): void {
  const aoa: string[][] = [HEADER];
  for (const row of contactRows(n)) aoa.push(row);
  const wb = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet(aoa), 'Contacts');
  fs.writeFileSync(file, XLSX.write(wb, { type: 'buffer', bookType: 'xlsx', compression: true }));
}
