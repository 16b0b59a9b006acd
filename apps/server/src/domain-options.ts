/** slipwayd's options for custom domains: the ACME CA certificates are ordered from, and the renewal schedule. */
import { z } from 'zod';
import { numberOf, option } from './config-option.js';

export const domainOptions = {
  /** The ACME directory URL certificates are ordered from; unset, domains are recorded but get no certificate. */
  acmeDirectoryUrl: option({
    schema: z.url().optional(),
    inputs: [
      {
        flag: 'acme-directory',
        env: 'SLIPWAY_ACME_DIRECTORY',
        argument: 'URL',
        help: 'ACME directory certificates of custom domains are ordered from, e.g. https://acme-v02.api.letsencrypt.org/directory (default: none, no certificates)',
      },
    ],
  }),
  /** The contact address the ACME account is registered with (the CA writes about expiring certificates). */
  acmeEmail: option({
    schema: z.email().optional(),
    inputs: [
      {
        flag: 'acme-email',
        env: 'SLIPWAY_ACME_EMAIL',
        argument: 'ADDRESS',
        help: 'contact address of the ACME account',
      },
    ],
  }),
  /** PEM file of the root that signs the ACME directory's own HTTPS certificate (a private or test CA only). */
  acmeCaFile: option({
    schema: z.string().min(1).optional(),
    inputs: [
      {
        flag: 'acme-ca-file',
        env: 'SLIPWAY_ACME_CA_FILE',
        argument: 'FILE',
        help: "PEM root the ACME directory's HTTPS certificate is checked against (default: the system's roots)",
      },
    ],
  }),
  /** How the CA checks control of a host: `http-01` on the edge's port 80, `tls-alpn-01` on its TLS port 443. */
  acmeChallenge: option({
    schema: z.enum(['http-01', 'tls-alpn-01']),
    default: 'http-01',
    inputs: [
      {
        flag: 'acme-challenge',
        env: 'SLIPWAY_ACME_CHALLENGE',
        argument: 'http-01|tls-alpn-01',
        help: 'challenge certificates are ordered with (default http-01; tls-alpn-01 needs --edge-tls)',
      },
    ],
  }),
  /** Bound of each HTTP call to the CA, and of a whole order. */
  acmeCallTimeoutMs: option({ schema: z.number().int().min(100).max(120_000), default: 10_000 }),
  acmeOrderTimeoutMs: option({ schema: z.number().int().min(1_000).max(3_600_000), default: 120_000 }),
  /** A certificate is renewed once this fraction of its lifetime has passed. */
  certificateRenewAtFraction: option({
    schema: z.number().gt(0).lt(1),
    default: 2 / 3,
    inputs: [
      {
        flag: 'certificate-renew-at',
        env: 'SLIPWAY_CERTIFICATE_RENEW_AT',
        argument: 'FRACTION',
        help: 'renew certificates once this fraction of their lifetime has passed (default 0.667)',
      },
    ],
    read: numberOf('certificate-renew-at'),
  }),
  /** Between two passes over the domains (a domain added starts one at once). */
  certificateCheckIntervalMs: option({
    schema: z.number().int().min(100).max(86_400_000),
    default: 60_000,
    inputs: [
      {
        flag: 'certificate-check-interval-ms',
        env: 'SLIPWAY_CERTIFICATE_CHECK_INTERVAL_MS',
        argument: 'MS',
        help: 'time between two passes over the domains (default 60000)',
      },
    ],
    read: numberOf('certificate-check-interval-ms'),
  }),
  /** Waits before the next order after the 1st, 2nd, … failure in a row; the last repeats. */
  certificateRetryDelaysMs: option({
    schema: z
      .array(
        z
          .number()
          .int()
          .min(100)
          .max(7 * 86_400_000),
      )
      .min(1)
      .max(20),
    default: [60_000, 300_000, 1_800_000, 10_800_000, 43_200_000],
  }),
  /** Plain HTTP requests to a custom domain with a certificate are redirected (308) to HTTPS; off: served as they are. */
  httpsRedirect: option({
    schema: z.boolean(),
    default: true,
    inputs: [
      {
        flag: 'https-redirect',
        env: 'SLIPWAY_HTTPS_REDIRECT',
        argument: 'on|off',
        help: 'redirect plain HTTP to HTTPS on custom domains that have a certificate (default on; needs --edge-tls)',
      },
    ],
    read: (given) => (given['https-redirect'] === undefined ? undefined : given['https-redirect'] === 'on'),
  }),
  /** The HTTPS port clients reach the edge on, when a port forward or a proxy puts it elsewhere than `edgeTls`'s. */
  httpsPublicPort: option({
    schema: z.number().int().min(1).max(65_535).optional(),
    inputs: [
      {
        flag: 'https-public-port',
        env: 'SLIPWAY_HTTPS_PUBLIC_PORT',
        argument: 'PORT',
        help: 'the HTTPS port redirects point to (default: the port of --edge-tls)',
      },
    ],
    read: numberOf('https-public-port'),
  }),
  /** HSTS on custom domains with a certificate: `max-age` in seconds; 0 sends none (opt-in). */
  hstsMaxAgeSeconds: option({
    schema: z.number().int().min(0).max(63_072_000),
    default: 0,
    inputs: [
      {
        flag: 'hsts-max-age',
        env: 'SLIPWAY_HSTS_MAX_AGE',
        argument: 'SECONDS',
        help: 'send Strict-Transport-Security with this max-age on custom domains over HTTPS (default 0: none)',
      },
    ],
    read: numberOf('hsts-max-age'),
  }),
  /** `certificate.expiring` is sent this many days before a certificate expires, once per certificate. */
  certificateExpiryWarningDays: option({ schema: z.number().int().min(1).max(3_650), default: 14 }),
};

/** How custom domains with a certificate are served (`CoreSettings.domainHttps`): the redirect's port, the HTTPS port a domain's own redirect
 * uses, and HSTS. */
export function domainHttpsOf(config: {
  readonly edgeTls?: { readonly listen: { readonly port: number } } | undefined;
  readonly httpsRedirect: boolean;
  readonly httpsPublicPort?: number | undefined;
  readonly hstsMaxAgeSeconds: number;
}): { redirectPort?: number; httpsPort?: number; hsts?: string } {
  const port = config.httpsPublicPort ?? config.edgeTls?.listen.port;
  const isServing = config.edgeTls !== undefined && port !== undefined && port !== 0;
  return {
    ...(isServing ? { httpsPort: port } : {}),
    ...(isServing && config.httpsRedirect ? { redirectPort: port } : {}),
    ...(config.hstsMaxAgeSeconds > 0 ? { hsts: `max-age=${config.hstsMaxAgeSeconds}` } : {}),
  };
}
