/**
 * Log drains in the API, under `/api/v1/apps/:app/log-drains` and `/api/v1/projects/:project/log-drains` (a drain
 * for every app of the project): where persisted log lines are shipped (a syslog server over TCP or TLS, or an HTTP
 * endpoint taking batched JSON). A drain's URL may carry a credential (a token in its query, a user and password): it
 * is write-only, sealed in the store and shown only redacted.
 */
import { z } from 'zod';
import { dnsLabelSchema } from './names.js';

export const logDrainKinds = ['syslog', 'http'] as const;
export type LogDrainKindName = (typeof logDrainKinds)[number];

/** Bounded here; whether a URL is acceptable (scheme, host, port) is the core's coded check (`LOG_DRAIN_INVALID`). */
export const addLogDrainBodySchema = z
  .object({
    /** `syslog+tls://host:port`, `syslog://host:port` (TCP), `https://…` or `http://…`. */
    url: z.string().min(1).max(2_048),
    /** A PEM certificate authority the syslog server's or the HTTPS endpoint's certificate is verified with. */
    caPem: z.string().min(1).max(65_536).optional(),
  })
  .strict();
export type AddLogDrainBody = z.infer<typeof addLogDrainBodySchema>;

export const logDrainSchema = z.object({
  id: z.string(),
  project: z.string(),
  /** Null for a project drain: it ships every app of the project, those created later included. */
  app: z.string().nullable(),
  kind: z.enum(logDrainKinds),
  /** The URL without its secret parts: user, password, path and query are left out (`https://logs.example.com:8443`). */
  destination: z.string(),
  /** Whether a certificate authority of its own verifies the receiver. */
  hasCa: z.boolean(),
  /** The id of the last persisted line shipped (or passed over). */
  afterId: z.number().int(),
  /** Lines shipped and acknowledged since the drain was added. */
  linesShipped: z.number().int(),
  /** Lines of failed sends (a line retried three times counts three times). */
  linesFailed: z.number().int(),
  /** Lines of the app stored after `afterId`, waiting to be shipped (counted up to 10,000: `lagLines` is at most that). */
  lagLines: z.number().int(),
  lastSuccessAt: z.string().nullable(),
  /** The last failed send: a code (`LOG_DRAIN_UNREACHABLE`, `LOG_DRAIN_TIMEOUT`, `LOG_DRAIN_REJECTED`) and words. */
  lastError: z.object({ code: z.string(), message: z.string(), at: z.string() }).nullable(),
  createdAt: z.string(),
});
export type LogDrainView = z.infer<typeof logDrainSchema>;

export const listLogDrainsResponseSchema = z.object({ drains: z.array(logDrainSchema) });
export const logDrainParamsSchema = z.object({ app: dnsLabelSchema, id: z.string().min(1).max(64) });
export const projectLogDrainParamsSchema = z.object({ project: dnsLabelSchema, id: z.string().min(1).max(64) });

/** One line as an HTTP drain receives it: the POST body is a JSON array of these, oldest first. */
export interface LogDrainLinePayload {
  /** The persisted line's id: receivers dedupe on it (a retried batch carries the same ids). */
  seq: number;
  /** ISO 8601. */
  time: string;
  project: string;
  app: string;
  environment: string;
  /** `app` or `deploy`. */
  source: string;
  process: string;
  /** The instance's id, or the deployment's. */
  instance: string;
  stream: 'stdout' | 'stderr';
  line: string;
}
