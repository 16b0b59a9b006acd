/**
 * `POST /api/v1/hooks/<provider>/<repository id>`: deliveries of git hosts' webhooks. Authenticated by the provider's
 * scheme, not by a Slipway credential, so the route is public and the body is kept as raw bytes (this group's own
 * content-type parser, for every media type) for the signature to be checked over exactly what was sent. Answers 202
 * once the delivery is stored; only an unknown repository (404), a bad or missing signature or secret (401) and a
 * rate limit (429) are refused, since a provider disables a hook that keeps failing.
 */
import { SlipwayError, isSlipwayError, webhookReceiptSchema, type ErrorCode } from '@slipway/contract';
import {
  gitProviders,
  receiveWebhook,
  type GitProvider,
  type GitRepositoryRecord,
  type WebhookSecretCache,
} from '@slipway/core';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { createWebhookIntake, type WebhookIntake } from '../../git-webhook-intake.js';
import { publicAccess } from '../auth/route-permissions.js';
import type { BucketState } from '../rate-limit/token-buckets.js';
import { routeFor, type RouteGroup } from '../route-declaration.js';
import type { RouteContext } from '../server-context.js';

/** The largest delivery accepted (GitHub caps its payloads at 25 MB; pushes of usual size are far below this). */
export const webhookBodyBytes = 4 * 1024 * 1024;

const hookParamsSchema = z.object({
  provider: z.string().min(1).max(32),
  repository: z.string().min(1).max(100),
});

const rawBodySchema = z
  .custom<Buffer>((value) => value === undefined || Buffer.isBuffer(value), 'expected the raw body')
  .meta({ type: 'string', format: 'binary', description: "The provider's payload, as it signed it" });

/** Refusals that count against the client address: the caller could not show it knows a repository's secret. */
const refusalCodes: ReadonlySet<ErrorCode> = new Set([
  'REPOSITORY_NOT_FOUND',
  'WEBHOOK_SIGNATURE_INVALID',
  'WEBHOOK_SECRET_NOT_SET',
  'WEBHOOK_PROVIDER_MISMATCH',
]);

const route = routeFor<RouteContext>();

/** Bare contexts (route tests) get an intake of their own that wakes nothing. */
const fallbackIntakes = new WeakMap<object, WebhookIntake>();
function intakeOf(context: RouteContext): WebhookIntake {
  if (context.webhookIntake !== undefined) return context.webhookIntake;
  let intake = fallbackIntakes.get(context);
  if (intake === undefined) {
    intake = createWebhookIntake({ poke: () => undefined });
    fallbackIntakes.set(context, intake);
  }
  return intake;
}

function rateLimited(reply: FastifyReply, state: BucketState, message: string): SlipwayError {
  void reply.header('retry-after', String(state.retryAfterSeconds));
  return new SlipwayError('RATE_LIMITED', message, { details: { retryAfterSeconds: state.retryAfterSeconds } });
}

export const webhookRoutes: RouteGroup<RouteContext> = {
  name: 'webhook-routes',
  setup: (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: webhookBodyBytes }, (_request, body, done) =>
      done(null, body),
    );
  },
  routes: [
    route({
      method: 'POST',
      url: '/api/v1/hooks/:provider/:repository',
      summary:
        "Receive a git host's webhook delivery (GitHub, GitLab, Gitea/Forgejo, Bitbucket), authenticated by the repository's webhook secret",
      // Every accepted delivery is in the inbox (`slipway repos deliveries`); refusals go to the audit log.
      permission: { action: 'webhooks.receive', access: publicAccess, audit: 'refusals' },
      schema: { params: hookParamsSchema, body: rawBodySchema, response: { 202: webhookReceiptSchema } },
      handler: async (request, reply, context) => {
        const provider = gitProviders.find((name) => name === request.params.provider);
        if (provider === undefined) {
          throw new SlipwayError('ROUTE_NOT_FOUND', `no webhook provider "${request.params.provider.slice(0, 32)}"`, {
            details: { providers: [...gitProviders] },
          });
        }
        const intake = intakeOf(context);
        const nowMs = context.deps.clock.nowMs();
        const refusals = intake.peekRefusal(request.ip, nowMs);
        if (!refusals.isAllowed) throw rateLimited(reply, refusals, 'too many refused deliveries from this address');
        const receipt = await receive(context, provider, request.params.repository, request.headers, request.body, {
          admit: (repository) => {
            const state = intake.takeDelivery(repository.id, nowMs);
            if (!state.isAllowed)
              throw rateLimited(reply, state, `too many deliveries for repository ${repository.name}`);
          },
          refuse: () => intake.takeRefusal(request.ip, nowMs),
          secretCache: intake.secretCache,
        });
        if (receipt.status === 'queued') intake.poke();
        return reply.status(202).send({
          delivery: { id: receipt.deliveryId, status: receipt.status, reason: receipt.reason },
        });
      },
    }),
  ],
};

async function receive(
  context: RouteContext,
  provider: GitProvider,
  repositoryId: string,
  headers: Readonly<Record<string, string | string[] | undefined>>,
  body: Buffer | undefined,
  hooks: { admit: (repository: GitRepositoryRecord) => void; refuse: () => void; secretCache: WebhookSecretCache },
) {
  try {
    return await receiveWebhook(
      context.deps,
      { provider, repositoryId, headers, body: body ?? Buffer.alloc(0) },
      { admit: hooks.admit, secretCache: hooks.secretCache },
    );
  } catch (error) {
    if (isSlipwayError(error) && refusalCodes.has(error.code)) hooks.refuse();
    throw error;
  }
}
