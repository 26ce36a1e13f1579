import { analyzeConflicts } from '../../shared/policy/conflicts.ts';
import { loadPolicySources } from '../../shared/policy/policy-loader.ts';
import { generateScaledPolicyYaml } from '../fixtures/generate.ts';
import { median, round, since } from '../lib/stats.ts';

/**
 * What `autopilot validate` does with one large file — parse, schema, compile, conflict analysis —
 * for 1,000 and 10,000 policies, measured alternately (small, large, small, large…) so a noisy
 * neighbour slows both alike. The ratio of the medians must stay ≤ 10: validation is linear.
 */
export interface ValidateResult {
  sizes: { policies: number; bytes: number; runsMs: number[]; medianMs: number; problems: number }[];
  /** median(10,000) / median(1,000). */
  ratio: number;
  repeats: number;
}

function validateOnce(text: string, now: number): { ms: number; problems: number; policies: number } {
  const start = performance.now();
  const { policySet, problems } = loadPolicySources([{ file: 'bench/validate.yml', text }], { now });
  const conflicts = analyzeConflicts(policySet.policies, null, now);
  return { ms: since(start), problems: problems.length + conflicts.length, policies: policySet.policies.length };
}

export function benchValidate(repeats: number, now: number, small = 1_000, large = 10_000): ValidateResult {
  const texts = [generateScaledPolicyYaml(small), generateScaledPolicyYaml(large)];
  const runs: number[][] = [[], []];
  const problems = [0, 0];
  validateOnce(texts[0] as string, now); // warm-up: JIT, zones, the event catalog
  for (let r = 0; r < repeats; r++) {
    for (const k of [0, 1]) {
      const once = validateOnce(texts[k] as string, now);
      (runs[k] as number[]).push(round(once.ms, 1));
      problems[k] = once.problems;
    }
  }
  const sizes = [small, large].map((policies, k) => ({
    policies,
    bytes: (texts[k] as string).length,
    runsMs: runs[k] as number[],
    medianMs: round(median(runs[k] as number[]), 1),
    problems: problems[k] as number,
  }));
  return { sizes, ratio: round((sizes[1]?.medianMs ?? 0) / (sizes[0]?.medianMs ?? 1), 2), repeats };
}
