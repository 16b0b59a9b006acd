/**
 * A check as Consul's agent API takes it (`Check`/`Checks` of a service registration, or `PUT /v1/agent/check/register`)
 * read into the engine's `CheckRegistration`: one of TTL, HTTP, TCP, gRPC or Args with an Interval, Consul's defaults
 * (timeout 10s, method GET, status critical) and its refusals.
 */
import type { CheckDefinition, CheckRegistration, CheckStatus } from '@slipway/core';
import { badRequest } from './catalog-http-error.js';
import { parseGoDurationMs } from './go-duration.js';
import type { JsonFields } from './json-body.js';

/** Every field of Go's `api.AgentServiceCheck`/`AgentCheckRegistration`: unknown ones are refused, these are read or ignored. */
export const checkFields = [
  'ID',
  'CheckID',
  'Name',
  'ServiceID',
  'Notes',
  'Status',
  'Output',
  'TTL',
  'HTTP',
  'Method',
  'Header',
  'Body',
  'TLSSkipVerify',
  'TLSServerName',
  'Interval',
  'Timeout',
  'TCP',
  'TCPUseTLS',
  'GRPC',
  'GRPCUseTLS',
  'Args',
  'ScriptArgs',
  'Script',
  'Shell',
  'DockerContainerID',
  'H2PING',
  'H2PingUseTLS',
  'UDP',
  'OSService',
  'AliasNode',
  'AliasService',
  'DeregisterCriticalServiceAfter',
  'SuccessBeforePassing',
  'SuccessBeforeWarning',
  'FailuresBeforeWarning',
  'FailuresBeforeCritical',
  'OutputMaxSize',
  'Namespace',
  'Partition',
  'Definition',
  'Type',
  'ExposedPort',
  'Node',
  'ServiceName',
  'ServiceTags',
  'CreateIndex',
  'ModifyIndex',
];

const defaultTimeoutMs = 10_000;
const scriptTimeoutMs = 30_000;
/** Consul's `MinInterval`: shorter intervals are raised to it. */
const minIntervalMs = 1000;

/** A duration field: a Go duration string, or a number of nanoseconds. */
export function durationField(fields: JsonFields, name: string): number | undefined {
  const value = fields.any(name);
  if (value === undefined || value === '') return undefined;
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value / 1e6;
  if (typeof value === 'string') {
    const parsed = parseGoDurationMs(value);
    if (parsed !== undefined && parsed >= 0) return parsed;
  }
  throw badRequest(
    `Request decode failed: invalid duration for ${name}: ${typeof value === 'string' ? JSON.stringify(value.slice(0, 32)) : typeof value}`,
  );
}

export function statusField(fields: JsonFields): CheckStatus | undefined {
  const status = fields.string('Status');
  if (status === undefined || status === '') return undefined;
  if (status !== 'passing' && status !== 'warning' && status !== 'critical') {
    throw badRequest(`Status for checks must 'passing', 'warning', 'critical'`);
  }
  return status;
}

/** The check's kind and parameters; undefined when the body names none of TTL, HTTP, TCP, gRPC or Args. */
function definitionOf(fields: JsonFields): CheckDefinition | undefined {
  for (const unsupported of ['H2PING', 'UDP', 'OSService', 'AliasNode', 'AliasService', 'DockerContainerID']) {
    const value = fields.any(unsupported);
    if (value !== undefined && value !== '') throw badRequest(`Invalid check: ${unsupported} checks are not supported`);
  }
  const ttlMs = durationField(fields, 'TTL');
  const intervalGiven = durationField(fields, 'Interval');
  const timeoutGiven = durationField(fields, 'Timeout');
  const http = fields.string('HTTP');
  const tcp = fields.string('TCP');
  const grpc = fields.string('GRPC');
  const args = fields.strings('Args') ?? fields.strings('ScriptArgs');
  const script = fields.string('Script');
  const isScript = (args !== undefined && args.length > 0) || (script !== undefined && script !== '');
  // Consul's defaults: 30 s for a script (its CheckMonitor), 10 s for the probes.
  const timeoutMs = timeoutGiven ?? (isScript ? scriptTimeoutMs : defaultTimeoutMs);
  const kinds = [ttlMs !== undefined && ttlMs > 0, Boolean(http), Boolean(tcp), Boolean(grpc), isScript].filter(
    Boolean,
  );
  if (kinds.length === 0) {
    if (ttlMs === 0) throw badRequest('Invalid check: TTL must be > 0 for TTL checks');
    return undefined;
  }
  if (kinds.length > 1) throw badRequest('Invalid check: only one of TTL, HTTP, TCP, GRPC or Args may be given');
  if (ttlMs !== undefined && ttlMs > 0) return { type: 'ttl', ttlMs };
  if (intervalGiven === undefined || intervalGiven <= 0) {
    throw badRequest('Invalid check: Interval must be > 0 for Script, HTTP, H2PING, TCP or UDP checks');
  }
  const intervalMs = Math.max(intervalGiven, minIntervalMs);
  if (http) {
    const header: Record<string, string[]> = {};
    const given = fields.any('Header');
    if (given !== undefined) {
      if (typeof given !== 'object' || given === null || Array.isArray(given))
        throw badRequest('Request decode failed: invalid Header');
      for (const [name, values] of Object.entries(given)) {
        if (!Array.isArray(values) || !values.every((value) => typeof value === 'string')) {
          throw badRequest('Request decode failed: Header values must be lists of strings');
        }
        header[name] = values;
      }
    }
    let url: URL;
    try {
      url = new URL(http);
    } catch {
      throw badRequest(`Invalid check: HTTP must be a URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw badRequest('Invalid check: HTTP must be an http or https URL');
    return {
      type: 'http',
      url: http,
      method: (fields.string('Method') ?? '') || 'GET',
      header,
      body: fields.string('Body') ?? '',
      tlsSkipVerify: fields.boolean('TLSSkipVerify') ?? false,
      intervalMs,
      timeoutMs,
    };
  }
  if (tcp) return { type: 'tcp', address: tcp, intervalMs, timeoutMs };
  if (grpc) {
    return {
      type: 'grpc',
      target: grpc,
      useTls: fields.boolean('GRPCUseTLS') ?? false,
      tlsSkipVerify: fields.boolean('TLSSkipVerify') ?? false,
      intervalMs,
      timeoutMs,
    };
  }
  const scriptArgs = args !== undefined && args.length > 0 ? args : ['/bin/sh', '-c', script ?? ''];
  return { type: 'script', args: scriptArgs, intervalMs, timeoutMs };
}

export interface CheckBodyDefaults {
  /** The check's id when the body gives none. */
  checkId: string;
  /** The check's name when the body gives none (required for a node or standalone check: undefined). */
  name: string | undefined;
  serviceId: string;
}

/** Reads one check; undefined when the body defines no check at all (an empty `Check` of a service). */
export function checkRegistrationOf(fields: JsonFields, defaults: CheckBodyDefaults): CheckRegistration | undefined {
  const definition = definitionOf(fields);
  if (definition === undefined) return undefined;
  const name = (fields.string('Name') ?? '') || defaults.name;
  if (name === undefined) throw badRequest('Missing check name');
  return {
    checkId: (fields.string('CheckID') ?? '') || (fields.string('ID') ?? '') || defaults.checkId,
    name,
    serviceId: defaults.serviceId,
    notes: fields.string('Notes') ?? '',
    status: statusField(fields) ?? 'critical',
    ...(fields.string('Output') === undefined ? {} : { output: fields.string('Output') ?? '' }),
    definition,
  };
}
