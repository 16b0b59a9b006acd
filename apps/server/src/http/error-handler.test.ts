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
});
