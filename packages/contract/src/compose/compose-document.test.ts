import { describe, expect, it } from 'vitest';
import { SlipwayError } from '../slipway-error.js';
import { parseComposeText } from './compose-document.js';
import { createInterpolationReport, interpolateString, parseEnvFile } from './compose-interpolation.js';
import { parseComposeDurationSeconds } from './compose-schema.js';

/** The issues of the COMPOSE_INVALID that `run` throws, as `path: message` lines. */
async function composeIssues(run: () => unknown): Promise<string[]> {
  try {
    await run();
  } catch (error) {
    expect(error).toBeInstanceOf(SlipwayError);
    const coded = error as SlipwayError;
    expect(coded.code).toBe('COMPOSE_INVALID');
    const issues = coded.details?.['issues'] as Array<{ path: string; message: string }>;
    return issues.map((issue) => `${issue.path}: ${issue.message}`);
  }
  throw new Error('expected a COMPOSE_INVALID error');
}

const lookupIn = (variables: Record<string, string>) => (name: string) =>
  Object.hasOwn(variables, name) ? variables[name] : undefined;

describe('interpolation', () => {
  const interpolate = (text: string, variables: Record<string, string> = {}) => {
    const report = createInterpolationReport();
    const value = interpolateString(text, lookupIn(variables), 'services.web.image', report);
    return { value, report };
  };

  it('replaces ${VAR}, $VAR and defaults the way docker compose does, and turns $$ into $', () => {
    const variables = { TAG: '1.2', EMPTY: '', HOST: 'db' };
    expect(interpolate('shop:${TAG}', variables).value).toBe('shop:1.2');
    expect(interpolate('postgres://$HOST:5432', variables).value).toBe('postgres://db:5432');
    expect(interpolate('${MISSING:-fallback}', variables).value).toBe('fallback');
    expect(interpolate('${EMPTY:-fallback}', variables).value).toBe('fallback');
    expect(interpolate('${EMPTY-fallback}', variables).value).toBe('');
    expect(interpolate('${MISSING-fallback}', variables).value).toBe('fallback');
    expect(interpolate('${TAG:+set}${MISSING:+set}', variables).value).toBe('set');
    expect(interpolate('${MISSING:-${HOST}:${TAG}}', variables).value).toBe('db:1.2');
    expect(interpolate('price: $$5 and $${TAG}', variables).value).toBe('price: $5 and ${TAG}');
  });

  it('uses an empty string for an unset variable and reports it once, with where it was first used', () => {
    const { value, report } = interpolate('${NOPE}-${NOPE}');
    expect(value).toBe('-');
    expect([...report.unset]).toEqual([['NOPE', 'services.web.image']]);
    expect(report.issues).toEqual([]);
  });

  it('reports ${VAR:?message} when unset or empty, a lone $ and an unclosed ${ as issues with their path', () => {
    expect(interpolate('${DB_PASSWORD:?set it in .env}').report.issues).toEqual([
      { path: 'services.web.image', message: 'required variable DB_PASSWORD is not set: set it in .env' },
    ]);
    expect(interpolate('${EMPTY:?}', { EMPTY: '' }).report.issues[0]?.message).toBe('required variable EMPTY is empty');
    expect(interpolate('${EMPTY?}', { EMPTY: '' }).report.issues).toEqual([]);
    expect(interpolate('costs 5$').report.issues[0]?.message).toMatch(/escape a literal "\$" as "\$\$"/);
    expect(interpolate('${TAG').report.issues[0]?.message).toMatch(/not closed/);
    expect(interpolate('${TAG!x}').report.issues[0]?.message).toMatch(/invalid interpolation/);
  });
});

describe('env files', () => {
  it('reads KEY=VALUE lines with export, comments, quotes, escapes, multi-line values and interpolation', () => {
    const report = createInterpolationReport();
    const text = [
      '# settings',
      'export NAME=shop',
      'BARE = spaced value   # a comment',
      "SINGLE='no ${NAME} here'",
      'DOUBLE="line one\\nline ${NAME}"',
      'PEM="-----BEGIN-----',
      'abc',
      '-----END-----"',
      'FROM_ENV',
      'EMPTY=',
      '',
    ].join('\n');
    const values = parseEnvFile(text, '.env', lookupIn({ FROM_ENV: 'outside' }), report);
    expect(values).toEqual({
      NAME: 'shop',
      BARE: 'spaced value',
      SINGLE: 'no ${NAME} here',
      DOUBLE: 'line one\nline shop',
      PEM: '-----BEGIN-----\nabc\n-----END-----',
      FROM_ENV: 'outside',
      EMPTY: '',
    });
    expect(report.issues).toEqual([]);
  });

  it('names the file and line of a bad name or an unclosed quote', () => {
    const report = createInterpolationReport();
    parseEnvFile('OK=1\n9BAD=2\nOPEN="never closed\n', 'app.env', () => undefined, report);
    expect(report.issues).toEqual([
      { path: 'app.env:2', message: '"9BAD" is not a variable name' },
      { path: 'app.env:3', message: 'the value of OPEN opens a " quote that is never closed' },
    ]);
  });
});

