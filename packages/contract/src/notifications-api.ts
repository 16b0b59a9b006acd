/**
 * Notifications in the API: targets per project (optionally per environment) under
 * `/api/v1/notifications/targets`, and the deliveries with every attempt under `/api/v1/notifications/deliveries`.
 * A webhook's signing secret and a Slack URL are write-only: they appear in request bodies and in no answer.
 */
import { z } from 'zod';
import { dnsLabelSchema } from './names.js';

/** What Slipway notifies about; `DeliveryEventKind` in the core. */
export const notificationEventKinds = [
  'approval.pending',
  'rollout.paused',
  'rollout.aborted',
  'deployment.failed',
  'deployment.succeeded',
  'instance.crash-loop',
  'certificate.expiring',
  'alert.firing',
  'alert.resolved',
] as const;
export type NotificationEventKind = (typeof notificationEventKinds)[number];

export const notificationTargetKinds = ['webhook', 'slack', 'email'] as const;
export type NotificationTargetKind = (typeof notificationTargetKinds)[number];

/** Bounded here; whether a URL is acceptable (http(s), no credentials) is the core's coded check. */
const urlField = z.string().min(1).max(2_048);

export const addNotificationTargetBodySchema = z
  .object({
    project: dnsLabelSchema,
    /** Only this environment's events; all the project's environments when absent. */
    environment: dnsLabelSchema.optional(),
    /** Every kind when absent. */
    events: z.array(z.enum(notificationEventKinds)).min(1).max(notificationEventKinds.length).optional(),
    target: z.discriminatedUnion('kind', [
      z
        .object({
          kind: z.literal('webhook'),
          url: urlField,
          /** The HMAC-SHA256 key receivers verify `Slipway-Signature` with; 16–1024 characters. */
          secret: z.string().min(16).max(1_024),
        })
        .strict(),
      z.object({ kind: z.literal('slack'), url: urlField }).strict(),
      z
        .object({
          kind: z.literal('email'),
          to: z
            .string()
            .min(3)
            .max(320)
            .regex(/^[^\s@<>,;]+@[^\s@<>,;]+$/u),
        })
        .strict(),
    ]),
  })
  .strict();
export type AddNotificationTargetBody = z.infer<typeof addNotificationTargetBodySchema>;

export const notificationTargetSchema = z.object({
  id: z.string(),
  project: z.string(),
  /** Null: every environment of the project. */
  environment: z.string().nullable(),
  kind: z.enum(notificationTargetKinds),
  /**
   * Where it goes, without its secret parts: a URL's scheme and host only (its path and query may carry a token, as
   * Slack's do), or the email address.
   */
  destination: z.string(),
  events: z.array(z.enum(notificationEventKinds)),
  createdAt: z.string(),
});
export type NotificationTargetView = z.infer<typeof notificationTargetSchema>;

export const listNotificationTargetsQuerySchema = z.object({ project: dnsLabelSchema.optional() }).strict();
export const listNotificationTargetsResponseSchema = z.object({ targets: z.array(notificationTargetSchema) });
export const notificationTargetParamsSchema = z.object({ id: z.string().min(1).max(64) });

export const notificationAttemptSchema = z.object({
  at: z.string(),
  outcome: z.enum(['delivered', 'failed']),
  /** The receiver's answer in words (`HTTP 500 Internal Server Error`, `250 2.0.0 Ok: queued`) or why none came. */
  detail: z.string(),
  durationMs: z.number(),
});
export type NotificationAttemptView = z.infer<typeof notificationAttemptSchema>;

export const notificationDeliveryStates = ['pending', 'delivered', 'failed'] as const;

export const notificationDeliverySchema = z.object({
  id: z.string(),
  /** The event's id: what receivers dedupe on (`Slipway-Event-Id`). */
  eventId: z.string(),
  event: z.enum(notificationEventKinds),
  project: z.string(),
  /** Null for an event about no one app (an alert on the data dir's disk). */
  app: z.string().nullable(),
  environment: z.string().nullable(),
  message: z.string(),
  targetId: z.string(),
  targetKind: z.enum(notificationTargetKinds),
  destination: z.string(),
  state: z.enum(notificationDeliveryStates),
  /** When the next attempt is due (pending only). */
  nextAttemptAt: z.string().nullable(),
  createdAt: z.string(),
  attempts: z.array(notificationAttemptSchema),
});
export type NotificationDeliveryView = z.infer<typeof notificationDeliverySchema>;

export const listNotificationDeliveriesQuerySchema = z
  .object({
    project: dnsLabelSchema.optional(),
    state: z.enum(notificationDeliveryStates).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
  })
  .strict();
export interface ListNotificationDeliveriesQuery {
  project?: string | undefined;
  state?: (typeof notificationDeliveryStates)[number] | undefined;
  limit?: number | undefined;
}
export const listNotificationDeliveriesResponseSchema = z.object({
  deliveries: z.array(notificationDeliverySchema),
});
