/** The API's shapes for an app's log retention override (docs/logs.md). */
import { z } from 'zod';

/** A null member goes back to slipwayd's default. */
export const logSettingsBodySchema = z
  .object({
    retentionMs: z
      .number()
      .int()
      .min(60_000)
      .max(10 * 365 * 86_400_000)
      .nullable(),
    maxBytes: z
      .number()
      .int()
      .min(1024)
      .max(2 ** 40)
      .nullable(),
  })
  .strict();
export type LogSettingsBody = z.infer<typeof logSettingsBodySchema>;

export const logSettingsSchema = z.object({
  /** The app's override; null where it keeps slipwayd's default. */
  override: z.object({ retentionMs: z.number().int().nullable(), maxBytes: z.number().int().nullable() }),
  /** What applies: the override, else slipwayd's default. */
  effective: z.object({ retentionMs: z.number().int(), maxBytes: z.number().int() }),
});
export type LogSettingsView = z.infer<typeof logSettingsSchema>;
