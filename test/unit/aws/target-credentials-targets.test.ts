import { describe, expect, it } from 'vitest';
import { arnLocation, locationOfTarget, parseTargets } from '../../../shared/aws/targets.ts';

const FILE = `{
  "regions": ["eu-west-1", "eu-central-1"],
  "externalId": "autopilot-7f3c9a",
  "concurrency": 4,
  "targets": [
    { "account": "111111111111", "assumeRole": false },
    { "account": "222222222222", "regions": ["us-east-1"], "executionRoleArn": "arn:aws:iam::222222222222:role/ops/autopilot-exec" }
  ]
}`;

describe('the hub targets file', () => {
  it('lists every (account, Region) with the roles to assume and the external id', () => {
    const { locations, concurrency } = parseTargets(FILE, 'targets.json');
    expect(concurrency).toBe(4);
    expect(locations).toEqual([
      { account: '111111111111', region: 'eu-west-1', read: null, execute: null },
      { account: '111111111111', region: 'eu-central-1', read: null, execute: null },
      {
        account: '222222222222',
        region: 'us-east-1',
        read: { roleArn: 'arn:aws:iam::222222222222:role/autopilot-spoke-read', externalId: 'autopilot-7f3c9a' },
        execute: { roleArn: 'arn:aws:iam::222222222222:role/ops/autopilot-exec', externalId: 'autopilot-7f3c9a' },
      },
    ]);
  });

  it('reports every problem at its line and column, with what was expected', () => {
    const bad = `{
  "targets": [
    { "account": "11111111111", "regions": ["eu-west-1"] },
    { "account": "222222222222", "regions": ["eu-west"], "readRoleArn": "arn:aws:iam::333333333333:role/r" },
    { "acount": "333333333333" }
  ]
}`;
    expect(() => parseTargets(bad, 'targets.json')).toThrow(
      [
        'targets.json:3:18: account "11111111111" is not valid; expected a 12-digit account id in quotes',
        'targets.json:4:46: region "eu-west" is not valid; expected a Region name such as eu-west-1',
        'targets.json:4:73: readRoleArn arn:aws:iam::333333333333:role/r is in another account; expected a role in 222222222222',
        'targets.json:5:17: unknown key acount; expected one of account, regions, externalId, readRoleArn, executionRoleArn, assumeRole',
        'targets.json:5:5: target has no account; expected "account": "111111111111"',
        'targets.json:5:5: target has no regions and there is no top-level "regions"; expected "regions": ["eu-west-1"]',
      ].join('\n'),
    );
  });

  it('a syntax error names its line and column', () => {
    expect(() => parseTargets('{\n  "targets": [] "x"\n}', 'targets.json')).toThrow(
      /^targets\.json:2:17: not valid JSON/,
    );
  });

  it('a pair listed twice is refused', () => {
    const twice = '{"regions":["eu-west-1"],"targets":[{"account":"111111111111"},{"account":"111111111111"}]}';
    expect(() => parseTargets(twice, 't.json')).toThrow('t.json:1:64: 111111111111/eu-west-1 is listed twice');
  });

  it('a target is located by its own account and Region, else by its ARN', () => {
    expect(arnLocation('arn:aws:redshift:eu-west-1:111111111111:cluster:dev')).toEqual({
      account: '111111111111',
      region: 'eu-west-1',
    });
    expect(
      locationOfTarget({ type: 'cluster', id: 'dev', arn: 'arn:aws:redshift:eu-west-1:111111111111:cluster:dev' }),
    ).toEqual({
      account: '111111111111',
      region: 'eu-west-1',
    });
    expect(locationOfTarget({ type: 'cluster', id: 'dev' })).toEqual({ account: null, region: null });
  });
});
