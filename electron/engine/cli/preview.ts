/** `smsdesk preview --text TEXT`: what one message costs in parts, as plain data for the CLI to print. */
import { analyze, unicodeCulprits, type SmsEncoding } from '../../../shared/sms/index.ts';

export interface TextPreview {
  encoding: SmsEncoding;
  characters: number;
  parts: number;
  /** distinct characters that force UCS-2, in order of first appearance; a letter with its tone marks is one */
  nonGsm: string[];
  charsLeft: number;
  units: number;
}

export function previewText(text: string): TextPreview {
  const a = analyze(text);
  return {
    encoding: a.encoding,
    characters: a.characters,
    parts: a.parts,
    nonGsm: a.nonGsm.length ? unicodeCulprits(text).map((c) => c.shown) : [],
    charsLeft: a.charsLeft,
    units: a.units,
  };
}
