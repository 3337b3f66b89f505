/**
 * Merge fields: `{first_name}` and `{first_name|Customer}` (the text after `|` is used when the
 * value is missing, empty or only spaces). Values are trimmed.
 *
 * Names match the list's column headers ignoring case, and treating runs of spaces, underscores
 * and hyphens as one underscore, so `{First Name}` finds the header `first_name`. An exact
 * header match wins over a looser one; among equally loose matches the first header wins.
 *
 * Literal braces: `{{` is a literal `{` and `}}` a literal `}`; a lone `}` is literal too.
 * A `{` that starts no field (nothing closes it on the same line, or `{}`) is an error rather than
 * literal text, because in a bulk send a half-typed field would reach every recipient.
 * So `{{first_name}}` is the literal text `{first_name}`, as in Python and C# format strings.
 */

export type TemplateToken =
  { kind: 'text'; text: string } | { kind: 'field'; name: string; fallback: string | null; raw: string; index: number };

export interface ParsedTemplate {
  tokens: TemplateToken[];
  /** distinct field names as first written, in order of appearance */
  fields: string[];
  /** one sentence per malformed brace; empty when the template is well formed */
  errors: string[];
}

export type CompiledTemplate =
  { ok: true; render(fields: Record<string, string>): string } | { ok: false; unknown: string[]; message: string };

/** the loose form used for matching a field to a header */
export function normalizeFieldName(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, '_');
}

export function parseTemplate(tpl: string): ParsedTemplate {
  const tokens: TemplateToken[] = [];
  const fields: string[] = [];
  const seen = new Set<string>();
  const errors: string[] = [];
  const n = tpl.length;
  let buf = '';
  let i = 0;
  while (i < n) {
    const c = tpl[i];
    if (c === '}') {
      buf += '}';
      i += tpl[i + 1] === '}' ? 2 : 1;
      continue;
    }
    if (c !== '{') {
      buf += c;
      i++;
      continue;
    }
    if (tpl[i + 1] === '{') {
      buf += '{';
      i += 2;
      continue;
    }
    let j = i + 1;
    while (j < n && tpl[j] !== '}' && tpl[j] !== '{' && tpl[j] !== '\n' && tpl[j] !== '\r') j++;
    if (j >= n || tpl[j] !== '}') {
      errors.push(
        `The "{" at character ${i + 1} is not closed: finish the merge field with "}", or write "{{" for a literal brace.`,
      );
      buf += '{';
      i++;
      continue;
    }
    const raw = tpl.slice(i, j + 1);
    const inner = raw.slice(1, -1);
    const bar = inner.indexOf('|');
    const name = (bar < 0 ? inner : inner.slice(0, bar)).trim();
    if (name === '') {
      errors.push(
        `The merge field ${raw} at character ${i + 1} has no name: write a column name inside the braces, or "{{" for a literal brace.`,
      );
      buf += raw;
      i = j + 1;
      continue;
    }
    if (buf !== '') {
      tokens.push({ kind: 'text', text: buf });
      buf = '';
    }
    tokens.push({ kind: 'field', name, fallback: bar < 0 ? null : inner.slice(bar + 1).trim(), raw, index: i });
    const key = normalizeFieldName(name);
    if (!seen.has(key)) {
      seen.add(key);
      fields.push(name);
    }
    i = j + 1;
  }
  if (buf !== '') tokens.push({ kind: 'text', text: buf });
  return { tokens, fields, errors };
}

/** the header a field name refers to, or null */
export function resolveField(name: string, fieldNames: readonly string[]): string | null {
  if (fieldNames.includes(name)) return name;
  const lower = name.trim().toLowerCase();
  const ci = fieldNames.find((h) => h.trim().toLowerCase() === lower);
  if (ci !== undefined) return ci;
  const key = normalizeFieldName(name);
  return fieldNames.find((h) => normalizeFieldName(h) === key) ?? null;
}

export function compileTemplate(tpl: string, fieldNames: readonly string[]): CompiledTemplate {
  const parsed = parseTemplate(tpl);
  // Pieces: literals[0] key[0] literals[1] key[1] ... literals[k]; headers resolved here, once.
  const literals: string[] = [''];
  const keys: string[] = [];
  const fallbacks: string[] = [];
  const unknown: string[] = [];
  for (const t of parsed.tokens) {
    if (t.kind === 'text') {
      literals[literals.length - 1] += t.text;
      continue;
    }
    const header = resolveField(t.name, fieldNames);
    if (header === null) {
      if (!unknown.includes(t.name)) unknown.push(t.name);
      continue;
    }
    keys.push(header);
    fallbacks.push(t.fallback ?? '');
    literals.push('');
  }
  if (unknown.length > 0 || parsed.errors.length > 0) {
    const sentences = [...parsed.errors];
    if (unknown.length > 0) sentences.push(unknownMessage(unknown, fieldNames));
    return { ok: false, unknown, message: sentences.join(' ') };
  }
  const k = keys.length;
  if (k === 0) {
    const text = literals[0];
    return { ok: true, render: () => text };
  }
  return {
    ok: true,
    render(fields: Record<string, string>): string {
      let out = literals[0];
      for (let i = 0; i < k; i++) {
        let v = fields[keys[i]];
        if (typeof v !== 'string' || v === '') v = fallbacks[i];
        else if (edgeMayBeSpace(v)) {
          v = v.trim();
          if (v === '') v = fallbacks[i];
        }
        out += v + literals[i + 1];
      }
      return out;
    },
  };
}

// Cheap test so trim() runs only for values that may need it (the common value needs none).
function edgeMayBeSpace(v: string): boolean {
  const a = v.charCodeAt(0);
  const b = v.charCodeAt(v.length - 1);
  return a <= 32 || b <= 32 || a === 0xa0 || b === 0xa0 || a >= 0x1680 || b >= 0x1680;
}

function unknownMessage(unknown: string[], fieldNames: readonly string[]): string {
  const named = unknown.map((u) => `{${u}}`).join(', ');
  const head = unknown.length === 1 ? `Unknown merge field ${named}` : `Unknown merge fields ${named}`;
  const available =
    fieldNames.length > 0
      ? `the list's fields are ${fieldNames.map((f) => `{${f}}`).join(', ')}`
      : 'the list has no columns to merge';
  return `${head}: ${available}. Fix the name, or write "{{" for a literal brace.`;
}
