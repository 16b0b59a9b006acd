/**
 * The Grafana dashboard of `deploy/grafana/` is a valid dashboard document: unique panel ids, panels on the 24-column
 * grid, every query a PromQL expression naming at least one metric. That each name is one slipwayd exposes is
 * checked against a real slipwayd's exposition in test/e2e/prometheus-metrics.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { dashboardExpressions, metricNamesOf, readDashboard } from './grafana-dashboard.js';

describe('the Grafana dashboard', () => {
  const dashboard = readDashboard();

  it('is a dashboard document with a uid, a title and a schema version', () => {
    expect(dashboard).toMatchObject({ uid: 'slipway-overview', title: 'Slipway' });
    expect(typeof dashboard.schemaVersion).toBe('number');
    expect(dashboard.templating?.list?.map((variable) => variable.name)).toEqual(['datasource', 'app']);
  });

  it('has panels with unique ids on the 24-column grid, each query with its own refId', () => {
    const panels = dashboard.panels ?? [];
    expect(panels.length).toBeGreaterThan(10);
    const ids = panels.map((panel) => panel.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of panels) {
      expect(typeof panel.title).toBe('string');
      const grid = panel.gridPos;
      expect(grid !== undefined && grid.x >= 0 && grid.w > 0 && grid.x + grid.w <= 24, String(panel.title)).toBe(true);
      if (panel.type === 'row') continue;
      const refIds = (panel.targets ?? []).map((target) => target.refId);
      expect(refIds.length, String(panel.title)).toBeGreaterThan(0);
      expect(new Set(refIds).size).toBe(refIds.length);
    }
  });

  it('names at least one metric in every expression, with balanced brackets', () => {
    const expressions = dashboardExpressions(dashboard);
    expect(expressions.length).toBeGreaterThan(20);
    for (const expr of expressions) {
      expect(metricNamesOf(expr).length, expr).toBeGreaterThan(0);
      for (const [open, close] of [
        ['(', ')'],
        ['{', '}'],
        ['[', ']'],
      ] as const) {
        expect(expr.split(open).length, expr).toBe(expr.split(close).length);
      }
    }
  });
});
