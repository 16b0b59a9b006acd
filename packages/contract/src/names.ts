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

export const envValueSchema = z.string().max(32_768);
