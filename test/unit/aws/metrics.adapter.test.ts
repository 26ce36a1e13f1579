import { describe, expect, it } from 'vitest';
import { EmfMetrics } from '../../../shared/aws/metrics.adapter.ts';

describe('EmfMetrics', () => {
  it('aggregates counts per metric and reason and emits one single metric per pair on flush', () => {
    const emitted: { dimensions: Record<string, string>; name: string; value: number }[] = [];
    const metrics = new EmfMetrics({
      singleMetric() {
        const dimensions: Record<string, string> = {};
        return {
          addDimension(name: string, value: string) {
            dimensions[name] = value;
          },
          addMetric(name: string, _unit: 'Count', value: number) {
            emitted.push({ dimensions, name, value });
          },
        };
      },
    });

    metrics.count('actions', 'PauseCluster');
    metrics.count('actions', 'PauseCluster');
    metrics.count('skips', 'notMultiAz');
    metrics.flush();
    metrics.flush();

    expect(emitted).toEqual([
      { dimensions: { reason: 'PauseCluster' }, name: 'actions', value: 2 },
      { dimensions: { reason: 'notMultiAz' }, name: 'skips', value: 1 },
    ]);
  });
});
