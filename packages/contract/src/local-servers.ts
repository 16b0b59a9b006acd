/**
 * The local servers file, `$XDG_CONFIG_HOME/slipway/servers.json` (else `$HOME/.config/slipway/servers.json`): each
 * slipwayd registers there, at every start, the API URL the CLI reaches it at and its data dir, so the CLI of the
 * same user finds the admin token (and the self-signed certificate) from any directory. Pure: both sides do their own
 * I/O; an unreadable or malformed file counts as empty, since it only ever saves the user a flag.
 */
import { z } from 'zod';

export const localServerSchema = z.object({
  /** Where the CLI reaches the API: a wildcard listen address becomes the loopback one. */
  apiUrl: z.string(),
  /** Absolute path of the data dir (holds `admin-token`). */
  dataDir: z.string(),
  /** The slipwayd that registered it; dead once that process has gone. */
  pid: z.number().int(),
  startedAt: z.string(),
});

export type LocalServer = z.output<typeof localServerSchema>;

const localServersFileSchema = z.object({ version: z.literal(1), servers: z.array(localServerSchema) });

/** The file keeps at most this many servers, most recently started first. */
export const maxLocalServers = 20;

type Env = Readonly<Record<string, string | undefined>>;

/** `$XDG_CONFIG_HOME/slipway`, else `<home>/.config/slipway` (`$HOME` wins over `homeDir`). */
export function slipwayConfigDir(env: Env, homeDir: string): string {
  const xdg = env['XDG_CONFIG_HOME'];
  if (xdg !== undefined && xdg !== '') return `${xdg.replace(/\/+$/, '')}/slipway`;
  const home = env['HOME'];
  return `${(home !== undefined && home !== '' ? home : homeDir).replace(/\/+$/, '')}/.config/slipway`;
}

export const localServersFileName = 'servers.json';

export function parseLocalServers(text: string): LocalServer[] {
  try {
    const parsed = localServersFileSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data.servers : [];
  } catch {
    return [];
  }
}

export function formatLocalServers(servers: readonly LocalServer[]): string {
  return `${JSON.stringify({ version: 1, servers }, null, 2)}\n`;
}

/** The list with `server` first; an earlier entry for the same URL or the same data dir is replaced. */
export function withLocalServer(servers: readonly LocalServer[], server: LocalServer): LocalServer[] {
  const others = servers.filter((s) => s.apiUrl !== server.apiUrl && s.dataDir !== server.dataDir);
  return [server, ...others].slice(0, maxLocalServers);
}

const wildcardHosts: Readonly<Record<string, string>> = { '0.0.0.0': '127.0.0.1', '[::]': '[::1]' };
const isLoopbackHost = (host: string): boolean =>
  host === 'localhost' || host === '[::1]' || /^127(?:\.\d{1,3}){3}$/.test(host);

/** `http://0.0.0.0:7070` → `http://127.0.0.1:7070`: the URL a client on the same machine connects to. */
export function connectableUrl(listenUrl: string): string {
  try {
    const url = new URL(listenUrl);
    const loopback = wildcardHosts[url.hostname];
    if (loopback !== undefined) url.hostname = loopback;
    return url.href.replace(/\/+$/, '');
  } catch {
    return listenUrl;
  }
}

/**
 * The server registered for a loopback `apiUrl`: same scheme and port, any loopback host (`localhost`, `127.0.0.1`
 * and `::1` reach the same listener on a wildcard address). `undefined` for a URL that is not loopback.
 */
export function findLocalServer(servers: readonly LocalServer[], apiUrl: string): LocalServer | undefined {
  let wanted: URL;
  try {
    wanted = new URL(apiUrl);
  } catch {
    return undefined;
  }
  if (!isLoopbackHost(wanted.hostname)) return undefined;
  return servers.find((server) => {
    try {
      const url = new URL(server.apiUrl);
      return isLoopbackHost(url.hostname) && url.protocol === wanted.protocol && url.port === wanted.port;
    } catch {
      return false;
    }
  });
}
