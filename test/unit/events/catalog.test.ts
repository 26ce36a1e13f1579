import { describe, expect, it } from 'vitest';
import {
  catalogEvents,
  compiledTemplateCount,
  identifyEvent,
  lookupEvent,
  matchTemplate,
  valueNames,
  wordingsFor,
} from '../../../shared/events/catalog.ts';
import { loadEventFixtureText } from '../../helpers/fixtures.ts';

describe('catalog', () => {
  // First in this file on purpose: nothing has matched yet, so nothing may have been compiled.
  it('compiles no template at import (cold start), only on first match, and once', () => {
    expect(compiledTemplateCount()).toBe(0);

    matchTemplate('Cluster {cluster_name} began restart at {time}.', 'Cluster a began restart at t.');
    matchTemplate('Cluster {cluster_name} began restart at {time}.', 'Cluster b began restart at u.');

    expect(compiledTemplateCount()).toBe(1);
  });

  it('looks events up by id; unknown ids are undefined', () => {
    expect(lookupEvent('REDSHIFT-EVENT-3618')).toMatchObject({
      sourceType: 'cluster',
      category: 'Monitoring',
      severity: 'INFO',
    });
    expect(lookupEvent('REDSHIFT-EVENT-9999')).toBeUndefined();
  });

  it('every template declares exactly the placeholders it contains', () => {
    for (const entry of catalogEvents()) {
      const inMessage = [...entry.message.matchAll(/\{([a-z0-9_]+)\}/g)].map((m) => m[1]);
      expect(inMessage, entry.id).toEqual(entry.placeholders);
    }
  });

  it('numbers repeated placeholder names', () => {
    expect(valueNames(['name', 'name', 'time'])).toEqual(['name', 'name_2', 'time']);
    expect(valueNames(['time_in_utc', 'x', 'time_in_utc', 'time_in_utc'])).toEqual([
      'time_in_utc',
      'x',
      'time_in_utc_2',
      'time_in_utc_3',
    ]);
  });
});

describe('eventbridge-wordings.json', () => {
  it.each(['catalog-redshift-zero-etl-integration-events.csv', 'catalog-redshift-serverless-eventbridge-events.csv'])(
    'holds every row of the EventBridge page transcription %s, with its category and severity',
    (name) => {
      const rows = loadEventFixtureText(name)
        .split('\n')
        .slice(1)
        .filter((line) => line.trim() !== '')
        .map((line) => line.split(',', 3));

      for (const [category, id, severity] of rows) {
        const wording = [...wordingsFor('integration'), ...wordingsFor('serverless')].find(
          (w) => w.id === id && w.category === category,
        );
        expect(wording?.severity, `${id}`).toBe(severity);
      }
      expect(rows.length).toBeGreaterThan(20);
    },
  );
});

describe('matchTemplate', () => {
  const template = 'Maintenance on cluster {cluster_name} completed at {time_in_utc}.';

  it('extracts the values', () => {
    expect(matchTemplate(template, 'Maintenance on cluster a-1 completed at 2026-11-25 06:36 UTC.')).toEqual({
      cluster_name: 'a-1',
      time_in_utc: '2026-11-25 06:36 UTC',
    });
  });

  it('tolerates whitespace differences, trailing spaces and a missing final period', () => {
    expect(matchTemplate(template, '  Maintenance  on cluster\na-1 completed at 2026-11-25 06:36 UTC   ')).toEqual({
      cluster_name: 'a-1',
      time_in_utc: '2026-11-25 06:36 UTC',
    });
  });

  it('tolerates spaces before punctuation either way ("available ." in the guide)', () => {
    const guide =
      'Workgroup base RPU change failed to complete at {time_in_utc} because it lacks space available . Try again.';
    expect(
      matchTemplate(
        guide,
        'Workgroup base RPU change failed to complete at T because it lacks space available. Try again.',
      ),
    ).toEqual({
      time_in_utc: 'T',
    });
  });

  it('accepts the real wording "Amazon Redshift cluster \'x\'" for the guide\'s "cluster x"', () => {
    expect(
      matchTemplate(
        template,
        "Maintenance on Amazon Redshift cluster 'sapi-14-firehouse' completed at 2015-07-03 06:36 UTC.",
      ),
    ).toEqual({ cluster_name: 'sapi-14-firehouse', time_in_utc: '2015-07-03 06:36 UTC' });
  });

  it('escapes everything that is not a placeholder', () => {
    const withRegexChars = 'Cost (USD) is $5.00 for {cluster_name} [est.]*';
    expect(matchTemplate(withRegexChars, 'Cost (USD) is $5.00 for a [est.]*')).toEqual({ cluster_name: 'a' });
    expect(matchTemplate(withRegexChars, 'Cost USD is $5000 for a est*')).toBeNull();
  });

  it('is null for a different message', () => {
    expect(matchTemplate(template, 'Maintenance started on cluster a-1 at 2026-11-25 06:36 UTC.')).toBeNull();
  });

  it('reads the "[was / was not]" choice', () => {
    const entry = lookupEvent('REDSHIFT-EVENT-2001');
    if (entry === undefined) throw new Error('catalog lost 2001');
    expect(
      matchTemplate(
        entry.message,
        'Your Amazon Redshift cluster a-1 was deleted at 2026-11-25 06:36 UTC. A final snapshot was not saved.',
      ),
    ).toEqual({ cluster_name: 'a-1', time: '2026-11-25 06:36 UTC', was_was_not: 'was not' });
  });
});

describe('identifyEvent: never a guess', () => {
  it('two events with the same text (REDSHIFT-EVENT-3010 and -3511) identify neither', () => {
    expect(
      identifyEvent('cluster', 'Table restore failed for Amazon Redshift cluster a-1 at 2026-11-25 06:36 UTC.'),
    ).toBeNull();
  });

  it('a text no template follows identifies nothing', () => {
    expect(identifyEvent('integration', 'Something AWS has not documented.')).toBeNull();
  });

  it('the more specific of two matching templates wins (SERVERLESS 1029 also fits 1002 with a long "time")', () => {
    const found = identifyEvent(
      'serverless',
      "Workgroup base RPU change failed to complete at 2026-11-25 06:36 UTC because it doesn't have enough disk space available. Try again with a different configuration.",
    );

    expect(found?.wording.id).toBe('REDSHIFT-SERVERLESS-EVENT-1029');
  });

  it('an identifier placeholder does not swallow words (0000 "has been created and is now ACTIVE" is not 0013)', () => {
    const found = identifyEvent('integration', 'Zero-ETL integration orders has been created and is now ACTIVE.');

    expect(found?.wording.id).toBe('REDSHIFT-INTEGRATION-EVENT-0000');
    expect(found?.values).toEqual({ integration_name: 'orders' });
  });
});
