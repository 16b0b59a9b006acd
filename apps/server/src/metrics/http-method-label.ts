/** Bounds the method label as the OpenTelemetry HTTP conventions do: RFC 9110 methods and PATCH, any other `_OTHER`. */
const knownMethods = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']);

export function methodLabelOf(method: string): string {
  return knownMethods.has(method) ? method : '_OTHER';
}
