/** The alerts part of the typed API client. */
import type { ApiTransport } from './api-transport.js';
import {
  alertRuleSchema,
  listAlertRulesResponseSchema,
  listAlertsResponseSchema,
  type AddAlertRuleBody,
  type AlertRuleView,
  type AlertView,
  type ListAlertsQuery,
} from './alerts-api.js';

export interface AlertsClient {
  alerts: {
    /** GET /api/v1/alerts/rules[?project=] (viewer), the built-in ones included. */
    listRules(project?: string): Promise<{ rules: AlertRuleView[] }>;
    /** POST /api/v1/alerts/rules (admin of the project) */
    addRule(body: AddAlertRuleBody): Promise<AlertRuleView>;
    /** DELETE /api/v1/alerts/rules/:id (admin of its project); a built-in rule is turned off. */
    removeRule(id: string): Promise<void>;
    /** GET /api/v1/alerts[?project=&state=&limit=] (viewer), the current ones first, then the recent. */
    list(query?: ListAlertsQuery): Promise<{ alerts: AlertView[] }>;
  };
}

export function createAlertsClient({ call, send }: Pick<ApiTransport, 'call' | 'send'>): AlertsClient {
  return {
    alerts: {
      listRules: (project) =>
        call({ method: 'GET', path: '/api/v1/alerts/rules', query: { project } }, listAlertRulesResponseSchema),
      addRule: (body) => call({ method: 'POST', path: '/api/v1/alerts/rules', json: body }, alertRuleSchema),
      removeRule: async (id) => {
        const response = await send({ method: 'DELETE', path: `/api/v1/alerts/rules/${encodeURIComponent(id)}` });
        await response.body?.cancel().catch(() => undefined);
      },
      list: (query = {}) =>
        call({ method: 'GET', path: '/api/v1/alerts', query: { ...query } }, listAlertsResponseSchema),
    },
  };
}
