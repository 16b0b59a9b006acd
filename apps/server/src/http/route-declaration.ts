/**
 * One declaration per route: its method and URL, its zod schemas (the Fastify route schema, so the request is parsed
 * before the handler and the OpenAPI document is generated from the same objects), its permission (in the route's
 * `config`, read by the auth, audit and rate-limit hooks) and its handler. Route groups register as encapsulated
 * plugins, so what one group sets up (a content-type parser) stays in its scope.
 */
import type {
  ContextConfigDefault,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
  RouteGenericInterface,
} from 'fastify';
import { z } from 'zod';
import type { RoutePermission } from './auth/route-permissions.js';
import type { ZodTypeProvider } from './zod-compilers.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route's action and access rule; a route without one cannot be registered (see the auth hooks). */
    permission?: RoutePermission;
  }
}

/** The response schema of an answer without a body (204). */
export const noContent = z.undefined();

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A body keyed by media type, for a route that takes more than JSON (the archive upload). */
export interface BodyByMediaType {
  readonly content: Readonly<Record<string, { readonly schema: z.ZodType }>>;
}

export interface RouteSchemas {
  readonly params?: z.ZodType;
  readonly querystring?: z.ZodType;
  readonly body?: z.ZodType | BodyByMediaType;
  /** The successful answer by status code; `noContent` for an answer without a body (204). */
  readonly response?: Readonly<Record<number, z.ZodType>>;
}

export type RouteRequest<S extends RouteSchemas> = FastifyRequest<
  RouteGenericInterface,
  RawServerDefault,
  RawRequestDefaultExpression,
  S,
  ZodTypeProvider
>;
export type RouteReply<S extends RouteSchemas> = FastifyReply<
  RouteGenericInterface,
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  ContextConfigDefault,
  S,
  ZodTypeProvider
>;

export interface RouteDeclaration<C, S extends RouteSchemas = RouteSchemas> {
  readonly method: HttpMethod;
  /** Fastify's syntax (`/api/v1/apps/:app`). */
  readonly url: string;
  /** One line for the OpenAPI document. */
  readonly summary: string;
  readonly permission: RoutePermission;
  readonly schema: S;
  /** The media type of the successful answer when it is not JSON (`text/event-stream`). */
  readonly produces?: string;
  /** `false` leaves the route out of the OpenAPI document (probes, the document itself). */
  readonly isDocumented?: boolean;
  readonly handler: (request: RouteRequest<S>, reply: RouteReply<S>, context: C) => Promise<unknown>;
}

/** A declaration with its schema types erased, so routes of different shapes share one list. */
export type Route<C> = RouteDeclaration<C, RouteSchemas>;

/** Fixes the context type `C` the handlers receive, and infers each route's request types from its schemas. */
export function routeFor<C>(): <S extends RouteSchemas>(route: RouteDeclaration<C, S>) => Route<C> {
  return (route) => route as unknown as Route<C>;
}

export interface RouteGroup<C> {
  /** Names the group's plugin in Fastify's logs and errors. */
  readonly name: string;
  readonly routes: readonly Route<C>[];
  /** Set-up of the group's own scope (a content-type parser only these routes take). */
  readonly setup?: (scope: FastifyInstance) => void;
}

/** Registers the group as an encapsulated plugin whose handlers receive `context`. */
export function registerRouteGroup<C>(app: FastifyInstance, group: RouteGroup<C>, context: C): void {
  const plugin = async (scope: FastifyInstance): Promise<void> => {
    group.setup?.(scope);
    for (const route of group.routes) {
      scope.route({
        method: route.method,
        url: route.url,
        schema: {
          ...route.schema,
          summary: route.summary,
          ...(route.produces === undefined ? {} : { produces: [route.produces] }),
          ...(route.isDocumented === false ? { hide: true } : {}),
        },
        config: { permission: route.permission },
        handler: (request, reply) => route.handler(request as RouteRequest<RouteSchemas>, reply, context),
      });
    }
  };
  Object.defineProperty(plugin, 'name', { value: group.name });
  void app.register(plugin);
}

/** `METHOD /path` → permission of every route of the groups: the table the access matrix walks. */
export function permissionTableOf<C>(groups: readonly RouteGroup<C>[]): Readonly<Record<string, RoutePermission>> {
  const table: Record<string, RoutePermission> = {};
  for (const { routes } of groups) {
    for (const route of routes) {
      const key = `${route.method} ${route.url}`;
      if (table[key] !== undefined) throw new Error(`route ${key} is declared twice`);
      table[key] = route.permission;
    }
  }
  return table;
}
