import { ConfigurationError } from '../errors.ts';

/** One JSON value of a file, with where it starts (1-based). */
export interface PlacedValue {
  value: unknown;
  line: number;
  column: number;
}

const WHITESPACE = /\s/;

function place(text: string, index: number): { line: number; column: number } {
  const before = text.slice(0, index);
  const line = before.split('\n').length;
  return { line, column: index - before.lastIndexOf('\n') };
}

function skipWhitespace(text: string, i: number): number {
  let at = i;
  while (at < text.length && WHITESPACE.test(text[at] ?? '')) at++;
  return at;
}

/** Where the value starting at `start` ends (exclusive): brackets and strings are followed, nothing parsed. */
function valueEnd(text: string, start: number): number {
  const first = text[start];
  if (first !== '{' && first !== '[' && first !== '"') {
    let i = start;
    while (i < text.length && !/[\s,\]}]/.test(text[i] ?? '')) i++;
    return i;
  }
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') {
        inString = false;
        if (depth === 0) return i + 1;
      }
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return text.length;
}

function parseAt(text: string, start: number, end: number, file: string, expected: string): unknown {
  const slice = text.slice(start, end);
  try {
    return JSON.parse(slice);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    const offset = Number(/position (\d+)/.exec(detail)?.[1] ?? slice.length);
    const { line, column } = place(text, start + Math.min(offset, slice.length));
    const reason = detail
      .replace(/ in JSON at position \d+.*$/s, '')
      .replace(/^Unexpected end of JSON input$/, 'unfinished');
    throw new ConfigurationError(`${file}:${line}:${column}: not JSON (${reason}); expected ${expected}`, {
      cause: error,
    });
  }
}

/**
 * The JSON values of an events file, in order: one per line (JSON Lines), pretty-printed values one
 * after the other (what `autopilot normalize` prints, appended), or one array of them (normalize's
 * output for an SNS batch). The elements of a top-level array are values of their own.
 */
export function jsonValues(text: string, file: string, expected: string): PlacedValue[] {
  const body = text.replace(/^\uFEFF/, '');
  const out: PlacedValue[] = [];
  const take = (start: number): number => {
    const end = valueEnd(body, start);
    out.push({ value: parseAt(body, start, end, file, expected), ...place(body, start) });
    return end;
  };
  let i = skipWhitespace(body, 0);
  while (i < body.length) {
    if (body[i] !== '[') {
      i = skipWhitespace(body, take(i));
      continue;
    }
    // A top-level array: its elements, each placed where it starts.
    i = skipWhitespace(body, i + 1);
    while (body[i] !== ']') {
      if (i >= body.length) {
        const { line, column } = place(body, i);
        throw new ConfigurationError(`${file}:${line}:${column}: the array is not closed; expected "]"`);
      }
      i = skipWhitespace(body, take(i));
      if (body[i] === ',') i = skipWhitespace(body, i + 1);
      else if (i < body.length && body[i] !== ']') {
        const { line, column } = place(body, i);
        throw new ConfigurationError(`${file}:${line}:${column}: expected "," or "]" between array elements`);
      }
    }
    i = skipWhitespace(body, i + 1);
  }
  return out;
}
