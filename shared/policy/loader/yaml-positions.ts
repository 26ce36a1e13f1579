import { isMap, isPair, isScalar, isSeq, type LineCounter, type Node } from 'yaml';
import type { PolicyProblem } from '../../errors.ts';

/**
 * Positions in a policy file: every problem points at `file:line:col` (1-based) of the YAML node it
 * is about, so the loader keeps each file's parsed node tree next to its data.
 */

export type Path = readonly (string | number)[];

export interface FileContext {
  file: string;
  lineCounter: LineCounter;
  root: Node | null;
}

/** The YAML node at a path: the value, or its key when `atKey` (or when the value is missing). */
function nodeAt(root: Node | null, at: Path, atKey: boolean): Node | null {
  let node: Node | null = root;
  for (const [i, segment] of at.entries()) {
    const last = i === at.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment));
      if (pair === undefined) return node;
      const key = pair.key as Node;
      if ((last && atKey) || pair.value === null) return key;
      node = pair.value as Node;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment] as Node | undefined;
      if (item === undefined) return node;
      node = item;
    } else return node;
  }
  return node;
}

export function problemAt(
  ctx: FileContext,
  at: Path,
  message: string,
  options: { atKey?: boolean; severity?: 'error' | 'warning' } = {},
): PolicyProblem {
  const node = nodeAt(ctx.root, at, options.atKey ?? false);
  const offset = node?.range?.[0] ?? 0;
  const { line, col } = ctx.lineCounter.linePos(offset);
  return { file: ctx.file, line, col, message, severity: options.severity ?? 'error' };
}
