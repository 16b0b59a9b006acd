/** Shared name rules: app, project and environment names are DNS labels so they can become hostnames. */
import { z } from 'zod';

export const dnsLabelSchema = z
  .string()
  .min(1)
  .max(40)
  .regex(/^[a-z][a-z0-9-]*$/, 'must start with a letter and hold only lowercase letters, digits and "-"')
  .refine((s) => !s.endsWith('-') && !s.includes('--'), 'must not end with "-" or contain "--"');

export const processTypeSchema = z
  .string()
  .min(1)
  .max(30)
  .regex(/^[a-z][a-z0-9_-]*$/, 'must start with a letter and hold only lowercase letters, digits, "_" and "-"');

export const envKeySchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a valid environment variable name');

/** Why an app's env may not hold `name` (Slipway sets it for each instance), or undefined when it may. */
export function reservedEnvKeyReason(name: string): string | undefined {
  if (name === 'PORT')
    return 'is set by Slipway to the port it assigns each instance: remove it and have the app listen on $PORT (in a container, "port:" in slipway.yaml names the port the program listens on)';
  if (name.startsWith('SLIPWAY_'))
    return 'is reserved: Slipway sets SLIPWAY_* for each instance (SLIPWAY_APP, SLIPWAY_RELEASE, …); choose another name';
  return undefined;
}

/** A variable an app's config, secrets or manifest `env` may set: not one Slipway sets itself (`PORT`, `SLIPWAY_*`). */
export const appEnvKeySchema = envKeySchema.superRefine((name, context) => {
  const reason = reservedEnvKeyReason(name);
  if (reason !== undefined) context.addIssue({ code: 'custom', message: reason });
});

export const envValueSchema = z.string().max(32_768);
