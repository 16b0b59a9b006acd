/**
 * Runtime tasks on an app: stop, start and restart it, put it in maintenance, and run a one-off command in its
 * current release's environment.
 */
import { z } from 'zod';
import { maintenanceSchema, maxMaintenancePageBytes } from './routing-table.js';

/** Stop, start and restart take no body: none, or an empty object; anything else is refused. */
export const noBodySchema = z.object({}).strict().optional();

export const runStateResponseSchema = z.object({
  app: z.string(),
  environment: z.string(),
  /** `stopped`: no instance runs and the controller starts none until started again. */
  runState: z.enum(['running', 'stopped']),
  /** Set while in maintenance; a stopped app answers with the edge's maintenance page even without it. */
  maintenance: maintenanceSchema.nullable(),
  /** True when the app was already in that state: nothing changed. */
  isUnchanged: z.boolean(),
});
export type RunStateView = z.infer<typeof runStateResponseSchema>;

export const defaultMaintenanceRetryAfterSeconds = 60;

export const maintenanceBodySchema = z
  .object({
    isEnabled: z.boolean(),
    /** What `Retry-After` says, seconds; default 60. */
    retryAfterSeconds: z.number().int().min(1).max(86_400).optional(),
    /** An HTML page of the app's own (at most 64 KiB); default the edge's. */
    page: z
      .string()
      .min(1)
      .refine((page) => new TextEncoder().encode(page).byteLength <= maxMaintenancePageBytes, 'at most 64 KiB')
      .optional(),
  })
  .strict();

/** The longest a one-off command may run, and its default deadline. */
export const maxRunTimeoutSeconds = 24 * 60 * 60;
export const defaultRunTimeoutSeconds = 60 * 60;

export const runBodySchema = z
  .object({
    /** A shell command line, run with `/bin/sh -c` in the release's directory and environment. */
    command: z
      .string()
      .min(1)
      .max(16 * 1024),
    /** Stopped (SIGTERM, then SIGKILL) when it runs longer; default an hour. */
    timeoutSeconds: z.number().int().min(1).max(maxRunTimeoutSeconds).optional(),
  })
  .strict();

/** One event of a one-off run's stream (SSE `event:` is the `type`). */
export const runEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('started'), runId: z.string(), releaseNumber: z.number().int() }),
  z.object({ type: z.literal('output'), stream: z.enum(['stdout', 'stderr']), line: z.string(), time: z.string() }),
  z.object({
    type: z.literal('exit'),
    /** The command's exit code; null when it was killed by a signal. */
    exitCode: z.number().int().nullable(),
    signal: z.string().nullable(),
    /** True when its deadline stopped it. */
    isTimedOut: z.boolean(),
  }),
]);
export type RunEvent = z.infer<typeof runEventSchema>;
