/** The roles' schema; the roles and their order are in `role-rank.ts`. */
import { z } from 'zod';
import { roles } from './role-rank.js';

export * from './role-rank.js';
export const roleSchema = z.enum(roles);
