/** slipwayd's options for notifications: the SMTP relay email goes through, and the retry schedule of deliveries. */
import { z } from 'zod';
import { addressOf, option, text } from './config-option.js';

export const notificationOptions = {
  /**
   * The SMTP relay email notifications go through (docs/notifications.md); unset, email targets fail each attempt
   * saying so. The password is never in the file: `passwordFile` (mode 0600) or `SLIPWAY_SMTP_PASSWORD`.
   */
  smtp: option({
    schema: z
      .object({
        host: z.string().min(1).max(253),
        port: z.number().int().min(1).max(65_535).default(587),
        security: z.enum(['starttls', 'tls', 'none']).default('starttls'),
        from: z.string().min(3).max(320),
        user: z.string().min(1).max(320).optional(),
        passwordFile: z.string().min(1).optional(),
        caFile: z.string().min(1).optional(),
        timeoutMs: z.number().int().min(100).max(120_000).default(10_000),
      })
      .strict()
      .optional(),
    inputs: [
      {
        flag: 'smtp',
        env: 'SLIPWAY_SMTP',
        argument: 'HOST:PORT',
        help: 'the SMTP relay email notifications go through (default: none)',
      },
      {
        flag: 'smtp-security',
        env: 'SLIPWAY_SMTP_SECURITY',
        argument: 'MODE',
        help: 'starttls (default: required before anything is sent)|tls (from the first byte)|none (a relay on localhost)',
      },
      { flag: 'smtp-from', env: 'SLIPWAY_SMTP_FROM', argument: 'ADDRESS', help: "notifications' From: address" },
      { flag: 'smtp-user', env: 'SLIPWAY_SMTP_USER', argument: 'USER', help: 'authenticate to the relay as USER' },
      {
        flag: 'smtp-password-file',
        env: 'SLIPWAY_SMTP_PASSWORD_FILE',
        argument: 'FILE',
        help: "the relay password's file, mode 0600 (or the password itself in SLIPWAY_SMTP_PASSWORD)",
      },
    ],
    read: (given, name) => {
      const relay = addressOf('smtp')(given, name);
      const [security, from, user, passwordFile] = [
        text(given, 'smtp-security'),
        text(given, 'smtp-from'),
        text(given, 'smtp-user'),
        text(given, 'smtp-password-file'),
      ];
      const out = {
        ...(relay ?? {}),
        ...(security === undefined ? {} : { security }),
        ...(from === undefined ? {} : { from }),
        ...(user === undefined ? {} : { user }),
        ...(passwordFile === undefined ? {} : { passwordFile }),
      };
      return Object.keys(out).length === 0 ? undefined : out;
    },
  }),
  /**
   * Waits between a notification's failed attempt and the next (attempts in all: one more than the waits); then the
   * delivery is `failed`. The default's five attempts span about 36 minutes.
   */
  notificationRetryDelaysMs: option({
    schema: z.array(z.number().int().min(100).max(86_400_000)).max(20),
    default: [10_000, 60_000, 300_000, 1_800_000],
  }),
};
