/**
 * The one place that maps a route (its method and the permission table's action) to its rate-limit class; health and
 * readiness have none (probes are never limited).
 */
export const rateLimitClasses = ['login', 'auth', 'write', 'read'] as const;
export type RateLimitClass = (typeof rateLimitClasses)[number];

// Webhook deliveries come from a git host's few addresses for all its repositories: the webhook route limits them
// per repository, and refused ones per address, itself.
const unlimitedActions: ReadonlySet<string> = new Set(['system.health', 'system.ready', 'webhooks.receive']);

export function rateLimitClassOf(method: string, action: string): RateLimitClass | undefined {
  if (unlimitedActions.has(action)) return undefined;
  if (action === 'auth.login') return 'login';
  if (action.startsWith('auth.') || action.startsWith('tokens.')) return 'auth';
  return method === 'GET' || method === 'HEAD' ? 'read' : 'write';
}
