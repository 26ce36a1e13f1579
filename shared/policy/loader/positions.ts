import type { PolicyProblem } from '../../errors.ts';

/**
 * Positions in a policy file: every problem points at `file:line:col` (1-based). Where they come from
 * is the context's business: the YAML node tree when a file is parsed (./yaml-positions.ts), the
 * positions recorded at package time when the compiled policies are read in Lambda
 * (../packaged-policies.ts). The compile stages use only this module, so they load no YAML parser.
 */

export type Path = readonly (string | number)[];

export interface FileContext {
  file: string;
  /** The position of the value at `at` (its key when `atKey`, or the nearest known ancestor). */
  positionOf(at: Path, atKey: boolean): { line: number; col: number };
}

export function problemAt(
  ctx: FileContext,
  at: Path,
  message: string,
  options: { atKey?: boolean; severity?: 'error' | 'warning' } = {},
): PolicyProblem {
  const { line, col } = ctx.positionOf(at, options.atKey ?? false);
  return { file: ctx.file, line, col, message, severity: options.severity ?? 'error' };
}
