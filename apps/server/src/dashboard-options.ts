/** slipwayd's options for the web dashboard it serves at `/` (docs/dashboard.md); every member has its default. */
import { z } from 'zod';
import { numberOf, option } from './config-option.js';

export const dashboardOptions = {
  /**
   * The folder of the dashboard's built assets (`index.html` and `assets/`); empty: the dashboard built beside
   * slipwayd (`apps/web/dist`, made by `npm run build` and by `npm start`).
   */
  webDir: option({
    schema: z.string(),
    default: '',
    inputs: [
      {
        flag: 'web-dir',
        env: 'SLIPWAY_WEB_DIR',
        argument: 'DIR',
        help: 'folder of the web dashboard assets served at / (default: the dashboard built with slipwayd)',
      },
    ],
  }),
  /**
   * Between two heartbeats of a live stream (docs/live-updates.md); the dashboard counts a stream silent for two
   * heartbeats and a little more as dropped, and a proxy in front must let a quiet connection live longer than this.
   */
  liveHeartbeatMs: option({
    schema: z.number().int().min(500).max(300_000),
    default: 15_000,
    inputs: [
      {
        flag: 'live-heartbeat-ms',
        env: 'SLIPWAY_LIVE_HEARTBEAT_MS',
        argument: 'MS',
        help: 'between two heartbeats of a live event stream (default 15000)',
      },
    ],
    read: numberOf('live-heartbeat-ms'),
  }),
};
