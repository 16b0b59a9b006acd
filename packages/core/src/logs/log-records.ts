/** What the store keeps of logs: lines (numbered), each app's retention override, and log drains. */
import type { SealedTargetSecret } from '../notifications/notification-records.js';

/** `app`: an instance's output; `deploy`: a deployment's output (fetch, build, release command). */
export type LogLineSource = 'app' | 'deploy';

export interface NewLogLine {
  appId: string;
  /** The environment's name. */
  environment: string;
  source: LogLineSource;
  /** The process type (`web`), or `deploy` for a deployment's lines. */
  process: string;
  /** The instance's id, or the deployment's. */
  instanceId: string;
  stream: 'stdout' | 'stderr';
  line: string;
  atMs: number;
}

export interface LogLineRecord extends NewLogLine {
  /** Given by the store in the order lines are stored; grows forever, never given twice. */
  id: number;
}

/** An app's override of slipwayd's log retention; a null member keeps slipwayd's default. */
export interface LogSettingsRecord {
  appId: string;
  retentionMs: number | null;
  maxBytes: number | null;
  updatedAtMs: number;
}

export type LogDrainKind = 'syslog' | 'http';

export interface LogDrainRecord {
  id: string;
  projectId: string;
  /** Null: every app of the project. */
  appId: string | null;
  kind: LogDrainKind;
  /** Scheme and host of its URL (`syslog+tls://logs.example.com:6514`): what may be shown. */
  destination: string;
  /** The whole URL (credentials included), sealed. */
  sealed: SealedTargetSecret;
  /** The id of the last line delivered (or skipped). */
  afterId: number;
  delivered: number;
  failed: number;
  /** The last failed send's code and words (never holding the URL's secret parts). */
  lastErrorCode: string | null;
  lastError: string | null;
  lastErrorAtMs: number | null;
  lastDeliveredAtMs: number | null;
  createdAtMs: number;
}
