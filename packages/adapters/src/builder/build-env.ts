/** The environment a build command sees: a few host variables it cannot work without, then the app's build-time config. */
import { dirname } from 'node:path';

/**
 * Host variables passed through. Everything else of the control plane's environment (database URLs, keys, npm's own
 * lifecycle variables when started via `npm start`) stays out of user build scripts.
 */
const passedThrough =
  /^(PATH|HOME|USER|LOGNAME|SHELL|TMPDIR|TMP|TEMP|LANG|LANGUAGE|TZ|LC_[A-Z]+|SSL_CERT_FILE|SSL_CERT_DIR|NODE_EXTRA_CA_CERTS|(HTTPS?|NO|ALL)_PROXY|(https?|no|all)_proxy|npm_config_(registry|cache|userconfig|cafile|strict_ssl|nodedir|prefer_offline|offline)|PIP_[A-Z_]+)$/;

const fallbackPath = '/usr/local/bin:/usr/bin:/bin';

export function buildEnv(
  hostEnv: Readonly<Record<string, string | undefined>>,
  appEnv: Readonly<Record<string, string>>,
  nodePath: string,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(hostEnv)) {
    if (value !== undefined && passedThrough.test(key)) env[key] = value;
  }
  Object.assign(env, appEnv);
  // The node that runs Slipway (and the npm beside it) comes first, so `node` in build scripts is a known version.
  env['PATH'] = `${dirname(nodePath)}:${env['PATH'] ?? fallbackPath}`;
  env['npm_config_update_notifier'] = 'false';
  env['PIP_DISABLE_PIP_VERSION_CHECK'] = '1';
  return env;
}
