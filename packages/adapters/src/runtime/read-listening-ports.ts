/**
 * The TCP ports a process group listens on, from Linux's /proc: the socket inodes its members hold open
 * (`/proc/<pid>/fd/* -> socket:[inode]`), matched against the listening sockets of their network namespace
 * (`/proc/<pid>/net/tcp` and `tcp6`, state `0A`).
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { findProcessGroupMembers } from './read-proc-stat.js';

/** `st` of a listening socket in /proc/net/tcp (include/net/tcp_states.h: TCP_LISTEN). */
const listenState = '0A';

/**
 * Ports the group led by `pid` (started at `startTicks`) listens on, ascending; undefined when none of its members can
 * be read (gone, or another user's without the right to look).
 */
export function readListeningPorts(pid: number, startTicks: number): number[] | undefined {
  const members = findProcessGroupMembers(pid, startTicks);
  const ports = new Set<number>();
  let isReadable = false;
  for (const member of members) {
    const inodes = socketInodes(member);
    if (inodes === undefined) continue;
    isReadable = true;
    if (inodes.size === 0) continue;
    for (const table of ['tcp', 'tcp6']) {
      for (const socket of listeningSockets(member, table)) if (inodes.has(socket.inode)) ports.add(socket.port);
    }
  }
  return isReadable ? [...ports].sort((a, b) => a - b) : undefined;
}

function socketInodes(pid: number): Set<string> | undefined {
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return undefined;
  }
  const inodes = new Set<string>();
  for (const fd of fds) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match?.[1] !== undefined) inodes.add(match[1]);
    } catch {
      // Closed between the listing and the read.
    }
  }
  return inodes;
}

/** Parses `/proc/<pid>/net/<table>`: `sl local_address rem_address st … uid timeout inode`. */
export function parseListeningSockets(text: string): { port: number; inode: string }[] {
  const sockets: { port: number; inode: string }[] = [];
  for (const line of text.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    const local = fields[1];
    if (local === undefined || fields[3] !== listenState || fields[9] === undefined) continue;
    const portHex = local.slice(local.lastIndexOf(':') + 1);
    sockets.push({ port: Number.parseInt(portHex, 16), inode: fields[9] });
  }
  return sockets;
}

function listeningSockets(pid: number, table: string): { port: number; inode: string }[] {
  try {
    return parseListeningSockets(readFileSync(`/proc/${pid}/net/${table}`, 'utf8'));
  } catch {
    return [];
  }
}
