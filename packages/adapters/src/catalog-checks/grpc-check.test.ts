import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Server,
  ServerCredentials,
  status as grpcStatus,
  type sendUnaryData,
  type ServerUnaryCall,
  type ServiceDefinition,
} from '@grpc/grpc-js';
import type { RunnableCheckDefinition } from '@slipway/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureSelfSignedCertificate } from '../tls/tls-certificate.js';
import { createCatalogCheckRunner } from './catalog-check-runner.js';
import {
  decodeHealthCheckRequest,
  decodeHealthCheckResponse,
  encodeHealthCheckRequest,
  encodeHealthCheckResponse,
  parseGrpcTarget,
} from './grpc-check.js';

const runner = createCatalogCheckRunner();

/** `grpc.health.v1.Health`, as a real server registers it. */
const healthService: ServiceDefinition = {
  Check: {
    path: '/grpc.health.v1.Health/Check',
    requestStream: false,
    responseStream: false,
    requestSerialize: (request: { service: string }) => encodeHealthCheckRequest(request.service),
    // An object, never the bare name: grpc-js takes a falsy request (the empty name) for none at all.
    requestDeserialize: (bytes: Buffer) => ({ service: decodeHealthCheckRequest(bytes) }),
    responseSerialize: encodeHealthCheckResponse,
    responseDeserialize: decodeHealthCheckResponse,
  },
};

/** The standard health server's table: a service it does not know answers NOT_FOUND. */
const statuses = new Map<string, number>([
  ['', 1],
  ['web', 1],
  ['draining', 2],
]);
const asked: string[] = [];

function check(call: ServerUnaryCall<{ service: string }, number>, callback: sendUnaryData<number>): void {
  const { service } = call.request;
  asked.push(service);
  if (service === 'hang') return;
  const status = statuses.get(service);
  if (status === undefined) callback({ code: grpcStatus.NOT_FOUND, details: 'unknown service' });
  else callback(null, status);
}

async function startServer(credentials: ServerCredentials): Promise<{ server: Server; port: number }> {
  const server = new Server();
  server.addService(healthService, { Check: check });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', credentials, (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return { server, port };
}

let plain: { server: Server; port: number };
let secure: { server: Server; port: number };
let certDir: string;

beforeAll(async () => {
  plain = await startServer(ServerCredentials.createInsecure());
  certDir = await mkdtemp(join(tmpdir(), 'slipway-grpc-check-'));
  const certificate = await ensureSelfSignedCertificate(certDir);
  secure = await startServer(
    ServerCredentials.createSsl(null, [
      { private_key: Buffer.from(certificate.key), cert_chain: Buffer.from(certificate.cert) },
    ]),
  );
});

afterAll(async () => {
  plain.server.forceShutdown();
  secure.server.forceShutdown();
  await rm(certDir, { recursive: true, force: true });
});

const grpc = (
  target: string,
  extra: Partial<Extract<RunnableCheckDefinition, { type: 'grpc' }>> = {},
): RunnableCheckDefinition => ({
  type: 'grpc',
  target,
  useTls: false,
  tlsSkipVerify: false,
  intervalMs: 10_000,
  timeoutMs: 5_000,
  ...extra,
});

describe('gRPC catalog check', () => {
  it('is passing when the server, or the named service, is SERVING', async () => {
    asked.length = 0;
    const target = `127.0.0.1:${plain.port}`;
    await expect(runner.run(grpc(target))).resolves.toEqual({
      status: 'passing',
      output: `gRPC check ${target}: success`,
    });
    await expect(runner.run(grpc(`${target}/web`))).resolves.toEqual({
      status: 'passing',
      output: `gRPC check ${target}/web: success`,
    });
    expect(asked).toEqual(['', 'web']);
  });

  it('is critical for NOT_SERVING and for a service the server does not know', async () => {
    const target = `127.0.0.1:${plain.port}`;
    await expect(runner.run(grpc(`${target}/draining`))).resolves.toEqual({
      status: 'critical',
      output: `gRPC check ${target}/draining: failed with status NOT_SERVING`,
    });
    await expect(runner.run(grpc(`${target}/other`))).resolves.toEqual({
      status: 'critical',
      output: `gRPC check ${target}/other: failed: NOT_FOUND: unknown service`,
    });
  });

  it('is critical at its timeout', async () => {
    const target = `127.0.0.1:${plain.port}/hang`;
    await expect(runner.run(grpc(target, { timeoutMs: 300 }))).resolves.toEqual({
      status: 'critical',
      output: `gRPC check ${target}: failed: timeout after 300 ms`,
    });
  });

  it('is critical when nothing listens, and for a target that is not host:port', async () => {
    const stopped = await startServer(ServerCredentials.createInsecure());
    stopped.server.forceShutdown();
    const result = await runner.run(grpc(`127.0.0.1:${stopped.port}`));
    expect(result.status).toBe('critical');
    expect(result.output).toMatch(new RegExp(`^gRPC check 127\\.0\\.0\\.1:${stopped.port}: failed: UNAVAILABLE`));
    await expect(runner.run(grpc('nowhere'))).resolves.toEqual({
      status: 'critical',
      output: 'gRPC check nowhere: invalid target',
    });
  });

  it('speaks TLS when told to, verifying the certificate unless told to skip the verification', async () => {
    const target = `127.0.0.1:${secure.port}`;
    await expect(runner.run(grpc(target, { useTls: true, tlsSkipVerify: true }))).resolves.toEqual({
      status: 'passing',
      output: `gRPC check ${target}: success`,
    });
    expect((await runner.run(grpc(target, { useTls: true }))).status).toBe('critical');
    expect((await runner.run(grpc(target, { timeoutMs: 2_000 }))).status).toBe('critical');
  });

  it('answers at once, critical, when its run is cancelled', async () => {
    const controller = new AbortController();
    const target = `127.0.0.1:${plain.port}/hang`;
    const running = runner.run(grpc(target, { timeoutMs: 60_000 }), controller.signal);
    controller.abort();
    await expect(running).resolves.toEqual({
      status: 'critical',
      output: `gRPC check ${target}: failed: check cancelled`,
    });
  });

  it('reads a health answer with fields it does not know, and splits targets', () => {
    const withExtra = Buffer.concat([Buffer.from([0x12, 0x02, 0x68, 0x69]), encodeHealthCheckResponse(2)]);
    expect(decodeHealthCheckResponse(withExtra)).toBe(2);
    expect(decodeHealthCheckResponse(Buffer.alloc(0))).toBe(0);
    expect(() => decodeHealthCheckResponse(Buffer.from([0x08]))).toThrow('truncated');
    expect(decodeHealthCheckRequest(encodeHealthCheckRequest('a.b/c'))).toBe('a.b/c');
    expect(parseGrpcTarget('[::1]:50051/pkg.Svc')).toEqual({ address: '[::1]:50051', service: 'pkg.Svc' });
  });
});
