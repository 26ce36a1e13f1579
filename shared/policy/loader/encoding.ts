import type { PolicyProblem } from '../../errors.ts';

/**
 * Policy files are UTF-8. Read as UTF-8 blindly, a Latin-1 "é" becomes U+FFFD and a tag value that
 * looks right in the editor matches nothing; so the first byte that is not UTF-8 is an error at its
 * `line:col` (col counted in characters, as the other positions are), and the rest is still checked.
 */

/** Offset of the first byte that does not belong to a well-formed UTF-8 sequence, or -1. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] as number;
    if (b < 0x80) {
      i++;
      continue;
    }
    // Lead byte → sequence length and the allowed range of the second byte (no overlongs, no surrogates).
    let length: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) length = 2;
    else if (b >= 0xe0 && b <= 0xef) {
      length = 3;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      length = 4;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k < length; k++) {
      const c = bytes[i + k];
      const [min, max] = k === 1 ? [lo, hi] : [0x80, 0xbf];
      if (c === undefined || c < min || c > max) return i;
    }
    i += length;
  }
  return -1;
}

const decoder = new TextDecoder('utf-8');

/** The text (bad bytes as U+FFFD) and the problem at the first bad byte, if any. */
export function decodePolicyBytes(file: string, bytes: Uint8Array): { text: string; problem: PolicyProblem | null } {
  const text = decoder.decode(bytes);
  const bad = firstInvalidUtf8(bytes);
  if (bad === -1) return { text, problem: null };
  const lineStart = bad === 0 ? 0 : bytes.lastIndexOf(0x0a, bad - 1) + 1;
  let line = 1;
  for (let i = 0; i < lineStart; i++) if (bytes[i] === 0x0a) line++;
  const col = decoder.decode(bytes.subarray(lineStart, bad)).length + 1;
  const hex = (bytes[bad] as number).toString(16).toUpperCase().padStart(2, '0');
  return {
    text,
    problem: {
      file,
      line,
      col,
      message: `byte 0x${hex} is not UTF-8; expected the file saved as UTF-8 (an editor's "Latin-1" or "Windows-1252" encoding writes é, ü, ß this way)`,
      severity: 'error',
    },
  };
}
