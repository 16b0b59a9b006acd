/** The deployment-rules part of the typed API client. */
import type { ApiTransport } from './api-transport.js';
import {
  deploymentRuleSchema,
  listDeploymentRulesResponseSchema,
  testDeploymentRulesResponseSchema,
  type AddDeploymentRuleBody,
  type DeploymentRuleView,
  type TestDeploymentRulesResponse,
} from './deployment-rules-api.js';

export interface DeploymentRulesClient {
  rules: {
    /** GET /api/v1/apps/:app/rules, in position order. */
    list(app: string): Promise<{ rules: DeploymentRuleView[] }>;
    /** POST /api/v1/apps/:app/rules (admin) */
    add(app: string, body: AddDeploymentRuleBody): Promise<DeploymentRuleView>;
    /** POST /api/v1/apps/:app/rules/:rule/enable|disable (admin); `rule` is an id or a position. */
    setEnabled(app: string, rule: string, isEnabled: boolean): Promise<DeploymentRuleView>;
    /** POST /api/v1/apps/:app/rules/:rule/move (admin) */
    move(app: string, rule: string, position: number): Promise<DeploymentRuleView>;
    /** DELETE /api/v1/apps/:app/rules/:rule (admin) */
    remove(app: string, rule: string): Promise<void>;
    /** GET /api/v1/apps/:app/rules/test?ref= — which rule a push of `ref` fires, and why the earlier ones do not. */
    test(app: string, ref: string): Promise<TestDeploymentRulesResponse>;
  };
}

export function createDeploymentRulesClient({
  call,
  send,
}: Pick<ApiTransport, 'call' | 'send'>): DeploymentRulesClient {
  const rulesPath = (app: string): string => `/api/v1/apps/${encodeURIComponent(app)}/rules`;
  const rulePath = (app: string, rule: string): string => `${rulesPath(app)}/${encodeURIComponent(rule)}`;
  return {
    rules: {
      list: (app) => call({ method: 'GET', path: rulesPath(app) }, listDeploymentRulesResponseSchema),
      add: (app, body) => call({ method: 'POST', path: rulesPath(app), json: body }, deploymentRuleSchema),
      setEnabled: (app, rule, isEnabled) =>
        call(
          { method: 'POST', path: `${rulePath(app, rule)}/${isEnabled ? 'enable' : 'disable'}`, json: {} },
          deploymentRuleSchema,
        ),
      move: (app, rule, position) =>
        call({ method: 'POST', path: `${rulePath(app, rule)}/move`, json: { position } }, deploymentRuleSchema),
      remove: async (app, rule) => {
        const response = await send({ method: 'DELETE', path: rulePath(app, rule) });
        await response.body?.cancel().catch(() => undefined);
      },
      test: (app, ref) =>
        call({ method: 'GET', path: `${rulesPath(app)}/test`, query: { ref } }, testDeploymentRulesResponseSchema),
    },
  };
}
