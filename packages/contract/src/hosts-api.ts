/**
 * Host claims: each host the edge routes belongs to one project — an app's default host from the app's creation, a
 * host a manifest routes from its first deployment, or one an admin granted — and only that project routes on it.
 */
import { z } from 'zod';
import { routeHostSchema } from './manifest.js';
import { dnsLabelSchema } from './names.js';

/** `default`: an app's own host, claimed when the app was created; `first-use`: by a deployment's routes. */
export const hostClaimOrigins = ['default', 'first-use', 'granted'] as const;
export type HostClaimOrigin = (typeof hostClaimOrigins)[number];

export const hostClaimSchema = z.object({
  host: z.string(),
  project: z.string(),
  origin: z.enum(hostClaimOrigins),
  /** The app whose default host it is (`default` claims only). */
  app: z.string().nullable(),
  createdAt: z.string(),
});
export type HostClaimView = z.infer<typeof hostClaimSchema>;

export const listHostsResponseSchema = z.object({ hosts: z.array(hostClaimSchema) });
export const grantHostBodySchema = z.object({ host: routeHostSchema, project: dnsLabelSchema }).strict();
export type GrantHostBody = z.infer<typeof grantHostBodySchema>;
export const hostParamsSchema = z.object({ host: routeHostSchema });
