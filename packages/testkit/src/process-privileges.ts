/** Reads what a program in a container may do: its no-new-privileges flag and its capability sets, by name. */
import { nodeCommand, runForeverScript } from './container-runtime-programs.js';

/** A node program that prints its own `NoNewPrivs`, `CapBnd` and `CapEff` lines of /proc/self/status, then waits. */
export const printPrivilegesCommand = nodeCommand(
  "for (const line of require('fs').readFileSync('/proc/self/status', 'utf8').split('\\n')) " +
    "if (/^(NoNewPrivs|CapBnd|CapEff):/.test(line)) console.log(line.replace(/\\s+/g, ' '));" +
    runForeverScript,
);

/** Linux capability numbers (include/uapi/linux/capability.h), up to those any current kernel has. */
const capabilityNumbers = [
  'CHOWN',
  'DAC_OVERRIDE',
  'DAC_READ_SEARCH',
  'FOWNER',
  'FSETID',
  'KILL',
  'SETGID',
  'SETUID',
  'SETPCAP',
  'LINUX_IMMUTABLE',
  'NET_BIND_SERVICE',
  'NET_BROADCAST',
  'NET_ADMIN',
  'NET_RAW',
  'IPC_LOCK',
  'IPC_OWNER',
  'SYS_MODULE',
  'SYS_RAWIO',
  'SYS_CHROOT',
  'SYS_PTRACE',
  'SYS_PACCT',
  'SYS_ADMIN',
  'SYS_BOOT',
  'SYS_NICE',
  'SYS_RESOURCE',
  'SYS_TIME',
  'SYS_TTY_CONFIG',
  'MKNOD',
  'LEASE',
  'AUDIT_WRITE',
  'AUDIT_CONTROL',
  'SETFCAP',
  'MAC_OVERRIDE',
  'MAC_ADMIN',
  'SYSLOG',
  'WAKE_ALARM',
  'BLOCK_SUSPEND',
  'AUDIT_READ',
  'PERFMON',
  'BPF',
  'CHECKPOINT_RESTORE',
];

export interface ProcessPrivileges {
  noNewPrivs: boolean;
  /** The bounding set: what the process and its children could ever hold, sorted by name. */
  bounding: string[];
  effective: string[];
}

/** Parses the lines `printPrivilegesCommand` printed; undefined until all three are there. */
export function parsePrivileges(lines: readonly string[]): ProcessPrivileges | undefined {
  const field = (name: string): string | undefined =>
    lines
      .find((line) => line.startsWith(`${name}: `))
      ?.slice(name.length + 2)
      .trim();
  const noNewPrivs = field('NoNewPrivs');
  const bounding = field('CapBnd');
  const effective = field('CapEff');
  if (noNewPrivs === undefined || bounding === undefined || effective === undefined) return undefined;
  return { noNewPrivs: noNewPrivs === '1', bounding: capabilityNames(bounding), effective: capabilityNames(effective) };
}

function capabilityNames(maskHex: string): string[] {
  const mask = BigInt(`0x${maskHex}`);
  return capabilityNumbers.filter((_, bit) => (mask >> BigInt(bit)) & 1n).sort();
}
