import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatProblem, loadPolicySources } from '../../../shared/policy/policy-loader.ts';

// Every YAML block in docs/snapshots.md is a policy document and must validate (the same rule as
// docs/policy-language.md's examples).
const DOC = path.resolve(import.meta.dirname, '../../../docs/snapshots.md');

function examples(): { line: number; yaml: string }[] {
  const text = readFileSync(DOC, 'utf8');
  const out: { line: number; yaml: string }[] = [];
  const re = /```yaml\n([\s\S]*?)```/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    out.push({ line: text.slice(0, m.index).split('\n').length, yaml: m[1] ?? '' });
  }
  return out;
}

describe('docs/snapshots.md examples', () => {
  it('has examples to check', () => {
    expect(examples().length).toBeGreaterThanOrEqual(2);
  });

  it.each(examples())('example at line $line validates', ({ line, yaml }) => {
    const result = loadPolicySources([{ file: `snapshots.md#${line}`, text: yaml }]);
    expect(result.problems.map(formatProblem)).toEqual([]);
    expect(result.policySet.policies.map((p) => p.capability.key)).toEqual(['snapshots']);
  });
});
