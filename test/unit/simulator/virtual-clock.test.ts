import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../shared/simulator/virtual-clock.ts';

describe('VirtualClock', () => {
  it('fires timers in time order, ties in scheduling order, with now() at each due time', () => {
    const clock = new VirtualClock(1_000);
    const seen: string[] = [];
    clock.schedule(3_000, () => seen.push(`c@${clock.nowMs()}`));
    clock.schedule(2_000, () => seen.push(`a@${clock.nowMs()}`));
    clock.schedule(2_000, () => seen.push(`b@${clock.nowMs()}`));

    clock.advanceTo(10_000);

    expect(seen).toEqual(['a@2000', 'b@2000', 'c@3000']);
    expect(clock.nowMs()).toBe(10_000);
  });

  it('fires timers scheduled by timers when they fall inside the advance, and leaves later ones', () => {
    const clock = new VirtualClock(0);
    const seen: number[] = [];
    clock.schedule(100, () => {
      seen.push(clock.nowMs());
      clock.after(50, () => seen.push(clock.nowMs()));
      clock.after(5_000, () => seen.push(clock.nowMs()));
    });

    clock.advanceTo(1_000);

    expect(seen).toEqual([100, 150]);
    expect(clock.pending()).toBe(1);
    expect(clock.nextTimerAt()).toBe(5_100);
  });

  it('does not fire cancelled timers and repeats `every` until stopped', () => {
    const clock = new VirtualClock(0);
    const ticks: number[] = [];
    const cancelled = clock.after(10, () => ticks.push(-1));
    clock.cancel(cancelled);
    const stop = clock.every(300, (at) => ticks.push(at.getTime()), { firstAt: 0 });

    clock.advanceTo(900);
    stop();
    clock.advanceTo(5_000);

    expect(ticks).toEqual([0, 300, 600, 900]);
  });

  it('refuses to move backwards', () => {
    const clock = new VirtualClock(1_000);
    expect(() => clock.advanceTo(999)).toThrow(/cannot move back/);
  });

  it('fires any set of timers sorted by (time, scheduling order)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 60 }), (times) => {
        const clock = new VirtualClock(0);
        const fired: [number, number][] = [];
        for (const [i, t] of times.entries()) {
          clock.schedule(t, () => fired.push([t, i]));
        }
        clock.advanceTo(100);
        const expected = times.map((t, i) => [t, i] as [number, number]).sort((x, y) => x[0] - y[0] || x[1] - y[1]);
        expect(fired).toEqual(expected);
      }),
    );
  });
});
