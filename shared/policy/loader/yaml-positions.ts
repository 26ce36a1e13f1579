import { isMap, isPair, isScalar, isSeq, type LineCounter, type Node } from 'yaml';
import type { FileContext, Path } from './positions.ts';

/**
 * Positions in a parsed policy file: the YAML node a problem is about, so the loader keeps each
 * file's parsed node tree next to its data (./positions.ts for the context the stages use).
 */

export { type FileContext, type Path, problemAt } from './positions.ts';

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

/** The context of one parsed file: positions from its node tree. */
export function yamlFileContext(file: string, lineCounter: LineCounter, root: Node | null): FileContext {
  return {
    file,
    positionOf(at, atKey) {
      const node = nodeAt(root, at, atKey);
      return lineCounter.linePos(node?.range?.[0] ?? 0);
    },
  };
}
