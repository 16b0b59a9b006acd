/** Validates a request part with a contract schema, turning zod issues into one `VALIDATION_FAILED` with paths. */
import type { z } from 'zod';
import { SlipwayError } from '@slipway/contract';

export function validate<S extends z.ZodType>(
  schema: S,
  value: unknown,
  where: 'body' | 'query' | 'params',
): z.output<S> {
  const parsed = schema.safeParse(value ?? (where === 'body' ? undefined : {}));
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => ({
    path: [where, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
  throw new SlipwayError(
    'VALIDATION_FAILED',
    `invalid ${where}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
    {
      details: { issues },
    },
  );
}
