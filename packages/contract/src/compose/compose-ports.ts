/** The one port an app is routed on, from a service's `ports` and `expose`; published host ports give way to the edge's route. */
import type { ComposeService } from './compose-schema.js';
import type { ServiceContext, ServiceTranslation } from './compose-service-manifest.js';
import { listUnmapped } from './compose-unsupported.js';

interface ParsedPort {
  target: number;
  published?: string;
  protocol: string;
}

const shortPort = /^(?:(?:(\[[^\]]+\]|[^:[\]]+):)?(\d+(?:-\d+)?)?:)?(\d+)(?:-(\d+))?(?:\/([a-z]+))?$/i;

/** A `ports` entry: `80`, `"8080:80"`, `"127.0.0.1:8080:80/tcp"`, ranges (first port), or the long form. */
function parsePort(entry: NonNullable<ComposeService['ports']>[number]): ParsedPort | undefined {
  if (typeof entry === 'number')
    return Number.isInteger(entry) && entry > 0 && entry < 65_536 ? { target: entry, protocol: 'tcp' } : undefined;
  if (typeof entry === 'string') {
    const match = shortPort.exec(entry.trim());
    if (match === null) return undefined;
    const target = Number(match[3]);
    if (target < 1 || target > 65_535) return undefined;
    const published =
      match[2] === undefined || match[2] === '' ? undefined : [match[1], match[2]].filter(Boolean).join(':');
    return { target, protocol: (match[5] ?? 'tcp').toLowerCase(), ...(published === undefined ? {} : { published }) };
  }
  const published =
    entry.published === undefined ? undefined : [entry.host_ip, String(entry.published)].filter(Boolean).join(':');
  return { target: entry.target, protocol: entry.protocol ?? 'tcp', ...(published === undefined ? {} : { published }) };
}

/** The app's port: the first TCP `ports` target, else the first `expose`; the rest is listed or noted. */
export function portOf(service: ComposeService, context: ServiceContext, t: ServiceTranslation): number | undefined {
  const base = `services.${context.name}`;
  let port: number | undefined;
  (service.ports ?? []).forEach((entry, index) => {
    const path = `${base}.ports[${index}]`;
    const parsed = parsePort(entry);
    if (parsed === undefined) {
      t.issues.push({
        path,
        message: `must be "HOST:CONTAINER" or "CONTAINER" with ports from 1 to 65535 (got ${JSON.stringify(entry)})`,
      });
      return;
    }
    if (typeof entry === 'object')
      listUnmapped(entry, ['target', 'published', 'host_ip', 'protocol'], path, t.unsupported);
    if (parsed.protocol !== 'tcp') {
      t.unsupported.push({ path, reason: `not routed — the edge routes HTTP over TCP, not ${parsed.protocol}` });
      return;
    }
    if (port === undefined) port = parsed.target;
    else if (parsed.target !== port)
      t.unsupported.push({
        path,
        reason: `not routed — an app has one routed port (${port}); container port ${parsed.target} is reachable only on the stack's network`,
      });
    if (parsed.published !== undefined)
      t.unsupported.push({
        path,
        reason: `host port ${parsed.published} is not published — the edge routes ${context.routeHost} to container port ${parsed.target}`,
      });
  });
  const exposed = (service.expose ?? []).map((entry) => Number(/^\s*(\d+)/.exec(String(entry))?.[1]));
  exposed.forEach((value, index) => {
    const path = `${base}.expose[${index}]`;
    if (!Number.isInteger(value) || value < 1 || value > 65_535) {
      t.issues.push({
        path,
        message: `must be a container port from 1 to 65535 (got ${JSON.stringify(service.expose?.[index])})`,
      });
    } else if (port === undefined) {
      port = value;
      t.notes.push({
        path,
        reason: `container port ${value} is the app's port; the edge routes ${context.routeHost} to it`,
      });
    } else if (value !== port) {
      t.notes.push({
        path,
        reason: `not routed — the app's port is ${port}; ${value} is reachable only on the stack's network`,
      });
    }
  });
  return port;
}
