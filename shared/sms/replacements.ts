/**
 * Characters outside GSM-7 that have an equivalent inside it which keeps the meaning.
 * Only punctuation, spacing and symbols: letters of Yoruba, Igbo, Hausa (ẹ ọ ṣ ị ụ ṅ ƙ ɗ ɓ ƴ),
 * other accented letters and emoji are deliberately absent, because swapping them changes
 * words and names. Kept apart from fix.ts so encoding.ts can name a replacement without a cycle.
 */
export const gsmReplacements: ReadonlyMap<string, string> = new Map<string, string>([
  ...controlReplacements(),
  // double quotes
  ['\u201C', '"'],
  ['\u201D', '"'],
  ['\u201E', '"'],
  ['\u201F', '"'],
  ['\u2033', '"'],
  ['\u00AB', '"'],
  ['\u00BB', '"'],
  ['\uFF02', '"'],
  // single quotes, apostrophes, primes, accents used as apostrophes
  ['\u2018', "'"],
  ['\u2019', "'"],
  ['\u201A', "'"],
  ['\u201B', "'"],
  ['\u2032', "'"],
  ['\u2039', "'"],
  ['\u203A', "'"],
  ['\u00B4', "'"],
  ['`', "'"],
  ['\u02BC', "'"],
  ['\uFF07', "'"],
  // dashes and minus
  ['\u2010', '-'],
  ['\u2011', '-'],
  ['\u2012', '-'],
  ['\u2013', '-'],
  ['\u2014', '-'],
  ['\u2015', '-'],
  ['\u2212', '-'],
  ['\uFE63', '-'],
  ['\uFF0D', '-'],
  // ellipsis
  ['\u2026', '...'],
  // spaces that look like a space (NBSP, en/em/thin/hair spaces, narrow NBSP, ideographic) and tab
  ['\u00A0', ' '],
  ['\u2000', ' '],
  ['\u2001', ' '],
  ['\u2002', ' '],
  ['\u2003', ' '],
  ['\u2004', ' '],
  ['\u2005', ' '],
  ['\u2006', ' '],
  ['\u2007', ' '],
  ['\u2008', ' '],
  ['\u2009', ' '],
  ['\u200A', ' '],
  ['\u202F', ' '],
  ['\u205F', ' '],
  ['\u3000', ' '],
  ['\t', ' '],
  // invisible characters that carry nothing a reader sees (not ZWJ/ZWNJ: they shape emoji and scripts)
  ['\u200B', ''],
  ['\uFEFF', ''],
  ['\u2060', ''],
  ['\u00AD', ''],
  // line and paragraph separators pasted from word processors
  ['\u2028', '\n'],
  ['\u2029', '\n'],
  // bullet: a list marker; "-" is how lists are written in plain SMS
  ['\u2022', '-'],
  ['\u2023', '-'],
  ['\u2043', '-'],
  ['\u00B7', '-'],
  // symbols
  ['\u00D7', 'x'],
  ['\u00F7', '/'],
  ['\u2044', '/'],
  ['\u2215', '/'],
  ['\u00A9', '(c)'],
  ['\u00AE', '(R)'],
  ['\u2122', 'TM'],
  // Naira: "N500" is how Nigerians write prices where ₦ is unavailable
  ['\u20A6', 'N'],
]);

/**
 * Control characters a reader never sees but that force UCS-2 (they arrive in text pasted from
 * PDFs, terminals, or a file decoded with the wrong code page). GSM-7 keeps LF, CR and FF
 * (FF through the extension table) and the tab is turned into a space above. C0 controls and
 * DEL are deleted; C1 controls become two spaces, as Twilio's Smart Encoding does, so a
 * message counts the same here as in the calculator users compare us with; NEL (U+0085) is a
 * line break like U+2028.
 */
function controlReplacements(): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const keep = new Set([0x09, 0x0a, 0x0c, 0x0d]);
  for (let c = 0x00; c <= 0x1f; c++) if (!keep.has(c)) out.push([String.fromCharCode(c), '']);
  out.push(['\u007F', '']);
  for (let c = 0x80; c <= 0x9f; c++) out.push([String.fromCharCode(c), c === 0x85 ? '\n' : '  ']);
  return out;
}
