/**
 * The kernel capabilities an app's container keeps (Docker and Swarm alike): every other one is dropped, and with
 * no-new-privileges no setuid binary in the image can win any back.
 */

/**
 * What ordinary images need of the engine's default set: root-started entrypoints that chown their data and switch to
 * their own user (gosu, su-exec), signal their children, and bind a port below 1024. Dropped from that default set:
 * NET_RAW (forged packets, ARP spoofing on the bridge), MKNOD (device nodes), AUDIT_WRITE, SETFCAP and SETPCAP
 * (granting capabilities to files or processes) and SYS_CHROOT.
 */
export const keptCapabilities: readonly string[] = [
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'SETGID',
  'SETUID',
  'NET_BIND_SERVICE',
];
