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

/** Whose rules: an app's by name, or a stack's (`{ stack: name }`). */
export type DeploymentRuleOwner = string | { readonly stack: string };

/** Each call goes to `/api/v1/apps/:app/rules…`, or `/api/v1/stacks/:stack/rules…` for a stack. */
export interface DeploymentRulesClient {
  rules: {
    /** GET …/rules, in position order. */
    list(owner: DeploymentRuleOwner): Promise<{ rules: DeploymentRuleView[] }>;
    /** POST …/rules (admin) */
    add(owner: DeploymentRuleOwner, body: AddDeploymentRuleBody): Promise<DeploymentRuleView>;
    /** POST …/rules/:rule/enable|disable (admin); `rule` is an id or a position. */
    setEnabled(owner: DeploymentRuleOwner, rule: string, isEnabled: boolean): Promise<DeploymentRuleView>;
    /** POST …/rules/:rule/move (admin) */
    move(owner: DeploymentRuleOwner, rule: string, position: number): Promise<DeploymentRuleView>;
    /** DELETE …/rules/:rule (admin) */
    remove(owner: DeploymentRuleOwner, rule: string): Promise<void>;
    /** GET …/rules/test?ref= — which rule a push of `ref` fires, and why the earlier ones do not. */
    test(owner: DeploymentRuleOwner, ref: string): Promise<TestDeploymentRulesResponse>;
  };
}

export function createDeploymentRulesClient({
  call,
  send,
}: Pick<ApiTransport, 'call' | 'send'>): DeploymentRulesClient {
  const rulesPath = (owner: DeploymentRuleOwner): string =>
    typeof owner === 'string'
      ? `/api/v1/apps/${encodeURIComponent(owner)}/rules`
      : `/api/v1/stacks/${encodeURIComponent(owner.stack)}/rules`;
  const rulePath = (owner: DeploymentRuleOwner, rule: string): string =>
    `${rulesPath(owner)}/${encodeURIComponent(rule)}`;
  return {
    rules: {
      list: (owner) => call({ method: 'GET', path: rulesPath(owner) }, listDeploymentRulesResponseSchema),
      add: (owner, body) => call({ method: 'POST', path: rulesPath(owner), json: body }, deploymentRuleSchema),
      setEnabled: (owner, rule, isEnabled) =>
        call(
          { method: 'POST', path: `${rulePath(owner, rule)}/${isEnabled ? 'enable' : 'disable'}`, json: {} },
          deploymentRuleSchema,
        ),
      move: (owner, rule, position) =>
        call({ method: 'POST', path: `${rulePath(owner, rule)}/move`, json: { position } }, deploymentRuleSchema),
      remove: async (owner, rule) => {
        const response = await send({ method: 'DELETE', path: rulePath(owner, rule) });
        await response.body?.cancel().catch(() => undefined);
      },
      test: (owner, ref) =>
        call({ method: 'GET', path: `${rulesPath(owner)}/test`, query: { ref } }, testDeploymentRulesResponseSchema),
    },
  };
}
