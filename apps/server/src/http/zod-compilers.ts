/**
 * Zod as Fastify's schema language: the type provider that types a route's request from its zod schemas, the
 * validator compiler that parses each request part with them (defaults and coercions applied, one `VALIDATION_FAILED`
 * with every issue's path), and the serializer compiler for response schemas.
 */
import type { FastifySchemaCompiler, FastifySerializerCompiler, FastifyTypeProvider } from 'fastify';
import type { z } from 'zod';
import { SlipwayError } from '@slipway/contract';

/** Types `request.params`, `query` and `body` as the outputs of the route's zod schemas. */
export interface ZodTypeProvider extends FastifyTypeProvider {
  validator: this['schema'] extends z.ZodType ? z.output<this['schema']> : unknown;
  serializer: this['schema'] extends z.ZodType ? z.input<this['schema']> : unknown;
}

type RequestPart = 'body' | 'query' | 'params' | 'headers';

const partOf = (httpPart: string | undefined): RequestPart =>
  httpPart === 'querystring' ? 'query' : httpPart === 'params' || httpPart === 'headers' ? httpPart : 'body';

/** Zod's issues as one coded error: `invalid body: body.name: …; …`, with `details.issues` of `{ path, message }`. */
export function validationError(where: RequestPart, issues: readonly z.core.$ZodIssue[]): SlipwayError {
  const paths = issues.map((issue) => ({
    path: [where, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
  return new SlipwayError(
    'VALIDATION_FAILED',
    `invalid ${where}: ${paths.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
    { details: { issues: paths } },
  );
}

/**
 * Parses a request part with its zod schema; the request sees the parsed value. Fastify hands an absent part over as
 * `null`: an absent body is `undefined` to the schema (so an optional body may be left out), absent params or query `{}`.
 */
export const zodValidatorCompiler: FastifySchemaCompiler<z.ZodType> = ({ schema, httpPart }) => {
  const where = partOf(httpPart);
  return (data: unknown) => {
    const parsed = schema.safeParse(data ?? (where === 'body' ? undefined : {}));
    return parsed.success ? { value: parsed.data } : { error: validationError(where, parsed.error.issues) };
  };
};

/**
 * Response schemas document the answer (and type `reply.send`); the answer is written as the handler built it, so a
 * view with a field the contract does not list yet is never turned into a 500 on the way out.
 */
export const zodSerializerCompiler: FastifySerializerCompiler<z.ZodType> = () => (data) => JSON.stringify(data);
