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
  /** `certificate.expiring` is sent this many days before a certificate expires, once per certificate. */
  certificateExpiryWarningDays: option({ schema: z.number().int().min(1).max(3_650), default: 14 }),
};
