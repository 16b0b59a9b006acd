/** The catalog's TCP check (Consul's): a connection accepted within the timeout is passing, anything else critical. */
import { connect } from 'node:net';
import type { CheckRunResult, RunnableCheckDefinition } from '@slipway/core';
import { abortedText, boundOutput, createRunDeadline, describeError, parseHostPort } from './check-output.js';

type TcpCheckDefinition = Extract<RunnableCheckDefinition, { type: 'tcp' }>;

export function runTcpCheck(definition: TcpCheckDefinition, signal?: AbortSignal): Promise<CheckRunResult> {
  const target = parseHostPort(definition.address);
  const prefix = `TCP connect ${definition.address}`;
  if (!target) return Promise.resolve({ status: 'critical', output: boundOutput(`${prefix}: invalid address`) });
  const deadline = createRunDeadline(definition.timeoutMs, signal);
  return new Promise((resolve) => {
    const socket = connect({ host: target.host, port: target.port });
    const finish = (result: CheckRunResult) => {
      deadline.signal.removeEventListener('abort', onAbort);
      deadline.dispose();
      socket.destroy();
      resolve({ status: result.status, output: boundOutput(result.output) });
    };
    const onAbort = () =>
      finish({ status: 'critical', output: `${prefix}: ${abortedText(deadline, definition.timeoutMs)}` });
    if (deadline.signal.aborted) {
      onAbort();
      return;
    }
    deadline.signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => finish({ status: 'passing', output: `${prefix}: Success` }));
    socket.once('error', (error) => finish({ status: 'critical', output: `${prefix}: ${describeError(error)}` }));
  });
}
