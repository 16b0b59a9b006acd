/** slipwayd's options for the web dashboard it serves at `/` (docs/dashboard.md); every member has its default. */
import { z } from 'zod';
import { option } from './config-option.js';

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
};
