/**
 * The web dashboard at `/`: its built assets (`apps/web/dist`, or `--web-dir`) served by `@fastify/static`, outside
 * the API's route table but under the same rules (a public permission entry, the secure headers):
 * - `/assets/*` (names carry their content hash): `Cache-Control: public, max-age=31536000, immutable`, gzip or
 *   brotli files made by the build sent when the browser accepts them;
 * - any other GET path that is not the API's (`/api/`, `/git/`, `/metrics`, `/healthz`) answers `index.html`
 *   (`no-cache`), so a reload of `/apps/web-1` opens that page; the API's unknown paths stay `404 ROUTE_NOT_FOUND`;
 * - the HTML's Content-Security-Policy allows only this origin's scripts, styles and connections.
 * When the assets were never built, `/` answers `503 DASHBOARD_NOT_BUILT` saying how to build them.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SlipwayError } from '@slipway/contract';
import { publicAccess } from './auth/route-permissions.js';
import { requestLimits } from './request-limits.js';

/** The dashboard built beside slipwayd: `apps/web/dist`, from the bundle (`apps/server/dist`) or the sources. */
export function defaultWebDir(): string {
  return fileURLToPath(new URL('../../web/dist', import.meta.url));
}

/** Files the build copies to the root (the icon): served as they are, not as the page. */
const rootFilePattern = /^\/[\w-]+\.(?:svg|ico|png|txt)$/;

const apiPrefixes = ['/api/', '/git/', '/metrics', '/healthz', '/documentation'];

export const dashboardContentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  // Inline style attributes: positioning by the component library and chart sizes.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export async function installDashboard(app: FastifyInstance, configuredDir: string): Promise<void> {
  const webDir = configuredDir === '' ? defaultWebDir() : configuredDir;
  const isBuilt = existsSync(join(webDir, 'index.html'));
  if (isBuilt) {
    await app.register(fastifyStatic, { root: webDir, serve: false, preCompressed: true, dotfiles: 'deny' });
  }
  const config = { permission: { action: 'dashboard.read', access: publicAccess } };
  const serve = async (request: FastifyRequest<{ Params: { '*'?: string } }>, reply: FastifyReply) => {
    const path = request.url.split('?')[0] ?? '/';
    if (apiPrefixes.some((prefix) => path.startsWith(prefix))) {
      // An API path lands here when no API route matched it: one whose parameter is too long for the router
      // keeps its own answer, as it had before the dashboard took the other paths.
      if (path.split('/').some((segment) => segment.length > requestLimits.paramBytes)) {
        throw new SlipwayError('URL_TOO_LONG', `a path parameter is longer than ${requestLimits.paramBytes} bytes`);
      }
      throw new SlipwayError('ROUTE_NOT_FOUND', `no route ${request.method} ${path}`);
    }
    if (!isBuilt) {
      throw new SlipwayError(
        'DASHBOARD_NOT_BUILT',
        `the web dashboard is not built (no index.html in ${webDir}): run npm run build, or npm start`,
      );
    }
    const raw = reply.raw;
    if (path.startsWith('/assets/') && !path.includes('..')) {
      raw.setHeader('cache-control', 'public, max-age=31536000, immutable');
      // The page's policy: what a worker script is allowed is the policy it is served with.
      raw.setHeader('content-security-policy', dashboardContentSecurityPolicy);
      return reply.sendFile(path.slice(1), { cacheControl: false });
    }
    if (rootFilePattern.test(path)) {
      raw.setHeader('cache-control', 'public, max-age=3600');
      return reply.sendFile(path.slice(1), { cacheControl: false });
    }
    raw.setHeader('cache-control', 'no-cache');
    raw.setHeader('content-security-policy', dashboardContentSecurityPolicy);
    return reply.sendFile('index.html', { cacheControl: false });
  };
  // Not part of the API: left out of the OpenAPI document.
  const schema = { hide: true };
  app.get('/', { config, schema }, serve);
  app.get('/*', { config, schema }, serve);
}
