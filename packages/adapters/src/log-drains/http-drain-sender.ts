/**
 * Sends a batch to an HTTP(S) endpoint as one POST of a JSON array (`LogDrainLinePayload`, oldest first). A user and
 * password in the URL become `Authorization: Basic`, a token in its query stays in the request's target; only a 2xx
 * answer counts, redirects are not followed, and the answer's body is discarded unread.
 */
import { request as requestHttp, type IncomingMessage } from 'node:http';
import { request as requestHttps } from 'node:https';
import { SlipwayError, type LogDrainLinePayload } from '@slipway/contract';
import type { DrainedLogLine, LogDrainDestination } from '@slipway/core';
import { receiverOf, sendFailure } from './drain-send-errors.js';

export function drainPayload(lines: readonly DrainedLogLine[]): LogDrainLinePayload[] {
  return lines.map((line) => ({
    seq: line.id,
    time: new Date(line.atMs).toISOString(),
    project: line.project,
    app: line.app,
    environment: line.environment,
    source: line.source,
    process: line.process,
    instance: line.instanceId,
    stream: line.stream,
    line: line.line,
    ...(line.releaseId === undefined ? {} : { release: line.releaseId }),
    ...(line.deploymentId === undefined ? {} : { deployment: line.deploymentId }),
  }));
}

export async function sendHttpBatch(
  destination: LogDrainDestination,
  lines: readonly DrainedLogLine[],
  signal: AbortSignal,
): Promise<void> {
  const url = new URL(destination.url);
  const receiver = receiverOf(url);
  const body = Buffer.from(JSON.stringify(drainPayload(lines)), 'utf8');
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'content-length': String(body.length),
    'user-agent': 'Slipway-Log-Drain/1',
  };
  if (url.username !== '' || url.password !== '') {
    const user = decodeURIComponent(url.username);
    const password = decodeURIComponent(url.password);
    headers.authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  }
  const isTls = url.protocol === 'https:';
  const options = {
    method: 'POST',
    host: url.hostname.replace(/^\[|\]$/gu, ''),
    port: url.port === '' ? (isTls ? 443 : 80) : Number(url.port),
    path: `${url.pathname}${url.search}`,
    headers,
    signal,
    ...(isTls && destination.caPem !== undefined ? { ca: destination.caPem } : {}),
  };
  let response: IncomingMessage;
  try {
    response = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = (isTls ? requestHttps : requestHttp)(options, resolve);
      req.on('error', reject);
      req.end(body);
    });
  } catch (error) {
    throw sendFailure(receiver, error, signal);
  }
  response.resume();
  const status = response.statusCode ?? 0;
  if (status >= 200 && status < 300) return;
  const redirect = status >= 300 && status < 400 ? ' (redirects are not followed)' : '';
  throw new SlipwayError('LOG_DRAIN_REJECTED', `${receiver} answered HTTP ${status}${redirect}`, {
    details: { status },
  });
}
