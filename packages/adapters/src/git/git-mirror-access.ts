/**
 * How one git command reaches a repository with its credential, without the credential on a command line, in a
 * URL, a config file or a log line: a token becomes an `Authorization` header given through git's `GIT_CONFIG_*`
 * environment, a deploy key a file readable by this user alone that lives only as long as the command.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SlipwayError } from '@slipway/contract';
import type { GitRemote } from '@slipway/core';

export interface GitMirrorAccess {
  /** Variables to add to the command's environment. */
  readonly env: Record<string, string>;
  /** Replaces every credential (and its encodings) in a line with `***`. */
  readonly redact: (text: string) => string;
  /** Removes the key file, if any. Idempotent. */
  dispose(): Promise<void>;
}

/** Variables that would point git at another repository than the one named (e.g. when slipwayd runs inside a hook). */
const repositoryVariables =
  /^GIT_(DIR|WORK_TREE|INDEX_FILE|OBJECT_DIRECTORY|ALTERNATE_OBJECT_DIRECTORIES|COMMON_DIR|NAMESPACE|CEILING_DIRECTORIES|PREFIX|QUARANTINE_PATH|SSH|SSH_COMMAND|ASKPASS|CONFIG_COUNT)$|^SSH_ASKPASS$|^SSH_AUTH_SOCK$/;

/** The host's environment fit for a git command nobody can answer a prompt of, with English messages. */
export function baseGitEnv(hostEnv: NodeJS.ProcessEnv): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(hostEnv)) {
    if (value !== undefined && !repositoryVariables.test(key) && !key.startsWith('GIT_CONFIG_')) env[key] = value;
  }
  return {
    ...env,
    GIT_TERMINAL_PROMPT: '0',
    GIT_ALLOW_PROTOCOL: 'file:git:http:https:ssh',
    GIT_CONFIG_NOSYSTEM: '1',
    LC_ALL: 'C',
  };
}

const shellQuote = (path: string): string => {
  if (path.includes("'")) throw new SlipwayError('INTERNAL', 'the mirror directory holds a quote');
  return `'${path}'`;
};

/**
 * Access to `remote` for one command. `keyDir` is a private directory (0700) under which a deploy key's file is
 * written; `knownHostsFile` keeps the host keys the repository's host showed first (trust on first use).
 */
export async function openGitMirrorAccess(
  remote: GitRemote,
  paths: { keyDir: string; knownHostsFile: string; connectTimeoutS: number },
): Promise<GitMirrorAccess> {
  const credential = remote.credential;
  if (credential === undefined) return { env: {}, redact: (text) => text, dispose: async () => {} };
  if (credential.kind === 'token') {
    if (!/^https?:\/\//i.test(remote.url)) {
      throw new SlipwayError('SOURCE_INVALID', 'a token authenticates over http(s) only', {
        details: { repository: remote.repositoryId },
      });
    }
    const basic = Buffer.from(`${credential.username}:${credential.token}`).toString('base64');
    const secrets = [basic, credential.token, encodeURIComponent(credential.token)].filter((s) => s.length > 0);
    return {
      env: {
        GIT_CONFIG_COUNT: '1',
        GIT_CONFIG_KEY_0: `http.${new URL(remote.url).origin}/.extraHeader`,
        GIT_CONFIG_VALUE_0: `Authorization: Basic ${basic}`,
      },
      redact: (text) => secrets.reduce((shown, secret) => shown.replaceAll(secret, '***'), text),
      dispose: async () => {},
    };
  }
  const dir = await mkdtemp(join(paths.keyDir, 'key-'));
  const keyFile = join(dir, 'id_ed25519');
  await writeFile(keyFile, credential.privateKey, { mode: 0o600 });
  const keyLines = credential.privateKey
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length >= 16 && !line.startsWith('-----'));
  const command = [
    'ssh',
    '-F',
    '/dev/null',
    '-i',
    shellQuote(keyFile),
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    'IdentityAgent=none',
    '-o',
    'BatchMode=yes',
    '-o',
    'StrictHostKeyChecking=accept-new',
    '-o',
    `UserKnownHostsFile=${shellQuote(paths.knownHostsFile)}`,
    '-o',
    `ConnectTimeout=${paths.connectTimeoutS}`,
    '-o',
    'ServerAliveInterval=15',
    '-o',
    'ServerAliveCountMax=4',
  ].join(' ');
  return {
    env: { GIT_SSH_COMMAND: command, GIT_SSH_VARIANT: 'ssh' },
    redact: (text) =>
      keyLines.reduce((shown, line) => shown.replaceAll(line, '***'), text).replaceAll(keyFile, '<deploy key>'),
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Text as shown: secrets masked, and a remote with a label shown by it, also where git leaves its `.git` out. */
export function labelRedactor(
  remote: GitRemote | undefined,
  secretless: (text: string) => string,
): (text: string) => string {
  const label = remote?.label;
  if (remote === undefined || label === undefined) return secretless;
  const bareUrl = remote.url.replace(/\.git\/?$/, '');
  const bareLabel = label.replace(/\.git$/, '');
  return (text) => secretless(text).replaceAll(remote.url, label).replaceAll(bareUrl, bareLabel);
}

/**
 * What git prints when the host refuses the credentials (HTTP 401/403 with prompts off, a key not authorized), in
 * any of its output lines: ssh's `Permission denied (publickey)` comes before git's own three lines of complaint.
 */
const credentialsRefusedPattern =
  /could not read Username|Authentication failed|Permission denied \(publickey|terminal prompts disabled|returned error: 40[13]|Invalid username or password/i;

/**
 * What to do when the host refused a command's credentials, by the kind of credential it was given; '' when git said
 * nothing of the kind (or the repository is one slipwayd serves itself, shown by its label).
 */
export function refusalHint(remote: GitRemote | undefined, output: string): string {
  if (remote === undefined || remote.label !== undefined || !credentialsRefusedPattern.test(output)) return '';
  const replace = ' — the host refused the credentials: replace them with `slipway repos credentials <repository>`';
  switch (remote.credential?.kind) {
    case 'ssh-key':
      return `${replace}, or check that the deploy key \`slipway repos show\` prints is added on the host with read access to this repository`;
    case 'token':
      return `${replace}, or check that the token is valid and may read this repository`;
    case undefined:
      return `${replace}: a repository without credentials must be public`;
  }
}
