/**
 * slipwayd's git endpoint, `/git/<app>.git` (smart HTTP, gitprotocol-http(5)), served by `git http-backend` per
 * request. Its own encapsulated plugin, outside the API's route table: git authenticates with HTTP Basic (a Slipway
 * token as password) and asks for it with a Basic challenge, and the role a request needs depends on the service it
 * names (push: deployer on the app's project; fetch: viewer), so the plugin authenticates and authorizes itself.
 * Errors are answered as text, which git prints to its user as `remote: …` lines.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SlipwayError, type Role } from '@slipway/contract';
import { hasRole, type AppRecord, type Principal } from '@slipway/core';
import { errorStatus } from '../http/error-status.js';
import { publicAccess } from '../http/auth/route-permissions.js';
import type { RouteContext } from '../http/server-context.js';
import { authenticateGitRequest } from './git-basic-auth.js';
import { runGitHttpBackend } from './git-http-backend.js';
import { decodedRequestBody, readPushCommands, readWholeBody } from './git-request-body.js';
import type { HostedRepositories } from './hosted-repositories.js';
import { deployPushedRefs, type HostedRepositoryIds } from './push-deployment.js';
import { SidebandRelay } from './sideband-relay.js';

export interface GitHttpOptions {
  readonly repositories: HostedRepositories;
  readonly repositoryIds: HostedRepositoryIds;
  /** A push or fetch (its git part) ends within this. */
  readonly requestTimeoutMs: number;
  /** How long a push shows the deployment it started before it ends and leaves it running. */
  readonly followTimeoutMs: number;
  /** The largest request body, decompressed (a push's pack). */
  readonly maxRequestBytes: number;
}

type Service = 'git-upload-pack' | 'git-receive-pack';

/** A fetch's wants and haves: git's own limit of what http-backend buffers (GIT_HTTP_MAX_REQUEST_BUFFER). */
const maxFetchRequestBytes = 10 * 1024 * 1024;

const requestTypes = ['application/x-git-upload-pack-request', 'application/x-git-receive-pack-request'];
const roleFor: Readonly<Record<Service, Role>> = { 'git-upload-pack': 'viewer', 'git-receive-pack': 'deployer' };
/** Public to the API's hooks: this plugin authenticates (HTTP Basic) and authorizes (per service) itself. */
const optionsOf = (action: string) => ({
  config: { permission: { action, access: publicAccess } },
  // git's protocol, not the API's: left out of the OpenAPI document.
  schema: { hide: true },
});

export function registerGitHttp(app: FastifyInstance, context: RouteContext, options: GitHttpOptions): void {
  const plugin = async (scope: FastifyInstance): Promise<void> => {
    // The request body is the stream itself; the handler decodes and bounds it.
    scope.addContentTypeParser(requestTypes, (_request, payload, done) => done(null, payload));
    const serve =
      (service: Service | 'from-query', path: string) => async (request: FastifyRequest, reply: FastifyReply) => {
        try {
          return await handle(context, options, request, reply, service, path);
        } catch (error) {
          return answerError(request, reply, error);
        }
      };
    scope.get('/git/:repository/info/refs', optionsOf('git.refs'), serve('from-query', 'info/refs'));
    scope.post('/git/:repository/git-upload-pack', optionsOf('git.fetch'), serve('git-upload-pack', 'git-upload-pack'));
    scope.post(
      '/git/:repository/git-receive-pack',
      optionsOf('git.push'),
      serve('git-receive-pack', 'git-receive-pack'),
    );
  };
  Object.defineProperty(plugin, 'name', { value: 'git-http' });
  void app.register(plugin);
}

