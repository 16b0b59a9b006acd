/** Fills a provider's `{{app}}`, `{{environment}}`, `{{release}}` and `{{stableRelease}}` placeholders. */
import type { MetricQueryVars } from '@slipway/core';

/**
 * `text` with each known placeholder replaced by `encode(value)`; `{{stableRelease}}` is empty on a first deploy.
 * Unknown placeholders are left as they are.
 */
export function fillPlaceholders(text: string, vars: MetricQueryVars, encode: (value: string) => string): string {
  const values: Record<string, string> = {
    app: vars.app,
    environment: vars.environment,
    release: String(vars.release),
    stableRelease: vars.stableRelease === null ? '' : String(vars.stableRelease),
  };
  return text.replace(/\{\{\s*(app|environment|release|stableRelease)\s*\}\}/g, (_match, name: string) =>
    encode(values[name] ?? ''),
  );
}

/** A value inside a PromQL double-quoted string (`{app="{{app}}"}`): backslashes and quotes escaped. */
export function promqlStringValue(value: string): string {
  return value.replace(/[\\"]/g, (c) => `\\${c}`).replace(/\n/g, '\\n');
}
