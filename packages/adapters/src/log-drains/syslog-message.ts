/**
 * One persisted log line as an RFC 5424 syslog message, framed by octet counting (RFC 6587 §3.4.1, the framing RFC
 * 5425 §4.3 mandates over TLS): `LEN SP <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [SD] MSG`.
 */
import type { DrainedLogLine } from '@slipway/core';

/** Facility 1, user-level messages (RFC 5424 §6.2.1). */
const facilityUser = 1;
/** stdout is informational (6), stderr an error (3). */
const severityOf = { stdout: 6, stderr: 3 } as const;

/**
 * The SD-ID of Slipway's structured data. 32473 is the private enterprise number IANA reserves for documentation and
 * examples (RFC 5612): Slipway has none of its own.
 */
export const slipwaySdId = 'slipway@32473';

/** RFC 5424 §6: header fields are printable US-ASCII (33–126) of bounded length, `-` (NILVALUE) when empty. */
function headerField(value: string | undefined, maxLength: number): string {
  if (value === undefined || value === '') return '-';
  const printable = value.replace(/[^\x21-\x7e]/gu, '_').slice(0, maxLength);
  return printable === '' ? '-' : printable;
}

/** RFC 5424 §6.3.3: inside a PARAM-VALUE, `"`, `\` and `]` are escaped with a backslash. */
const paramValue = (value: string): string => value.replace(/["\\\]]/gu, (char) => `\\${char}`);

function structuredData(line: DrainedLogLine): string {
  const params: [string, string | undefined][] = [
    ['seq', String(line.id)],
    ['project', line.project],
    ['environment', line.environment],
    ['source', line.source],
    ['process', line.process],
    ['release', line.releaseId],
    ['deployment', line.deploymentId],
  ];
  const body = params
    .filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== '')
    .map(([name, value]) => `${name}="${paramValue(value)}"`)
    .join(' ');
  return `[${slipwaySdId} ${body}]`;
}

/** The RFC 5424 message (no framing). `hostname` names the machine slipwayd runs on. */
export function formatSyslogMessage(line: DrainedLogLine, hostname: string): string {
  const pri = facilityUser * 8 + severityOf[line.stream];
  const timestamp = new Date(line.atMs).toISOString();
  return [
    `<${pri}>1`,
    timestamp,
    headerField(hostname, 255),
    headerField(line.app, 48),
    headerField(line.instanceId, 128),
    headerField(line.stream, 32),
    structuredData(line),
    // MSG: the line as the app printed it, UTF-8 (no BOM: receivers show it as a stray character more often than not).
    line.line,
  ].join(' ');
}

/** Octet-counting framing: the message's length in bytes, a space, the message (RFC 6587 §3.4.1). */
export function frameSyslogMessage(message: string): Buffer {
  const body = Buffer.from(message, 'utf8');
  return Buffer.concat([Buffer.from(`${body.length} `, 'ascii'), body]);
}

/** The batch as one buffer of framed messages, oldest first. */
export function syslogFrames(lines: readonly DrainedLogLine[], hostname: string): Buffer {
  return Buffer.concat(lines.map((line) => frameSyslogMessage(formatSyslogMessage(line, hostname))));
}
