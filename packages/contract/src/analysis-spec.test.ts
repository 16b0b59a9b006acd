import { describe, expect, it } from 'vitest';
import { analysisSpecSchema } from './analysis-spec.js';

const metric = (provider: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  name: 'm',
  provider,
  successCondition: { min: 1 },
  ...extra,
});

function issuesOf(input: unknown): string[] {
  const result = analysisSpecSchema.safeParse(input);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('the analysis spec', () => {
  it('fills in every default', () => {
    const spec = analysisSpecSchema.parse({ metrics: [metric({ type: 'router', measure: 'success-rate' })] });
    expect(spec).toEqual({
      intervalSeconds: 30,
      count: 3,
      initialDelaySeconds: 0,
      measurementRetention: 10,
      metrics: [
        {
          name: 'm',
          provider: { type: 'router', measure: 'success-rate' },
          successCondition: { min: 1 },
          failureLimit: 1,
          errorLimit: 3,
          onNoData: 'inconclusive',
          minRequests: 20,
        },
      ],
    });
  });

  it('refuses a provider URL with credentials, or one that is not http(s)', () => {
    expect(issuesOf({ metrics: [metric({ type: 'http', url: 'https://user:pw@metrics.example.com/x' })] })).toEqual([
      'metrics.0.provider.url: no credentials in the URL (user:password@ is refused: the spec is shown in status)',
    ]);
    expect(
      issuesOf({ metrics: [metric({ type: 'prometheus', address: 'http://admin@prom:9090', query: 'up' })] }),
    ).toHaveLength(1);
    expect(issuesOf({ metrics: [metric({ type: 'http', url: 'file:///etc/passwd' })] })[0]).toContain('http(s)');
  });

  it('refuses duplicate metric names, inverted bounds, an unreadable jsonPath and unknown fields', () => {
    const router = { type: 'router', measure: 'success-rate' };
    expect(issuesOf({ metrics: [metric(router), metric(router)] })[0]).toContain('unique');
    expect(issuesOf({ metrics: [metric(router, { successCondition: { min: 2, max: 1 } })] })[0]).toContain(
      'min must not exceed max',
    );
    expect(
      issuesOf({ metrics: [metric({ type: 'http', url: 'http://m.example.com', jsonPath: 'a..b' })] }),
    ).toHaveLength(1);
    expect(issuesOf({ metrics: [metric(router, { failureLimt: 3 })] })).toHaveLength(1);
    expect(issuesOf({ metrics: [metric(router, { failureLimit: 0 })] })).toHaveLength(1);
  });
});
