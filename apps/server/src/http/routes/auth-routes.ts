/** Sessions: login, refresh, logout, whoami; and rotation of the keys that sign access tokens. */
import type { FastifyInstance } from 'fastify';
import { loginBodySchema, refreshBodySchema } from '@slipway/contract';
import { login, logout, refreshSession, reportSecurityEvent, whoami, type IdentityDeps } from '@slipway/core';
import { actorOfRequest, requirePrincipal } from '../auth/request-principal.js';
import { validate } from '../validate.js';

export function authRoutes(app: FastifyInstance, identity: IdentityDeps): void {
  app.post('/api/v1/auth/login', async (request) => login(identity, validate(loginBodySchema, request.body, 'body')));
  app.post('/api/v1/auth/refresh', async (request) => {
    const body = validate(refreshBodySchema, request.body, 'body');
    return refreshSession(identity, body.refreshToken);
  });
  app.post('/api/v1/auth/logout', async (request, reply) => {
    await logout(identity, requirePrincipal(request));
    return reply.status(204).send();
  });
  app.get('/api/v1/auth/whoami', async (request) => whoami(identity, requirePrincipal(request)));
  app.post('/api/v1/auth/keys/rotate', async (request) => {
    const rotation = await identity.signer.rotate();
    request.log.info(
      { activeKeyId: rotation.activeKeyId, by: requirePrincipal(request).userName },
      'signing key rotated',
    );
    reportSecurityEvent(identity, {
      name: 'auth.signing-key.rotated',
      actor: actorOfRequest(request),
      target: { kind: 'signing-key', id: rotation.activeKeyId },
      outcome: 'success',
      details: { verificationKeyIds: [...rotation.verificationKeyIds] },
    });
    return { activeKeyId: rotation.activeKeyId, verificationKeyIds: [...rotation.verificationKeyIds] };
  });
}
