/**
 * Wraps a port (a runtime driver, the builder) so its calls made inside a traced deployment are spans, children of
 * the phase that makes them: `<prefix>.<method>`, with no argument recorded (specs carry environments and secrets).
 * Calls made outside a trace (the reconciler's, the health monitor's) go straight through.
 */
import { context, trace, type Attributes, type Tracer } from '@opentelemetry/api';
import { inSpan } from './deployment-spans.js';

export function tracedCalls<T extends object>(
  tracer: Tracer,
  port: T,
  prefix: string,
  methods: readonly string[],
  attributes: Attributes = {},
): T {
  const spanned = new Set(methods);
  return new Proxy(port, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (typeof value !== 'function') return value;
      // Called on the port itself, never on the proxy: a class's private fields are only on the port.
      const method = value as (...args: unknown[]) => unknown;
      if (typeof key !== 'string' || !spanned.has(key)) return method.bind(target);
      return (...args: unknown[]): unknown => {
        if (trace.getSpan(context.active()) === undefined) return method.apply(target, args);
        const span = tracer.startSpan(`${prefix}.${key}`, { attributes });
        return inSpan(span, () => Promise.resolve(method.apply(target, args)));
      };
    },
  });
}
