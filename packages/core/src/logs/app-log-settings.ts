/** An app's log retention override: read with what applies, and set (null members go back to slipwayd's default). */
import type { LogSettingsBody, LogSettingsView } from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import { getApp } from '../use-cases/lookups.js';
import { appRetention, defaultLogSettings } from './log-settings.js';

type SettingsDeps = Pick<CoreDeps, 'store' | 'clock' | 'logs'>;

/** Errors: `APP_NOT_FOUND`. */
export async function getAppLogSettings(deps: SettingsDeps, appName: string): Promise<LogSettingsView> {
  const app = await getApp(deps.store, appName);
  const override = await deps.store.logSettings.find(app.id);
  return {
    override: { retentionMs: override?.retentionMs ?? null, maxBytes: override?.maxBytes ?? null },
    effective: await appRetention(deps.store, deps.logs?.settings ?? defaultLogSettings, app.id),
  };
}

/** Errors: `APP_NOT_FOUND`. Idempotent. */
export async function setAppLogSettings(
  deps: SettingsDeps,
  appName: string,
  body: LogSettingsBody,
): Promise<LogSettingsView> {
  const app = await getApp(deps.store, appName);
  await deps.store.logSettings.put({ appId: app.id, ...body, updatedAtMs: deps.clock.nowMs() });
  return getAppLogSettings(deps, appName);
}
