/** The log drains' sender: syslog (TCP, TLS) or HTTP(S) by the drain's kind. */
import type { LogDrainSender } from '@slipway/core';
import { sendHttpBatch } from './http-drain-sender.js';
import { sendSyslogBatch } from './syslog-drain-sender.js';

/** `hostname`: the HOSTNAME of syslog messages (slipwayd's node name). */
export function createLogDrainSender(options: { hostname: string }): LogDrainSender {
  return {
    send: (destination, lines, signal) =>
      destination.kind === 'syslog'
        ? sendSyslogBatch(destination, lines, options.hostname, signal)
        : sendHttpBatch(destination, lines, signal),
  };
}
