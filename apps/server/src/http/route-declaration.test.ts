import { Readable } from 'node:stream';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { installErrorHandling } from './error-handler.js';
import { installOpenApi } from './openapi.js';
import { globally, publicAccess } from './auth/route-permissions.js';
import { permissionTableOf, registerRouteGroup, routeFor, type RouteGroup } from './route-declaration.js';
import { routeGroups, routePermissions } from './route-table.js';
import { appRoutes } from './routes/app-routes.js';
import { deploymentUploadRoutes } from './routes/deployment-upload-routes.js';
import type { RouteContext } from './server-context.js';
import { zodSerializerCompiler, zodValidatorCompiler } from './zod-compilers.js';

const route = routeFor<{ readonly greeting: string }>();

const greetings: RouteGroup<{ readonly greeting: string }> = {
  name: 'greetings',
  routes: [
    route({
      method: 'POST',
      url: '/api/v1/greetings/:name',
      summary: 'Greet someone',
      permission: { action: 'greetings.create', access: globally('admin') },
      schema: {
        params: z.object({ name: z.string().min(2) }),
        querystring: z.object({ times: z.coerce.number().int().min(1).default(1) }),
        body: z.object({ punctuation: z.enum(['!', '.']) }).strict(),
        response: { 200: z.object({ text: z.string() }) },
      },
      handler: async ({ params, query, body }, _reply, { greeting }) => ({
        text: `${greeting} ${params.name}${body.punctuation}`.repeat(query.times),
      }),
    }),
  ],
};

/** No handler of the API's own groups runs in these tests: the context only completes their registration. */
const context = {} as RouteContext;

function bareApp(): FastifyInstance {
  const app = Fastify();
  app.setValidatorCompiler(zodValidatorCompiler);
  app.setSerializerCompiler(zodSerializerCompiler);
  installErrorHandling(app);
  return app;
}

describe('route declarations', () => {
  let app: FastifyInstance | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('parses each request part with its zod schema before the handler (defaults applied), the handler given its context', async () => {
    app = bareApp();
    registerRouteGroup(app, greetings, { greeting: 'hello' });
    await app.ready();

    const answer = await app.inject({ method: 'POST', url: '/api/v1/greetings/ada', payload: { punctuation: '!' } });

    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toEqual({ text: 'hello ada!' });
  });

  it('refuses bad input with one VALIDATION_FAILED naming each issue by its path, in the wire error shape', async () => {
    app = bareApp();
    registerRouteGroup(app, greetings, { greeting: 'hello' });
    await app.ready();

    const answer = await app.inject({ method: 'POST', url: '/api/v1/greetings/ada', payload: { punctuation: '?' } });
    const missing = await app.inject({ method: 'POST', url: '/api/v1/greetings/ada' });
    const badParam = await app.inject({ method: 'POST', url: '/api/v1/greetings/a', payload: { punctuation: '!' } });
    const badQuery = await app.inject({
      method: 'POST',
      url: '/api/v1/greetings/ada?times=0',
      payload: { punctuation: '!' },
    });

    expect(answer.statusCode).toBe(400);
    const { error } = answer.json<{ error: Record<string, unknown> }>();
    /* eslint-disable @typescript-eslint/no-unsafe-assignment -- asymmetric matchers are typed any */
    expect(error).toEqual({
      code: 'VALIDATION_FAILED',
      message: expect.stringMatching(/^invalid body: body\.punctuation: /),
      details: { issues: [{ path: 'body.punctuation', message: expect.any(String) }] },
      requestId: expect.any(String),
    });
    expect(missing.json<{ error: { message: string } }>().error.message).toMatch(/^invalid body: body: /);
    expect(badParam.json<{ error: { details: unknown } }>().error.details).toEqual({
      issues: [{ path: 'params.name', message: expect.any(String) }],
    });
    expect(badQuery.json<{ error: { details: unknown } }>().error.details).toEqual({
      issues: [{ path: 'query.times', message: expect.any(String) }],
    });
    /* eslint-enable @typescript-eslint/no-unsafe-assignment */
  });

  it("keeps a group's content-type parser inside its own plugin: the archive upload's media types reach no other route", async () => {
    app = bareApp();
    registerRouteGroup(app, appRoutes, context);
    registerRouteGroup(app, deploymentUploadRoutes, context);
    await app.ready();

    expect(app.hasContentTypeParser('application/gzip')).toBe(false);
    const archive = await app.inject({
      method: 'POST',
      url: '/api/v1/projects',
      headers: { 'content-type': 'application/gzip' },
      payload: Readable.from([Buffer.from([0x1f, 0x8b])]),
    });
    expect(archive.statusCode).toBe(415);
    expect(archive.json<{ error: { code: string } }>().error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('generates the OpenAPI document from the declarations: every route with its action and access rule', async () => {
    app = bareApp();
    await installOpenApi(app, '1.2.3');
    for (const group of routeGroups) registerRouteGroup(app, group, context);
    await app.ready();

    const document = app.swagger() as unknown as {
      info: { version: string };
      paths: Record<string, Record<string, Record<string, unknown>>>;
    };
    expect(document.info.version).toBe('1.2.3');
    const hidden = ['GET /healthz', 'GET /readyz', 'GET /api/v1/openapi.json'];
    for (const [key, permission] of Object.entries(routePermissions)) {
      if (hidden.includes(key)) continue;
      const [method = '', url = ''] = key.split(' ');
      const operation = document.paths[url.replace(/:(\w+)/g, '{$1}')]?.[method.toLowerCase()];
      expect(operation, key).toBeDefined();
      if (permission.access.kind === 'public') {
        expect(operation?.['security'], key).toEqual([]);
        continue;
      }
      expect(operation?.['x-slipway-action'], key).toBe(permission.action);
      expect(operation?.['x-slipway-access'], key).toMatch(/^(authenticated|\w+ \((global|any-project|project)\))$/);
    }
    const create = document.paths['/api/v1/apps/{app}/deployments']?.['post'] as {
      requestBody: { content: Record<string, unknown> };
      responses: Record<string, unknown>;
    };
    expect(Object.keys(create.requestBody.content)).toEqual(
      expect.arrayContaining(['application/json', 'application/gzip']),
    );
    expect(Object.keys(create.responses)).toEqual(expect.arrayContaining(['202', 'default']));
  });

  it('refuses to derive a table where two routes share a method and URL', () => {
    const twice: RouteGroup<unknown> = {
      name: 'twice',
      routes: [0, 1].map(() =>
        routeFor<unknown>()({
          method: 'GET',
          url: '/twice',
          summary: 'Twice',
          permission: { action: 'twice.read', access: publicAccess },
          schema: {},
          handler: async () => ({}),
        }),
      ),
    };
    expect(() => permissionTableOf([twice])).toThrow(/route GET \/twice is declared twice/);
  });
});
