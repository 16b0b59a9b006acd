/**
 * Custom domains of an app under `/api/v1/apps/:app/domains`: each answers like the app's default route, holds a
 * certificate ordered over ACME and renewed before it expires, and shows its state, expiry and last error.
 */
import { z } from 'zod';
import { routeHostSchema } from './manifest.js';
import { dnsLabelSchema } from './names.js';

export const domainStates = ['pending', 'active', 'failed'] as const;
export type DomainStateName = (typeof domainStates)[number];

export const domainSchema = z.object({
  domain: z.string(),
  app: z.string(),
  environment: z.string(),
  /** `added` with `slipway domains add`; `route` found in a manifest's routes. */
  origin: z.enum(['added', 'route']),
  /** How the project came to hold the host: `grant` (an admin), `acme` (a certificate issued), `pending`. */
  verification: z.enum(['pending', 'grant', 'acme']),
  state: z.enum(domainStates),
  certificate: z
    .object({
      notBefore: z.string(),
      notAfter: z.string(),
      /** When it is renewed (the fraction of its lifetime the server is set to). */
      renewAt: z.string(),
      issuedAt: z.string(),
      challenge: z.enum(['http-01', 'tls-alpn-01']),
    })
    .nullable(),
  /** The last failed order: a code (`ACME_TIMEOUT`, `ACME_CA_UNAVAILABLE`, `ACME_CHALLENGE_FAILED`, `ACME_REJECTED`). */
  lastError: z.object({ code: z.string(), message: z.string(), at: z.string() }).nullable(),
  failures: z.number().int(),
  /** No order before this (a backoff after failures); null when none waits. */
  nextAttemptAt: z.string().nullable(),
});
export type DomainView = z.infer<typeof domainSchema>;

export const listDomainsResponseSchema = z.object({ domains: z.array(domainSchema) });

/** A custom domain: a host name (no wildcard: HTTP-01 and TLS-ALPN-01 cannot prove one). */
export const domainNameSchema = routeHostSchema.refine(
  (host) => !host.startsWith('*.'),
  'a wildcard cannot be a domain',
);

export const addDomainBodySchema = z
  .object({ domain: domainNameSchema, environment: dnsLabelSchema.default('production') })
  .strict();
export type AddDomainBody = z.input<typeof addDomainBodySchema>;

export const domainParamsSchema = z.object({ app: dnsLabelSchema, domain: domainNameSchema });
