/** A logger that drops everything: for tests whose subject logs but whose assertions are not about the log. */
import type { Logger } from '@slipway/core';

export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};
