/** slipwayd's options for pull-request previews (docs/previews.md). */
import { z } from 'zod';
import { numberOf, option } from './config-option.js';

export const gitPreviewOptions = {
  /** Suffix of previews' hosts: `pr-7.shop.<it>`; unset: the default domain. */
  previewDomain: option({
    schema: z
      .string()
      .min(1)
      .max(200)
      .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/, 'a DNS name')
      .optional(),
    inputs: [
      {
        flag: 'preview-domain',
        env: 'SLIPWAY_PREVIEW_DOMAIN',
        argument: 'DOMAIN',
        help: "suffix of pull-request previews' hosts, pr-<n>.<app>.DOMAIN (default: the default domain)",
      },
    ],
  }),
  /**
   * How often previews are looked after: finished deployments reported to the pull request, a moved head deployed,
   * idle previews removed, waiting ones started when a slot is free; 0 turns the sweep off.
   */
  previewSweepIntervalMs: option({
    schema: z.union([z.literal(0), z.number().int().min(1_000).max(3_600_000)]),
    default: 10_000,
    inputs: [
      {
        flag: 'preview-sweep-interval-ms',
        env: 'SLIPWAY_PREVIEW_SWEEP_INTERVAL_MS',
        argument: 'MS',
        help: 'how often previews are followed up and idle ones removed (default 10000; 0: never)',
      },
    ],
    read: numberOf('preview-sweep-interval-ms'),
  }),
  /** How often the sweep also asks each preview's provider whether its pull request is still open. */
  previewProviderCheckIntervalMs: option({
    schema: z.number().int().min(10_000).max(86_400_000),
    default: 600_000,
    inputs: [
      {
        flag: 'preview-provider-check-interval-ms',
        env: 'SLIPWAY_PREVIEW_PROVIDER_CHECK_INTERVAL_MS',
        argument: 'MS',
        help: "how often previews' pull requests are checked at their provider, to remove closed ones (default 600000)",
      },
    ],
    read: numberOf('preview-provider-check-interval-ms'),
  }),
};
