import { describe, expect, it } from 'vitest';
import { manifestSchema } from './manifest.js';
import { manifestIssues, type ManifestIssue } from './manifest-issues.js';

function issuesOf(document: unknown): ManifestIssue[] {
  const parsed = manifestSchema.safeParse(document);
  return parsed.success ? [] : manifestIssues(parsed.error, document);
}
const web = (autoscale: unknown) => ({ processes: { web: { autoscale } } });

describe('the autoscale block of a process type', () => {
  it('fills in the HorizontalPodAutoscaler defaults', () => {
    const manifest = manifestSchema.parse(web({ max: 5, metrics: [{ type: 'inFlight', target: 10 }] }));
    expect(manifest.processes?.web?.autoscale).toEqual({
      min: 1,
      max: 5,
      metrics: [{ type: 'inFlight', target: 10 }],
      behavior: {
        scaleUp: {
          stabilizationWindowSeconds: 0,
          selectPolicy: 'Max',
          tolerance: 0.1,
          policies: [
            { type: 'Percent', value: 100, periodSeconds: 15 },
            { type: 'Pods', value: 4, periodSeconds: 15 },
          ],
        },
        scaleDown: {
          stabilizationWindowSeconds: 300,
          selectPolicy: 'Max',
          tolerance: 0.1,
          policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
        },
      },
    });
  });

  it('refuses min 0 and scale-to-zero settings out of bounds, with their paths', () => {
    const metrics = [{ type: 'cpu', targetPercent: 50 }];
    expect(issuesOf(web({ min: 0, max: 2, metrics }))).toEqual([
      {
        path: 'processes.web.autoscale.min',
        message: 'min is at least 1: to stop the last instance when idle, add scaleToZero: { idleSeconds: 300 }',
      },
    ]);
    expect(
      issuesOf(web({ max: 2, metrics, scaleToZero: { idleSeconds: 0, maxHeldRequests: 0, extra: 1 } })).map(
        (i) => i.path,
      ),
    ).toEqual(
      expect.arrayContaining([
        'processes.web.autoscale.scaleToZero.idleSeconds',
        'processes.web.autoscale.scaleToZero.maxHeldRequests',
      ]),
    );
  });

  it('refuses bad settings with their paths', () => {
    expect(issuesOf(web({ min: 3, max: 2, metrics: [{ type: 'cpu', targetPercent: 50 }] }))).toEqual([
      { path: 'processes.web.autoscale.max', message: 'max must be at least min' },
    ]);
    expect(issuesOf(web({ max: 2, metrics: [] }))).toEqual([
      { path: 'processes.web.autoscale.metrics', message: 'must have at least 1 item' },
    ]);
    expect(issuesOf(web({ max: 2, metrics: [{ type: 'cpu', target: 50 }] }))[0]?.path).toBe(
      'processes.web.autoscale.metrics.0.targetPercent',
    );
    const period = issuesOf(
      web({
        max: 2,
        metrics: [{ type: 'cpu', targetPercent: 50 }],
        behavior: { scaleUp: { policies: [{ type: 'Pods', value: 1, periodSeconds: 1801 }] } },
      }),
    );
    expect(period.map((i) => i.path)).toEqual(['processes.web.autoscale.behavior.scaleUp.policies.0.periodSeconds']);
    expect(
      issuesOf(
        web({
          max: 2,
          metrics: [
            { type: 'cpu', targetPercent: 50 },
            { type: 'cpu', targetPercent: 60 },
          ],
        }),
      ),
    ).toEqual([{ path: 'processes.web.autoscale.metrics', message: 'each metric type may appear once' }]);
    expect(issuesOf({ autoscale: { max: 2 } })[0]?.message).toContain('processes.web.autoscale');
  });
});
