import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatProblem, loadPolicySources } from '../../../shared/policy/policy-loader.ts';

// Every YAML block in these documents is a policy document: it must validate, or fail with exactly
// the message of the `<!-- invalid: ... -->` comment right above it. Add a document here when it
// gains policy examples; the minimum count keeps a document from silently losing them.
const ROOT = path.resolve(import.meta.dirname, '../../..');
const DOCS: { file: string; minExamples: number }[] = [
  { file: 'docs/policy-language.md', minExamples: 6 },
  { file: 'README.md', minExamples: 1 },
  { file: 'docs/snapshots.md', minExamples: 1 },
];

function examples(file: string): { line: number; yaml: string; invalid: string | null }[] {
  const text = readFileSync(path.join(ROOT, file), 'utf8');
  const out: { line: number; yaml: string; invalid: string | null }[] = [];
  const re = /(?:<!-- invalid: (.*?) -->\n)?```yaml\n([\s\S]*?)```/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    out.push({ line: text.slice(0, m.index).split('\n').length, yaml: m[2] ?? '', invalid: m[1] ?? null });
  }
  return out;
}

describe.each(DOCS.filter((d) => existsSync(path.join(ROOT, d.file))))('$file examples', ({ file, minExamples }) => {
  const all = examples(file);

  it('has examples to check', () => {
    expect(all.length).toBeGreaterThanOrEqual(minExamples);
  });

  it.each(all)('example at line $line', ({ line, yaml, invalid }) => {
    // Act
    const result = loadPolicySources([{ file: `${path.basename(file)}#${line}`, text: yaml }]);
    const errors = result.problems.filter((p) => p.severity === 'error').map((p) => p.message);
    // Assess
    if (invalid === null) {
      expect(result.problems.map(formatProblem)).toEqual([]);
      expect(result.policySet.policies.length).toBeGreaterThan(0);
    } else expect(errors).toEqual([invalid]);
  });
});
