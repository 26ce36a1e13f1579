import { describe, expect, it } from 'vitest';
import { command } from '../../../shared/cli/commands/normalize.command.ts';
import { UsageError } from '../../../shared/cli/io.ts';
import { fakeIo } from '../../helpers/cli.ts';
import { eventFixturePath, loadEventFixtureText } from '../../helpers/fixtures.ts';

describe('autopilot normalize', () => {
  it('prints the single event of a fixture file as one JSON object, exit 0', async () => {
    const io = fakeIo();

    const code = await command.run(
      [eventFixturePath('sns-lambda-event-redshift-event-notification-REDSHIFT-EVENT-2004.json')],
      io,
    );

    expect(code).toBe(0);
    expect(io.err()).toBe('');
    expect(JSON.parse(io.out())).toMatchObject({
      kind: 'redshift-event',
      eventId: 'REDSHIFT-EVENT-2004',
      resource: { type: 'cluster', id: 'sapi-14-firehouse' },
      time: '2015-07-03T06:36:08.053Z',
    });
  });

  it('reads stdin with "-" (and with no argument); a partial capture gets the current time', async () => {
    const stdin = loadEventFixtureText('eventbridge-aws.redshift-integration-monitoring.CAPTURED-PARTIAL.json');
    for (const args of [['-'], []]) {
      const io = fakeIo({ stdin, now: '2026-11-25T09:00:00Z' });

      expect(await command.run(args, io)).toBe(0);
      expect(JSON.parse(io.out())).toMatchObject({
        eventId: 'REDSHIFT-INTEGRATION-EVENT-0003',
        time: '2026-11-25T09:00:00.000Z',
      });
    }
  });

  it('prints an array when the input held several records', async () => {
    const record = JSON.parse(
      loadEventFixtureText('sns-lambda-event-redshift-event-notification-REDSHIFT-EVENT-2004.json'),
    );
    const io = fakeIo({ stdin: JSON.stringify({ Records: [...record.Records, ...record.Records] }) });

    expect(await command.run(['-'], io)).toBe(0);
    const printed = JSON.parse(io.out());
    expect(Array.isArray(printed)).toBe(true);
    expect(printed).toHaveLength(2);
  });

  it('the subscription test message: an empty array, and why on stderr, exit 0', async () => {
    const io = fakeIo();

    const code = await command.run([eventFixturePath('sns-lambda-event-redshift-subscription-test-topic.json')], io);

    expect(code).toBe(0);
    expect(io.out()).toBe('[]\n');
    expect(io.err()).toContain('ignored Records[0].Sns.Message: Redshift event-subscription test notification');
  });

  it('a broken file: one line on stderr naming the file and the problem, no stack, exit 1', async () => {
    const io = fakeIo();
    const file = eventFixturePath('cloudtrail-record-redshift-serverless-CreateNamespace.jsonc');

    const code = await command.run([file], io);

    expect(code).toBe(1);
    expect(io.out()).toBe('');
    expect(io.err()).toBe(
      `${file}: truncated or invalid JSON at position 2191 (line 56, column 1): Expected double-quoted property name\n`,
    );
  });

  it('an unsupported payload: the reason on stderr, exit 1', async () => {
    const io = fakeIo();

    const code = await command.run(
      [eventFixturePath('eventbridge-aws.redshift-data-statement-status-change.json')],
      io,
    );

    expect(code).toBe(1);
    expect(io.err()).toMatch(/: source: unsupported source 'aws\.redshift-data'/);
    expect(io.err()).not.toMatch(/\n\s+at /);
  });

  it('a missing file: exit 1 with the name', async () => {
    const io = fakeIo();

    expect(await command.run(['no-such-event.json'], io)).toBe(1);
    expect(io.err()).toBe('autopilot normalize: cannot read no-such-event.json: no such file\n');
  });

  it('more than one input is a usage error', async () => {
    await expect(command.run(['a.json', 'b.json'], fakeIo())).rejects.toThrow(UsageError);
  });
});
