/**
 * Where each value of a JSON text starts, by path (`targets[1].account` → line and column), so that a
 * configuration file's problems are reported as `file:line:col` like a policy's. A small scanner over
 * text JSON.parse has already accepted: it follows strings, objects and arrays and records offsets.
 */
export interface Position {
  line: number;
  col: number;
}

export function positionAt(text: string, index: number): Position {
  const before = text.slice(0, index);
  const line = before.split('\n').length;
  return { line, col: index - before.lastIndexOf('\n') };
}

function skipSpace(text: string, i: number): number {
  let at = i;
  while (at < text.length && /\s/.test(text[at] ?? '')) at++;
  return at;
}

function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i + 1;
  }
  return text.length;
}

/** Records `path → offset` for the value at `i` and everything inside it; returns where the value ends. */
function scan(text: string, i: number, path: string, out: Map<string, number>): number {
  const start = skipSpace(text, i);
  out.set(path, start);
  const c = text[start];
  if (c === '"') return stringEnd(text, start);
  if (c === '{' || c === '[') {
    const close = c === '{' ? '}' : ']';
    let at = skipSpace(text, start + 1);
    let index = 0;
    while (at < text.length && text[at] !== close) {
      let child = `${path}[${index}]`;
      if (c === '{') {
        const keyEnd = stringEnd(text, at);
        const key = JSON.parse(text.slice(at, keyEnd)) as string;
        child = path === '' ? key : `${path}.${key}`;
        at = skipSpace(text, keyEnd) + 1; // past ':'
      }
      at = skipSpace(text, scan(text, at, child, out));
      if (text[at] === ',') at = skipSpace(text, at + 1);
      index++;
    }
    return at + 1;
  }
  let end = start;
  while (end < text.length && !/[\s,\]}]/.test(text[end] ?? '')) end++;
  return end;
}

/** Every path of a JSON text (already valid) → the position its value starts at. */
export function jsonPositions(text: string): (path: string) => Position {
  const offsets = new Map<string, number>();
  scan(text, 0, '', offsets);
  return (path) => {
    // The nearest enclosing value that exists (a missing key is reported at its object).
    let at = path;
    while (!offsets.has(at) && at !== '') at = at.replace(/(\.[^.[]+|\[\d+\])$/, '');
    return positionAt(text, offsets.get(at) ?? 0);
  };
}

/** A JSON.parse error's position (`… at position 42` or `(line 3 column 5)`), when the message has one. */
export function syntaxPosition(text: string, error: unknown): Position {
  const message = error instanceof Error ? error.message : String(error);
  const lineCol = /line (\d+) column (\d+)/.exec(message);
  if (lineCol !== null) return { line: Number(lineCol[1]), col: Number(lineCol[2]) };
  const at = /position (\d+)/.exec(message);
  return positionAt(text, at === null ? 0 : Number(at[1]));
}
