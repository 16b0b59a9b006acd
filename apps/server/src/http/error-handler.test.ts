import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { installErrorHandling } from './error-handler.js';

describe('error handling', () => {
  it('answers a body that is not JSON with VALIDATION_FAILED, never quoting the body (it may hold a secret)', async () => {
    const app = Fastify();
    installErrorHandling(app);
    app.put('/secret', async () => ({ ok: true }));
    const sentinel = 'sentinel-4c1d9e-value';

    const answer = await app.inject({
      method: 'PUT',
      url: '/secret',
      headers: { 'content-type': 'application/json' },
      payload: `{"value": ${sentinel}}`,
    });

    expect(answer.statusCode).toBe(400);
    const body = answer.json<{ error: { code: string; message: string } }>();
    expect(body.error.code).toBe('VALIDATION_FAILED');
    expect(body.error.message).toMatch(/^the body is not valid JSON/);
    expect(answer.body).not.toContain('sentinel');
    await app.close();
  });

  it('answers an unknown route ROUTE_NOT_FOUND, but a body no scope of the app reads UNSUPPORTED_MEDIA_TYPE first', async () => {
    const app = Fastify();
    installErrorHandling(app);
    await app.ready();

    const json = await app.inject({ method: 'POST', url: '/nowhere', payload: { a: 1 } });
    const archive = await app.inject({
      method: 'POST',
      url: '/nowhere',
      headers: { 'content-type': 'application/gzip' },
      payload: 'not json',
    });
    const bodiless = await app.inject({
      method: 'GET',
      url: '/nowhere',
      headers: { 'content-type': 'application/gzip' },
    });

    expect(json.json<{ error: { code: string } }>().error.code).toBe('ROUTE_NOT_FOUND');
    expect(archive.statusCode).toBe(415);
    expect(archive.json<{ error: { code: string } }>().error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(bodiless.statusCode).toBe(404);
    await app.close();
  });
});
