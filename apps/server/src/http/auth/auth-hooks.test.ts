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
import { bootstrapOwner, defaultIdentitySettings, type IdentityDeps, type Store } from '@slipway/core';
import { installErrorHandling } from '../error-handler.js';
import { installAuth } from './auth-hooks.js';
import { anyProject } from './route-permissions.js';

const silent = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, child: () => silent };

describe('installAuth', () => {
  let store: Store | undefined;
  afterEach(async () => {
    await store?.close();
    store = undefined;
  });

  async function identity(): Promise<IdentityDeps> {
    store = await createSqliteStore({ file: ':memory:' });
    await store.migrate();
    const clock = createSystemClock();
    const ids = createSortableIdGenerator();
    return {
      store,
      clock,
      ids,
      logger: silent,
      passwords: createScryptPasswordHasher({ logN: 10, r: 8, p: 1 }),
      tokens: createRandomOpaqueTokens(),
      signer: createJoseAccessTokenSigner({ store, clock, ids, ttlMs: defaultIdentitySettings.accessTokenTtlMs }),
      settings: defaultIdentitySettings,
    };
  }

  it('refuses to register a route that declares no permission (no entry in the permission table)', async () => {
    const app = Fastify();
    installAuth(app, await identity());
    expect(() => app.get('/api/v1/forgotten', async () => ({}))).toThrow(/no entry in the permission table/);
    expect(() => app.post('/api/v1/apps/:app/forgotten', async () => ({}))).toThrow(
      /POST \/api\/v1\/apps\/:app\/forgotten/,
    );
    await app.close();
  });

  it('lets a route run only with a credential that holds the role, the principal set on the request', async () => {
    const deps = await identity();
    const owner = await bootstrapOwner(deps);
    const app = Fastify();
    installErrorHandling(app);
    installAuth(app, deps);
    const permission = { action: 'system.status', access: anyProject('viewer') };
    app.get('/api/v1/status', { config: { permission } }, async (request) => ({
      caller: request.principal?.displayName,
    }));
    await app.ready();

    const anonymous = await app.inject({ method: 'GET', url: '/api/v1/status' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.headers['www-authenticate']).toBe('Bearer realm="slipway"');
    const bearer = { authorization: `Bearer ${owner?.secret ?? ''}` };
    const allowed = await app.inject({ method: 'GET', url: '/api/v1/status', headers: bearer });
    expect(allowed.json()).toEqual({ caller: 'admin (token admin-token)' });
    const head = await app.inject({ method: 'HEAD', url: '/api/v1/status' });
    expect(head.statusCode).toBe(401);
    await app.close();
  });
});
