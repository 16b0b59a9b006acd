/**
 * The dashboard's sessions: the same login, refresh and logout as `auth-routes.ts`, with the tokens set as HttpOnly,
 * SameSite=Strict cookies instead of returned in the body (see `web-session-cookies.ts`).
 */
import {
  loginBodySchema,
  SlipwayError,
  webSessionSchema,
  type SessionTokens,
  type WebSessionView,
} from '@slipway/contract';
import { z } from 'zod';
import { authenticate, login, logout, refreshSession } from '@slipway/core';
import {
  accessCookieName,
  clearSessionCookies,
  refreshCookieName,
  requireCsrfHeader,
  sessionCookieOf,
  setSessionCookies,
} from '../auth/web-session-cookies.js';
import { publicAccess } from '../auth/route-permissions.js';
import {
  noContent,
  routeFor,
  type Route,
  type RouteDeclaration,
  type RouteGroup,
  type RouteSchemas,
} from '../route-declaration.js';
import type { RouteContext } from '../server-context.js';

const route = routeFor<RouteContext>();

/** Refresh and logout read only their cookies: a body is refused, as every route refuses fields it does not know. */
const noBody = z.object({}).strict().optional();

const isTlsOf = (context: RouteContext): boolean => context.apiUrl().startsWith('https:');

/** A dashboard session route: a POST anyone may call, refused without the CSRF header before `handle` runs. */
function sessionRoute<S extends RouteSchemas>(
  declaration: Pick<RouteDeclaration<RouteContext, S>, 'url' | 'summary' | 'schema'> & { readonly action: string },
  handle: RouteDeclaration<RouteContext, S>['handler'],
): Route<RouteContext> {
  const { action, ...rest } = declaration;
  return route({
    ...rest,
    method: 'POST',
    permission: { action, access: publicAccess },
    handler: async (request, reply, context) => {
      requireCsrfHeader(request);
      return handle(request, reply, context);
    },
  });
}

function viewOf(tokens: SessionTokens): WebSessionView {
  return {
    user: tokens.user,
    accessTokenExpiresAt: tokens.accessTokenExpiresAt,
    refreshTokenExpiresAt: tokens.refreshTokenExpiresAt,
  };
}

export const webSessionRoutes: RouteGroup<RouteContext> = {
  name: 'web-session-routes',
  routes: [
    sessionRoute(
      {
        url: '/api/v1/auth/web/login',
        summary: 'Log in from the dashboard: the session tokens are set as HttpOnly, SameSite=Strict cookies',
        action: 'auth.login',
        schema: { body: loginBodySchema, response: { 200: webSessionSchema } },
      },
      async (request, reply, context) => {
        const tokens = await login(context.identity, request.body);
        setSessionCookies(reply, tokens, isTlsOf(context), context.deps.clock.nowMs());
        return viewOf(tokens);
      },
    ),
    sessionRoute(
      {
        url: '/api/v1/auth/web/refresh',
        summary: 'Exchange the refresh cookie for new session cookies; a refresh token used twice ends the session',
        action: 'auth.refresh',
        schema: { body: noBody, response: { 200: webSessionSchema } },
      },
      async (request, reply, context) => {
        const presented = sessionCookieOf(request, refreshCookieName);
        if (presented === undefined) {
          clearSessionCookies(reply, isTlsOf(context));
          throw new SlipwayError('UNAUTHENTICATED', 'no dashboard session: log in again');
        }
        try {
          const tokens = await refreshSession(context.identity, presented);
          setSessionCookies(reply, tokens, isTlsOf(context), context.deps.clock.nowMs());
          return viewOf(tokens);
        } catch (error) {
          clearSessionCookies(reply, isTlsOf(context));
          throw error;
        }
      },
    ),
    sessionRoute(
      {
        url: '/api/v1/auth/web/logout',
        summary: 'End the dashboard session (when its access cookie is still valid) and clear its cookies',
        action: 'auth.logout',
        schema: { body: noBody, response: { 204: noContent } },
      },
      async (request, reply, context) => {
        const access = sessionCookieOf(request, accessCookieName);
        if (access !== undefined) {
          const principal = await authenticate(context.identity, `Bearer ${access}`).catch(() => undefined);
          if (principal !== undefined && principal.credential.kind === 'session') {
            await logout(context.identity, principal);
          }
        }
        clearSessionCookies(reply, isTlsOf(context));
        return reply.status(204).send();
      },
    ),
  ],
};
