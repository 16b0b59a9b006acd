import { request as httpRequest, type IncomingMessage } from 'node:http';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createJoseAccessTokenSigner,
  createRandomOpaqueTokens,
  createScryptPasswordHasher,
  createSortableIdGenerator,
  createSqliteStore,
  createSystemClock,
} from '@slipway/adapters';
import {
  bootstrapOwner,
  createApiToken,
  defaultIdentitySettings,
  revokeApiToken,
  type IdentityDeps,
  type Principal,
  type Store,
} from '@slipway/core';
import { waitFor } from '@slipway/testkit';
import { installErrorHandling } from '../error-handler.js';
import { installStreamLimit, openSse } from '../sse.js';
import { installAuth } from './auth-hooks.js';
import { watchCredential } from './credential-watch.js';
import { onApp } from './route-permissions.js';

const silent = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, child: () => silent };

/** An open SSE response: whether the server has ended it, and what it sent. */
function openStream(port: number, token: string): Promise<{ response: IncomingMessage; state: { isEnded: boolean } }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path: '/api/v1/apps/hello/logs?follow=true',
        headers: { authorization: `Bearer ${token}` },
      },
      (response) => {
        const state = { isEnded: false };
        response.on('data', () => undefined);
        response.on('end', () => (state.isEnded = true));
        response.on('close', () => (state.isEnded = true));
        resolve({ response, state });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('watchCredential', () => {
  let store: Store | undefined;
  afterEach(async () => {
    await store?.close();
    store = undefined;
  });

  it('ends a stream opened with a token once the token is revoked, and only that stream', async () => {
    store = await createSqliteStore({ file: ':memory:' });
    await store.migrate();
    const clock = createSystemClock();
    const ids = createSortableIdGenerator();
    const identity: IdentityDeps = {
      store,
      clock,
      ids,
      logger: silent,
      passwords: createScryptPasswordHasher({ logN: 10, r: 8, p: 1 }),
      tokens: createRandomOpaqueTokens(),
      signer: createJoseAccessTokenSigner({ store, clock, ids, ttlMs: defaultIdentitySettings.accessTokenTtlMs }),
      settings: defaultIdentitySettings,
    };
    const owner = await bootstrapOwner(identity);
    const app = Fastify();
    installErrorHandling(app);
    installStreamLimit(app, 10);
    installAuth(app, identity);
    let principal: Principal | undefined;
    const permission = { action: 'logs.read', access: onApp('viewer') };
    app.get('/api/v1/apps/:app/logs', { config: { permission } }, async (request, reply) => {
      principal ??= request.principal;
      const sse = openSse(request, reply, watchCredential(request, identity, 20));
      await new Promise((resolve) => sse.signal.addEventListener('abort', resolve, { once: true }));
      sse.end();
      return reply;
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    try {
      const kept = await openStream(port, owner?.secret ?? '');
      if (principal === undefined) throw new Error('the route saw no principal');
      const made = await createApiToken(identity, principal, { name: 'ci', role: 'owner' });
      const revoked = await openStream(port, made.secret);

      await revokeApiToken(identity, principal, made.token.id);

      await waitFor(() => expect(revoked.state.isEnded).toBe(true));
      expect(kept.state.isEnded).toBe(false);
      kept.response.destroy();
    } finally {
      await app.close();
    }
  });
});
