/**
 * Custom domains of an app under `/api/v1/apps/:app/domains`: each answers like the app's default route, holds a
 * certificate ordered over ACME and renewed before it expires, and shows its state, expiry and last error.
 */
import { z } from 'zod';
import { routeHostSchema } from './manifest.js';
import { dnsLabelSchema } from './names.js';

export const domainStates = ['pending', 'active', 'failed'] as const;
export type DomainStateName = (typeof domainStates)[number];

/**
 * Why a domain is not (or not fully) served over HTTPS, and what to do: `ACME_NOT_CONFIGURED` (no CA: no certificate
 * is ordered), `CERTIFICATE_ORDERING` (the first order is under way or due), `CERTIFICATE_RETRYING` (the last order
 * failed; another is planned), `RENEWAL_OFF` (a certificate, but no CA to renew it), `EDGE_TLS_OFF` (a certificate, but
 * the edge has no TLS listener to serve it).
 */
export const domainReasonCodes = [
  'ACME_NOT_CONFIGURED',
  'CERTIFICATE_ORDERING',
  'CERTIFICATE_RETRYING',
  'RENEWAL_OFF',
  'EDGE_TLS_OFF',
] as const;
export type DomainReasonCode = (typeof domainReasonCodes)[number];

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
  /** Why the domain is not served over HTTPS with a certificate that will be renewed, and what to do; null when it is. */
  reason: z.object({ code: z.enum(domainReasonCodes), message: z.string() }).nullable(),
  /** Plain HTTP redirected to HTTPS once the certificate is valid: `on`, `off`, or the server's setting (`default`). */
  httpsRedirect: z.enum(['default', 'on', 'off']),
  /** HSTS max-age sent once the certificate is valid (0: none); null: the server's. */
  hstsMaxAgeSeconds: z.number().int().nullable(),
});
export type DomainView = z.infer<typeof domainSchema>;

export const listDomainsResponseSchema = z.object({ domains: z.array(domainSchema) });

/**
 * A custom domain: a host name of labels of at most 63 characters (RFC 1035 §2.3.4), taken in any case and kept in
 * lowercase. Not a wildcard (HTTP-01 and TLS-ALPN-01 cannot prove one), not an IPv4 address (a certificate is ordered
 * for a name, and an address is every project's way to reach the edge), not a Unicode name (its ASCII form, `xn--…`).
 */
export const domainNameSchema = z
  .string()
  .max(253)
  .transform((host) => host.toLowerCase())
  .refine((host) => !host.startsWith('*.'), 'a wildcard cannot be a domain')
  .refine((host) => /^[\x21-\x7e]*$/.test(host), 'write an internationalised name in its ASCII form (xn--…)')
  .refine((host) => !/^\d+(\.\d+){3}$/.test(host), 'an IP address cannot be a domain: use a name that resolves to it')
  .refine((host) => host.split('.').every((label) => label.length <= 63), 'each label must be at most 63 characters')
  .pipe(routeHostSchema);

/** A domain's own HTTPS settings: the redirect (`default` follows the server) and HSTS max-age (0 none, null the server's). */
const domainHttpsFields = {
  httpsRedirect: z.enum(['default', 'on', 'off']).optional(),
  hstsMaxAgeSeconds: z.number().int().min(0).max(63_072_000).nullable().optional(),
};

export const addDomainBodySchema = z
  .object({ domain: domainNameSchema, environment: dnsLabelSchema.default('production'), ...domainHttpsFields })
  .strict();
export type AddDomainBody = z.input<typeof addDomainBodySchema>;

/** PATCH body: the settings given change, the others stay. */
export const setDomainBodySchema = z.object(domainHttpsFields).strict();
export type SetDomainBody = z.input<typeof setDomainBodySchema>;

export const domainParamsSchema = z.object({ app: dnsLabelSchema, domain: domainNameSchema });