async function handle(
  context: RouteContext,
  options: GitHttpOptions,
  request: FastifyRequest,
  reply: FastifyReply,
  fixed: Service | 'from-query',
  path: string,
): Promise<FastifyReply> {
  const query = request.query as Record<string, unknown>;
  const service = fixed === 'from-query' ? serviceOf(query['service']) : fixed;
  const principal = await authenticateGitRequest(context.identity, request.headers.authorization);
  // The audit record of the request names its caller.
  request.principal = principal;
  const app = await appOf(context, (request.params as { repository: string }).repository);
  assertRole(principal, app, service);
  const repository = await options.repositories.ensure(app);
  const repositoryId = await options.repositoryIds.ensure(app);
  const isPush = service === 'git-receive-pack' && fixed !== 'from-query';
  const body = fixed === 'from-query' ? undefined : decodedRequestBody(request, options.maxRequestBytes);
  // A push's ref updates are read before receive-pack runs: a request that is not a push is refused here.
  const push = isPush && body !== undefined ? await readPushCommands(body) : undefined;
  const fetchBody = !isPush && body !== undefined ? await readWholeBody(body, maxFetchRequestBytes) : undefined;
  const shutdown = context.shutdownSignal;
  const gone = new AbortController();
  // The answer's stream closes when it has ended or the client went away (a request's 'close' only says its body
  // was read).
  reply.raw.once('close', () => gone.abort());
  const answer = await runGitHttpBackend({
    projectRoot: repository.root,
    pathInfo: `/${repository.name}/${path}`,
    method: fixed === 'from-query' ? 'GET' : 'POST',
    query: fixed === 'from-query' ? `service=${service}` : '',
    contentType: request.headers['content-type'],
    gitProtocol: gitProtocolOf(request.headers['git-protocol']),
    remoteUser: principal.userName,
    remoteAddr: request.ip,
    body: push?.stream ?? fetchBody,
    timeoutMs: options.requestTimeoutMs,
    signal: AbortSignal.any([gone.signal, shutdown]),
  }).catch((error: unknown) => {
    // A body that broke off (not gzip, too large) is why http-backend gave no answer.
    throw body?.failure() ?? error;
  });
  void reply.status(answer.status);
  for (const [name, value] of Object.entries(answer.headers)) void reply.header(name, value);
  if (push === undefined || answer.status !== 200) return reply.send(answer.body);
  const sideband = sidebandOf(push?.commands.capabilities);
  const relay = sideband === undefined ? undefined : new SidebandRelay(sideband);
  const say = (line: string): Promise<void> => relay?.say(line) ?? Promise.resolve();
  const deploy = async (): Promise<string | undefined> =>
    deployPushedRefs(context.deps, {
      app,
      repository,
      repositories: options.repositories,
      repositoryId,
      commands: push.commands,
      pusher: principal.userName,
      pushId: randomUUID(),
      say,
      signal: AbortSignal.any([gone.signal, shutdown]),
      followTimeoutMs: options.followTimeoutMs,
    });
  const log = request.log;
  if (relay === undefined) {
    // No progress channel (a client that asked for no side-band): its answer goes as it is, and what the push
    // deploys is neither shown nor able to fail it.
    context.fleet.background.run(
      'git push deployment',
      async () => {
        if (await answer.succeeded) await deploy();
        else log.warn({ app: app.name, stderr: answer.stderr() }, 'git receive-pack failed');
      },
      { app: app.name },
    );
    return reply.send(answer.body);
  }
  context.fleet.background.run(
    'git push deployment',
    async () => {
      try {
        await relay.relay(answer.body);
        if (!(await answer.succeeded)) {
          log.warn({ app: app.name, stderr: answer.stderr() }, 'git receive-pack failed');
          // A body cut off past its limit leaves git saying only "early EOF": the push's user is told why.
          await relay.end(body?.failure()?.message);
          return;
        }
        await relay.end(await deploy());
      } catch (error) {
        log.warn({ app: app.name, err: error }, 'git push deployment failed');
        await relay.end(error instanceof SlipwayError ? error.message : 'the push could not be deployed');
      }
    },
    { app: app.name },
  );
  return reply.send(relay.output);
}

/** What the client asked for to receive progress; undefined when it asked for none (no progress can be sent). */
function sidebandOf(capabilities: ReadonlySet<string> | undefined): 65_515 | 999 | undefined {
  if (capabilities?.has('side-band-64k') === true) return 65_515;
  if (capabilities?.has('side-band') === true) return 999;
  return undefined;
}

function serviceOf(value: unknown): Service {
  if (value === 'git-upload-pack' || value === 'git-receive-pack') return value;
  throw new SlipwayError(
    'VALIDATION_FAILED',
    'only smart HTTP is served: ?service=git-upload-pack or git-receive-pack',
  );
}

/** `<app>.git` or `<app>`. */
async function appOf(context: RouteContext, repository: string): Promise<AppRecord> {
  const name = repository.endsWith('.git') ? repository.slice(0, -4) : repository;
  const app = await context.deps.store.apps.findByName(name);
  if (app === undefined) throw new SlipwayError('APP_NOT_FOUND', `app "${name}" does not exist`);
  return app;
}

function assertRole(principal: Principal, app: AppRecord, service: Service): void {
  const role = roleFor[service];
  if (hasRole(principal, app.projectId, role)) return;
  throw new SlipwayError(
    'FORBIDDEN',
    `${principal.displayName} may not ${service === 'git-receive-pack' ? 'push to' : 'fetch from'} app "${app.name}": it needs the role ${role} on its project`,
    { details: { requiredRole: role } },
  );
}

/** Protocol v2 and its friends: `version=2`, `key=value` pairs separated by colons; anything else is dropped. */
function gitProtocolOf(value: string | string[] | undefined): string | undefined {
  if (typeof value !== 'string' || value.length > 256 || !/^[A-Za-z0-9=:._-]*$/.test(value)) return undefined;
  return value;
}

function answerError(request: FastifyRequest, reply: FastifyReply, error: unknown): FastifyReply {
  const coded = error instanceof SlipwayError ? error : new SlipwayError('INTERNAL', 'internal error');
  if (!(error instanceof SlipwayError)) request.log.error({ err: error }, 'git request failed');
  if (coded.code === 'UNAUTHENTICATED') void reply.header('www-authenticate', 'Basic realm="Slipway", charset="UTF-8"');
  return reply
    .status(errorStatus[coded.code])
    .header('content-type', 'text/plain; charset=utf-8')
    .send(`${coded.message}\n`);
}