describe('compose durations', () => {
  it('reads Go-style durations into seconds and refuses a bare number', () => {
    expect(parseComposeDurationSeconds('1m30s')).toBe(90);
    expect(parseComposeDurationSeconds('500ms')).toBe(0.5);
    expect(parseComposeDurationSeconds('1h2m3s')).toBe(3723);
    expect(parseComposeDurationSeconds('1.5s')).toBe(1.5);
    expect(parseComposeDurationSeconds('10')).toBeUndefined();
    expect(parseComposeDurationSeconds('ten seconds')).toBeUndefined();
  });
});

describe('parseComposeText', () => {
  it('converts numbers that interpolation made text (replicas: ${REPLICAS:-3}) and keeps unknown keys for the plan', () => {
    const { compose, warnings } = parseComposeText(
      'services:\n  web:\n    image: shop:${TAG}\n    deploy:\n      replicas: ${REPLICAS:-3}\n    privileged: true\n',
      'docker-compose.yml',
      () => undefined,
    );
    expect(compose.services['web']?.deploy?.replicas).toBe(3);
    expect(compose.services['web']?.image).toBe('shop:');
    expect(compose.services['web']?.['privileged']).toBe(true);
    expect(warnings).toEqual([
      'services.web.image: the TAG variable is not set; an empty string is used (as docker compose does)',
    ]);
  });

  it('reports every bad value at once, each with its path', async () => {
    const text = `
services:
  web:
    image: shop
    deploy:
      replicas: 500
      resources:
        limits:
          memory: lots
          cpus: none
    stop_grace_period: 10
    ports: [{ published: 80 }]
  api:
    image: api
    healthcheck:
      test: [CMD, 'true']
      interval: 1 minute
      retries: 0
    mem_limit: 1k
    depends_on: { web: { condition: service_ready } }
`;
    expect(await composeIssues(() => parseComposeText(text, 'docker-compose.yml', () => undefined))).toEqual([
      'services.web.ports[0]: must be "HOST:CONTAINER", "CONTAINER" or { target, published }',
      'services.web.deploy.replicas: must be a whole number from 0 to 100 (got 500)',
      'services.web.deploy.resources.limits.cpus: must be a number of CPUs from 0.01 to 1024 like 0.5 (got "none")',
      'services.web.deploy.resources.limits.memory: must be a size of at least 6 MiB like 256m or 1g (got "lots")',
      'services.web.stop_grace_period: must be a duration like 10s, 1m30s or 500ms (got 10)',
      'services.api.depends_on: must be a list of services or a map of service: { condition }',
      'services.api.healthcheck.interval: must be a duration like 10s, 1m30s or 500ms (got "1 minute")',
      'services.api.healthcheck.retries: must be a whole number from 1 to 100 (got 0)',
      'services.api.mem_limit: must be a size of at least 6 MiB like 256m or 1g (got "1k")',
    ]);
  });

  it('reports a YAML syntax error with its line, a file without services, and a required variable with its path', async () => {
    expect(await composeIssues(() => parseComposeText('services:\n  web: [\n', 'c.yml', () => undefined))).toEqual([
      expect.stringMatching(/^line \d+: /),
    ]);
    expect(await composeIssues(() => parseComposeText('name: x\n', 'c.yml', () => undefined))).toEqual([
      'services: a compose file needs a services map',
    ]);
    expect(await composeIssues(() => parseComposeText('services: {}\n', 'c.yml', () => undefined))).toEqual([
      'services: a compose file needs at least one service',
    ]);
    expect(
      await composeIssues(() =>
        parseComposeText(
          'services:\n  db:\n    environment:\n      - PASSWORD=${PW:?set PW}\n',
          'c.yml',
          () => undefined,
        ),
      ),
    ).toEqual(['services.db.environment[0]: required variable PW is not set: set PW']);
  });

  it('refuses service names docker compose refuses', async () => {
    expect(
      await composeIssues(() => parseComposeText('services:\n  "my web":\n    image: x\n', 'c.yml', () => undefined)),
    ).toEqual(['services.my web: service names hold only letters, digits, "_", "." and "-"']);
  });
});
