import type { PublishedAlert } from '../../../shared/simulation/aws-services.ts';

/**
 * What the alerts announced, one line per resource and action, whether an action was alerted alone or
 * listed in its policy run's digest (issue 19: a sweep's INFO outcomes of one policy run are one SNS
 * message with a `Resources:` list): `HH:MM workgroup/etl-dev UpdateWorkgroup started`. A grade's own
 * alert (no AWS action) reads `HH:MM <resource> UsageGradeAlert <subject>`.
 */
const OUTCOME: Record<string, string> = { 'in-progress': 'started', succeeded: 'done' };

export function announced(alerts: readonly PublishedAlert[], day = false): string[] {
  return alerts.flatMap((a) => {
    const at = a.at.slice(day ? 5 : 11, 16);
    const listed = /\nResources:\n([\s\S]*?)\n\n/.exec(a.message ?? '')?.[1];
    if (listed !== undefined) {
      return listed.split('\n').map((l) => {
        const [resource, action, outcome] = l.trim().split(/ {2,}/);
        return `${at} ${resource} ${action} ${outcome}`;
      });
    }
    const { resource, action, outcome } = a.attributes;
    if (action === 'UsageGradeAlert') return [`${at} ${resource} ${action} ${a.subject ?? ''}`];
    return [`${at} ${resource} ${action} ${OUTCOME[outcome ?? ''] ?? outcome}`];
  });
}

/** Every reason an alert gives: an action alert's `Why:`, a digest's reasons (each line), a grade alert's `What:`. */
export function reasonsOf(a: PublishedAlert): string[] {
  const text = a.message ?? '';
  const why = /^Why: +([\s\S]*?)\n(?:\n|[A-Z][a-z]+:)/m.exec(text)?.[1];
  if (why === undefined) return [/^What: +(.*)$/m.exec(text)?.[1] ?? ''];
  return why.split('\n').map((l) => l.trim().replace(/ \(\d+\)$/, ''));
}
