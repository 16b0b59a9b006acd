/**
 * A git host's API stand-in on 127.0.0.1: records every request (method, path, headers, parsed JSON body) and
 * answers through a handler the test gives, so provider clients are tested over a real socket against the shapes
 * they must send. It can also hold requests unanswered (deadlines) or fail the next ones (retries).
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedApiRequest {
  readonly method: string;
  /** Path and query as sent. */
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** The body parsed as JSON; undefined when empty. */
  readonly json: unknown;
}

export interface ApiAnswer {
  readonly status: number;
  readonly json?: unknown;
}

export interface ProviderApiRecorder {
  /** The base URL (`http://127.0.0.1:<port>`); mount the provider's API prefix after it. */
  readonly url: string;
  readonly requests: RecordedApiRequest[];
  /** Answers of the next requests, before the handler is asked (a 503 to test a retry). */
  readonly queued: ApiAnswer[];
  /** When set, requests are held without an answer (to test the deadline). */
  isHanging: boolean;
  close(): Promise<void>;
}

export async function startProviderApiRecorder(
  handler: (request: RecordedApiRequest) => ApiAnswer = () => ({ status: 200, json: {} }),
): Promise<ProviderApiRecorder> {
  const requests: RecordedApiRequest[] = [];
  const queued: ApiAnswer[] = [];
  const held: Array<() => void> = [];
  const state = { isHanging: false };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const recorded: RecordedApiRequest = {
        method: request.method ?? '',
        path: request.url ?? '',
        headers: request.headers,
        json: text === '' ? undefined : (JSON.parse(text) as unknown),
      };
      requests.push(recorded);
      if (state.isHanging) {
        held.push(() => response.destroy());
        return;
      }
      const answer = queued.shift() ?? handler(recorded);
      response.statusCode = answer.status;
      response.setHeader('content-type', 'application/json');
      response.end(answer.json === undefined ? '' : JSON.stringify(answer.json));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    queued,
    get isHanging() {
      return state.isHanging;
    },
    set isHanging(value: boolean) {
      state.isHanging = value;
    },
    async close() {
      for (const release of held) release();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
