/**
 * The one place that maps a route (its method and the permission table's action) to its rate-limit class; health and
 * readiness have none (probes are never limited).
 */
export const rateLimitClasses = ['login', 'auth', 'write', 'read'] as const;
export type RateLimitClass = (typeof rateLimitClasses)[number];

const unlimitedActions: ReadonlySet<string> = new Set(['system.health', 'system.ready']);

export function rateLimitClassOf(method: string, action: string): RateLimitClass | undefined {
  if (unlimitedActions.has(action)) return undefined;
  if (action === 'auth.login') return 'login';
  if (action.startsWith('auth.') || action.startsWith('tokens.')) return 'auth';
  return method === 'GET' || method === 'HEAD' ? 'read' : 'write';
}
