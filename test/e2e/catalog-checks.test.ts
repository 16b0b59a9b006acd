/**
 * Interval checks end to end, against a real slipwayd with script checks on: a service registered through the agent
 * API with HTTP, TCP, gRPC and script checks against real servers in this test, each check's status following what
 * its server answers (asserted on states reached, never on how long they took).
 */
import { once } from 'node:events';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server as GrpcServer, ServerCredentials, type ServerUnaryCall, type sendUnaryData } from '@grpc/grpc-js';
import { waitFor } from '@slipway/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlipwaydHarness } from './slipwayd-harness.js';

interface HealthCheck {
  CheckID: string;
  Status: string;
  Output: string;
  Type: string;
}

/** `grpc.health.v1` by hand: a request's field 1 is the service name, an answer's field 1 the serving status. */
const healthService = {
  Check: {
    path: '/grpc.health.v1.Health/Check',
    requestStream: false,
    responseStream: false,
    requestSerialize: (request: { service: string }) =>
      Buffer.concat([Buffer.from([0x0a, request.service.length]), Buffer.from(request.service)]),
    requestDeserialize: (bytes: Buffer) => ({ service: bytes.length > 2 ? bytes.subarray(2).toString() : '' }),
    responseSerialize: (status: number) => Buffer.from([0x08, status]),
    responseDeserialize: (bytes: Buffer) => bytes[1] ?? 0,
  },
};

describe('interval checks in slipwayd', () => {
  let slipwayd: SlipwaydHarness;
  let http: HttpServer;
  let grpc: GrpcServer;
  let httpPort: number;
  let grpcPort: number;
  let httpStatus = 200;
  let servingStatus = 1;

  beforeAll(async () => {
    http = createHttpServer((_req, res) => res.writeHead(httpStatus).end(`status ${httpStatus}`));
    http.listen(0, '127.0.0.1');
    await once(http, 'listening');
    httpPort = (http.address() as AddressInfo).port;
    grpc = new GrpcServer();
    grpc.addService(healthService, {
      Check: (_call: ServerUnaryCall<{ service: string }, number>, callback: sendUnaryData<number>) =>
        callback(null, servingStatus),
    });
    grpcPort = await new Promise<number>((resolve, reject) =>
      grpc.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, port) =>
        error ? reject(error) : resolve(port),
      ),
    );
    slipwayd = await SlipwaydHarness.create();
    await slipwayd.start({ args: ['--enable-script-checks'] });
  });

  afterAll(async () => {
    await slipwayd.destroy();
    grpc.forceShutdown();
    http.closeAllConnections();
    await new Promise((resolve) => http.close(resolve));
  });

  const catalog = async (method: string, path: string, body?: unknown): Promise<Response> => {
    const token = await slipwayd.adminToken();
    return fetch(`http://127.0.0.1:${slipwayd.catalogPort}${path}`, {
      method,
      headers: token === undefined ? {} : { 'x-consul-token': token },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(30_000),
    });
  };
  const statuses = async (): Promise<Record<string, string>> => {
    const response = await catalog('GET', '/v1/health/checks/probed');
    expect(response.status).toBe(200);
    const checks = (await response.json()) as HealthCheck[];
    return Object.fromEntries(checks.map((check) => [check.CheckID, check.Status]));
  };

  it('runs HTTP, TCP, gRPC and script checks and follows what their servers answer', async () => {
    const registered = await catalog('PUT', '/v1/agent/service/register', {
      Name: 'probed',
      Port: httpPort,
      Checks: [
        { CheckID: 'probed-http', Name: 'http', HTTP: `http://127.0.0.1:${httpPort}/health`, Interval: '1s' },
        { CheckID: 'probed-tcp', Name: 'tcp', TCP: `127.0.0.1:${httpPort}`, Interval: '1s' },
        { CheckID: 'probed-grpc', Name: 'grpc', GRPC: `127.0.0.1:${grpcPort}/probed`, Interval: '1s' },
        { CheckID: 'probed-script', Name: 'script', Args: ['sh', '-c', 'echo degraded; exit 1'], Interval: '1s' },
      ],
    });
    expect(registered.status, await registered.clone().text()).toBe(200);

    await waitFor(
      async () =>
        expect(await statuses()).toEqual({
          'probed-http': 'passing',
          'probed-tcp': 'passing',
          'probed-grpc': 'passing',
          'probed-script': 'warning',
        }),
      { timeoutMs: 30_000 },
    );
    const checks = (await (await catalog('GET', '/v1/health/checks/probed')).json()) as HealthCheck[];
    expect(checks.find((check) => check.CheckID === 'probed-http')?.Output).toBe(
      `HTTP GET http://127.0.0.1:${httpPort}/health: 200 OK Output: status 200`,
    );
    expect(checks.find((check) => check.CheckID === 'probed-script')?.Output).toBe('degraded\n');

    httpStatus = 503;
    servingStatus = 2;
    await waitFor(
      async () => expect(await statuses()).toMatchObject({ 'probed-http': 'critical', 'probed-grpc': 'critical' }),
      { timeoutMs: 30_000 },
    );
    const passing = await catalog('GET', '/v1/health/service/probed?passing');
    expect(await passing.json()).toEqual([]);

    httpStatus = 200;
    servingStatus = 1;
    await waitFor(
      async () => expect(await statuses()).toMatchObject({ 'probed-http': 'passing', 'probed-grpc': 'passing' }),
      { timeoutMs: 30_000 },
    );
  });

  it('removes the checks with their service', async () => {
    expect((await catalog('PUT', '/v1/agent/service/deregister/probed')).status).toBe(200);
    expect(await statuses()).toEqual({});
  });
});
