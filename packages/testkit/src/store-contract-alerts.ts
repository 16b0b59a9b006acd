/** Store contract, alerts part: rules (one built-in per kind and project), alerts open first, history pruned. */
import { describe, expect, it } from 'vitest';
import type { AlertRecord, AlertRuleRecord, Store } from '@slipway/core';
import { production, project, rejection, t0, web } from './store-contract-fixtures.js';

const rule = (id: string, over: Partial<AlertRuleRecord> = {}): AlertRuleRecord => ({
  id,
  projectId: project.id,
  appId: web.id,
  environmentId: production.id,
  kind: 'error-rate',
  threshold: 0.05,
  forMs: 300_000,
  minRequests: 20,
  defaultKind: null,
  isEnabled: true,
  createdAtMs: t0,
  ...over,
});

const alert = (id: string, over: Partial<AlertRecord> = {}): AlertRecord => ({
  id,
  ruleId: 'alr_01',
  projectId: project.id,
  kind: 'error-rate',
  subjectKey: `app:${web.id}:${production.id}`,
  subject: 'web in production',
  appId: web.id,
  environmentId: production.id,
  state: 'pending',
  activeAtMs: t0,
  firedAtMs: null,
  resolvedAtMs: null,
  value: 0.125,
  threshold: 0.05,
  message: '12.5% of 80 requests answered 5xx',
  updatedAtMs: t0,
  ...over,
});

export function describeAlertContract(store: () => Store): void {
  describe('alerts', () => {
    it('round-trips rules, refuses a second built-in rule of a kind in a project, and turns one off', async () => {
      const builtIn = rule('alr_02', {
        appId: null,
        environmentId: null,
        defaultKind: 'error-rate',
        createdAtMs: t0 + 1,
      });
      await store().alerts.insertRule(rule('alr_01'));
      await store().alerts.insertRule(builtIn);
      // Rules a person added have no default kind: any number of them.
      await store().alerts.insertRule(rule('alr_03', { threshold: null, kind: 'crash-loop', createdAtMs: t0 + 2 }));
      expect(await store().alerts.findRule('alr_02')).toEqual(builtIn);
      expect((await store().alerts.listRules(project.id)).map((r) => r.id)).toEqual(['alr_01', 'alr_02', 'alr_03']);
      expect(await store().alerts.listRules('prj_other')).toEqual([]);
      expect((await rejection(store().alerts.insertRule(rule('alr_04', { defaultKind: 'error-rate' })))).code).toBe(
        'VERSION_CONFLICT',
      );

      expect(await store().alerts.setRuleEnabled('alr_02', false)).toBe(true);
      expect((await store().alerts.findRule('alr_02'))?.isEnabled).toBe(false);
      expect(await store().alerts.deleteRule('alr_01')).toBe(true);
      expect(await store().alerts.deleteRule('alr_01')).toBe(false);
      expect(await store().alerts.findRule('alr_01')).toBeUndefined();
    });

    it('lists open alerts oldest first, and every alert open first then latest resolved first', async () => {
      await store().alerts.insertAlert(alert('alt_01', { state: 'firing', firedAtMs: t0 + 60 }));
      await store().alerts.insertAlert(
        alert('alt_02', { state: 'resolved', resolvedAtMs: t0 + 10, subjectKey: 'disk' }),
      );
      await store().alerts.insertAlert(
        alert('alt_03', { state: 'resolved', resolvedAtMs: t0 + 20, subjectKey: 'disk' }),
      );
      await store().alerts.insertAlert(alert('alt_04', { activeAtMs: t0 + 5, subjectKey: 'host:a.example.com' }));
      expect((await rejection(store().alerts.insertAlert(alert('alt_01')))).code).toBe('VERSION_CONFLICT');

      expect((await store().alerts.listOpen()).map((a) => a.id)).toEqual(['alt_01', 'alt_04']);
      expect((await store().alerts.listAlerts({ limit: 10 })).map((a) => a.id)).toEqual([
        'alt_04',
        'alt_01',
        'alt_03',
        'alt_02',
      ]);
      expect((await store().alerts.listAlerts({ limit: 3 })).map((a) => a.id)).toEqual(['alt_04', 'alt_01', 'alt_03']);
      expect((await store().alerts.listAlerts({ state: 'resolved', limit: 10 })).map((a) => a.id)).toEqual([
        'alt_03',
        'alt_02',
      ]);
      expect(await store().alerts.listAlerts({ projectId: 'prj_other', limit: 10 })).toEqual([]);
    });

    it('replaces an alert whole, deletes it idempotently, and prunes resolved ones before a time', async () => {
      await store().alerts.insertAlert(alert('alt_01'));
      const firing = alert('alt_01', { state: 'firing', firedAtMs: t0 + 60, value: 0.5, updatedAtMs: t0 + 60 });
      await store().alerts.updateAlert(firing);
      expect(await store().alerts.listOpen()).toEqual([firing]);
      await store().alerts.updateAlert({ ...firing, state: 'resolved', resolvedAtMs: t0 + 100, value: null });
      expect(await store().alerts.listOpen()).toEqual([]);
      expect(await store().alerts.deleteResolvedBefore(t0 + 100)).toBe(0);
      expect(await store().alerts.deleteResolvedBefore(t0 + 101)).toBe(1);
      await store().alerts.insertAlert(alert('alt_02'));
      await store().alerts.deleteAlert('alt_02');
      await store().alerts.deleteAlert('alt_02');
      expect(await store().alerts.listAlerts({ limit: 10 })).toEqual([]);
    });
  });
}
