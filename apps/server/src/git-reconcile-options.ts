/** slipwayd's option for the reconcile of deployment rules' branch heads (docs/deployment-rules.md). */
import { z } from 'zod';
import { numberOf, option } from './config-option.js';

export const gitReconcileOptions = {
  /**
   * How often each enabled push rule's branch head on the remote is compared with what the rule last deployed, to
   * deploy what a lost webhook missed; 0 turns the reconcile off.
   */
  gitReconcileIntervalMs: option({
    schema: z.union([z.literal(0), z.number().int().min(5_000).max(86_400_000)]),
    default: 300_000,
    inputs: [
      {
        flag: 'git-reconcile-interval-ms',
        env: 'SLIPWAY_GIT_RECONCILE_INTERVAL_MS',
        argument: 'MS',
        help: "how often deployment rules' branch heads are checked for missed pushes (default 300000; 0: never)",
      },
    ],
    read: numberOf('git-reconcile-interval-ms'),
  }),
};
