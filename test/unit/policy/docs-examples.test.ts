import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatProblem, loadPolicySources } from '../../../shared/policy/policy-loader.ts';

// Every YAML block in docs/policy-language.md is a policy document: it must validate, or fail with
// exactly the message of the `<!-- invalid: ... -->` comment right above it.
const DOC = path.resolve(import.meta.dirname, '../../../docs/policy-language.md');

function examples(): { line: number; yaml: string; invalid: string | null }[] {
  const text = readFileSync(DOC, 'utf8');
  const out: { line: number; yaml: string; invalid: string | null }[] = [];
  const re = /(?:<!-- invalid: (.*?) -->\n)?```yaml\n([\s\S]*?)```/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    out.push({ line: text.slice(0, m.index).split('\n').length, yaml: m[2] ?? '', invalid: m[1] ?? null });
  }
  return out;
}

describe('docs/policy-language.md examples', () => {
  const all = examples();

  it('has examples to check', () => {
    expect(all.length).toBeGreaterThanOrEqual(6);
  });

  it.each(all)('example at line $line', ({ line, yaml, invalid }) => {
    // Act
    const result = loadPolicySources([{ file: `policy-language.md#${line}`, text: yaml }]);
    const errors = result.problems.filter((p) => p.severity === 'error').map((p) => p.message);
    // Assess
    if (invalid === null) {
      expect(result.problems.map(formatProblem)).toEqual([]);
      expect(result.policySet.policies.length).toBeGreaterThan(0);
    } else expect(errors).toEqual([invalid]);
  });
});
