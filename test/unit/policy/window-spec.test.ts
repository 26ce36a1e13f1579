import { describe, expect, it } from 'vitest';
import type { ClusterResource } from '../../../shared/policy/decision.ts';
import { parseTagCondition, readOverride } from '../../../shared/policy/targeting.ts';
import { parseWindowSpec } from '../../../shared/policy/window-spec.ts';

describe('window specs', () => {
  it.each([
    ['Mon-Fri 07:00-19:00', [1, 2, 3, 4, 5], 420, 1140, false],
    ['Sat 10:00-14:00', [6], 600, 840, false],
    ['Mon,Wed 08:00-12:00', [1, 3], 480, 720, false],
    ['daily 00:00-06:00', [1, 2, 3, 4, 5, 6, 7], 0, 360, false],
    ['Fri 22:00-02:00', [5], 1320, 120, true],
    ['Fri-Mon 09:00-10:00', [1, 5, 6, 7], 540, 600, false],
    ['Sun 18:00-24:00', [7], 1080, 1440, false],
  ])('%s', (text, days, start, end, crosses) => {
    const result = parseWindowSpec(text);
    expect(
      result.ok && {
        days: [...result.range.days].sort(),
        start: result.range.start,
        end: result.range.end,
        crosses: result.range.crossesMidnight,
      },
    ).toEqual({
      days,
      start,
      end,
      crosses,
    });
  });

  it.each([
    [
      'Mon-Fri 07:00-07:00',
      'window "Mon-Fri 07:00-07:00" is empty: it starts and ends at 07:00; expected an end different from the start (an end before the start, like 19:00-07:00, runs into the next day)',
    ],
    [
      'Mon-Fri 7:00-19:00',
      '"7:00" is not a start time in window "Mon-Fri 7:00-19:00"; expected HH:MM from 00:00 to 23:59',
    ],
    [
      'weekdays 07:00-19:00',
      '"weekdays" is not a day in window "weekdays 07:00-19:00"; expected one of Mon, Tue, Wed, Thu, Fri, Sat, Sun or "daily"',
    ],
    [
      '07:00-19:00',
      '"07:00-19:00" is not a window; expected "<days> HH:MM-HH:MM" such as "Mon-Fri 07:00-19:00", "Sat 10:00-14:00", "Mon,Wed 08:00-12:00" or "daily 00:00-06:00"',
    ],
  ])('rejects %s', (text, message) => {
    expect(parseWindowSpec(text)).toEqual({ ok: false, message });
  });
});

describe('tag conditions and the override tag', () => {
  it.each([
    ['dev', { kind: 'equals', values: ['dev'] }],
    ['*', { kind: 'present' }],
    ['!*', { kind: 'absent' }],
    ['!=prod', { kind: 'not-equals', value: 'prod' }],
    [['dev', 'test'], { kind: 'equals', values: ['dev', 'test'] }],
    ['!prod', { error: '"!prod" is not a valid tag condition' }],
    ['dev*', { error: '"dev*" is not a valid tag condition' }],
    ['!=', { error: '"!=" is not a valid tag condition' }],
  ])('%j', (value, expected) => {
    expect(parseTagCondition(value)).toEqual(expected);
  });

  const withTag = (value: string) =>
    ({ type: 'cluster', id: 'c', tags: { 'autopilot:override': value } }) as unknown as ClusterResource;
  const now = Date.parse('2026-12-01T12:00:00Z');

  it('reads running-until and paused-until, and lets them expire', () => {
    expect(readOverride(withTag('running-until=2026-12-01T18:00Z'), now)).toEqual({
      kind: 'running',
      until: Date.parse('2026-12-01T18:00Z'),
      text: 'running-until=2026-12-01T18:00Z',
    });
    expect(readOverride(withTag('paused-until=2026-12-02T08:00+01:00'), now)).toMatchObject({
      kind: 'paused',
      until: Date.parse('2026-12-02T07:00Z'),
    });
    expect(readOverride(withTag('running-until=2026-12-01T11:00Z'), now)).toEqual({
      kind: 'expired',
      text: 'running-until=2026-12-01T11:00Z',
    });
  });

  it('turns a bad value into a reason, not a crash', () => {
    expect(readOverride(withTag('running-until=2026-12-01 18:00'), now)).toMatchObject({ kind: 'invalid' });
    expect(readOverride(withTag('keep-running'), now)).toMatchObject({ kind: 'invalid' });
  });
});
