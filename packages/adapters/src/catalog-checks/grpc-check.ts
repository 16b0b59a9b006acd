/**
 * The catalog's gRPC check (Consul's): one `grpc.health.v1.Health/Check` call for the target's service (the part
 * after `/`, empty for the server as a whole) under the deadline; SERVING is passing, any other answer or failure
 * critical. The two messages are encoded here by hand (one field each), so no `.proto` file is loaded; grpc-js itself
 * loads with the first gRPC check run, not with every slipwayd.
 */
import type { ServiceError } from '@grpc/grpc-js';
import type { CheckRunResult, RunnableCheckDefinition } from '@slipway/core';
import { abortedText, boundOutput, createRunDeadline, parseHostPort } from './check-output.js';

type GrpcCheckDefinition = Extract<RunnableCheckDefinition, { type: 'grpc' }>;

/** `grpc.health.v1.HealthCheckResponse.ServingStatus`. */
const servingStatusNames = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'] as const;
const servingStatus = 1;
/** A health answer is a few bytes; anything larger is not one. */
const maxAnswerBytes = 4096;

/** `HealthCheckRequest { string service = 1; }`. */
export function encodeHealthCheckRequest(service: string): Buffer {
  const name = Buffer.from(service, 'utf8');
  if (name.length === 0) return Buffer.alloc(0);
  return Buffer.concat([Buffer.from([0x0a]), encodeVarint(name.length), name]);
}

/** `HealthCheckResponse { ServingStatus status = 1; }`; 0 (UNKNOWN) when absent. Unknown fields are skipped. */
export function decodeHealthCheckResponse(bytes: Buffer): number {
  let offset = 0;
  let status = 0;
  const varint = (): number => {
    let value = 0;
    for (let shift = 0; shift < 64; shift += 7) {
      const byte = bytes[offset];
      if (byte === undefined) throw new Error('truncated health answer');
      offset += 1;
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return value;
    }
    throw new Error('malformed health answer');
  };
  while (offset < bytes.length) {
    const tag = varint();
    const field = Math.floor(tag / 8);
    switch (tag % 8) {
      case 0: {
        const value = varint();
        if (field === 1) status = value;
        break;
      }
      case 1:
        offset += 8;
        break;
      case 2: {
        const length = varint();
        offset += length;
        break;
      }
      case 5:
        offset += 4;
        break;
      default:
        throw new Error('malformed health answer');
    }
    if (offset > bytes.length) throw new Error('truncated health answer');
  }
  return status;
}

export function encodeHealthCheckResponse(status: number): Buffer {
  return Buffer.concat([Buffer.from([0x08]), encodeVarint(status)]);
}

export function decodeHealthCheckRequest(bytes: Buffer): string {
  // Only field 1 is ever sent; a request without it asks for the server as a whole.
  if (bytes.length === 0 || bytes[0] !== 0x0a) return '';
  let offset = 1;
  let length = 0;
  for (let shift = 0; offset < bytes.length; shift += 7) {
    const byte = bytes[offset] ?? 0;
    offset += 1;
    length += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) break;
  }
  return bytes.subarray(offset, offset + length).toString('utf8');
}

function encodeVarint(value: number): Buffer {
  const out: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    out.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  out.push(rest);
  return Buffer.from(out);
}

/** `host:port[/service]` split; undefined when the address part is not `host:port`. */
export function parseGrpcTarget(target: string): { address: string; service: string } | undefined {
  const slash = target.indexOf('/');
  const address = slash === -1 ? target : target.slice(0, slash);
  const service = slash === -1 ? '' : target.slice(slash + 1);
  return parseHostPort(address) ? { address, service } : undefined;
}

export async function runGrpcCheck(definition: GrpcCheckDefinition, signal?: AbortSignal): Promise<CheckRunResult> {
  const prefix = `gRPC check ${definition.target}`;
  const target = parseGrpcTarget(definition.target);
  if (!target) return { status: 'critical', output: boundOutput(`${prefix}: invalid target`) };
  const { credentials, Client, Metadata, status: grpcStatus } = await import('@grpc/grpc-js');
  const deadline = createRunDeadline(definition.timeoutMs, signal);
  const channelCredentials = definition.useTls
    ? credentials.createSsl(
        null,
        null,
        null,
        definition.tlsSkipVerify ? { rejectUnauthorized: false, checkServerIdentity: () => undefined } : {},
      )
    : credentials.createInsecure();
  const client = new Client(target.address, channelCredentials, {
    'grpc.max_receive_message_length': maxAnswerBytes,
    'grpc.enable_retries': 0,
  });
  return new Promise<CheckRunResult>((resolve) => {
    let isDone = false;
    const finish = (result: CheckRunResult) => {
      if (isDone) return;
      isDone = true;
      deadline.signal.removeEventListener('abort', onAbort);
      deadline.dispose();
      client.close();
      resolve({ status: result.status, output: boundOutput(result.output) });
    };
    const call = client.makeUnaryRequest<string, number>(
      '/grpc.health.v1.Health/Check',
      encodeHealthCheckRequest,
      decodeHealthCheckResponse,
      target.service,
      new Metadata(),
      { deadline: Date.now() + Math.max(1, definition.timeoutMs) },
      (error: ServiceError | null, answer?: number) => {
        if (error) {
          const why =
            deadline.signal.aborted || error.code === grpcStatus.DEADLINE_EXCEEDED
              ? abortedText(deadline, definition.timeoutMs)
              : `${grpcStatus[error.code]}: ${error.details}`;
          finish({ status: 'critical', output: `${prefix}: failed: ${why}` });
          return;
        }
        const name = servingStatusNames[answer ?? 0] ?? `status ${answer ?? 0}`;
        finish(
          answer === servingStatus
            ? { status: 'passing', output: `${prefix}: success` }
            : { status: 'critical', output: `${prefix}: failed with status ${name}` },
        );
      },
    );
    const onAbort = () => {
      call.cancel();
      finish({ status: 'critical', output: `${prefix}: failed: ${abortedText(deadline, definition.timeoutMs)}` });
    };
    if (deadline.signal.aborted) onAbort();
    else deadline.signal.addEventListener('abort', onAbort, { once: true });
  });
}
