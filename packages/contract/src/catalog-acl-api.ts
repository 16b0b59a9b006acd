/**
 * Request and response bodies of the catalog ACL routes (`/api/v1/catalog/acl/rules`): rules that give a user or one
 * API token read, write or deny on a KV key prefix or a service name prefix. Times are ISO-8601 strings.
 */
import { z } from 'zod';
import { userNameSchema } from './identity-api.js';

export const catalogAclResourceSchema = z.enum(['key', 'service']);
export const catalogAclPolicySchema = z.enum(['read', 'write', 'deny']);

/** A KV key prefix or a service name prefix; empty covers everything. No control characters. */
export const catalogAclPrefixSchema = z
  .string()
  .max(512)
  // eslint-disable-next-line no-control-regex -- the point is to refuse control characters
  .regex(/^[^\u0000-\u001f\u007f]*$/, 'must not hold control characters');

/** A rule on the wire; `subject.name` is the user's name, or the token's name (its owner's name before it). */
export const catalogAclRuleSchema = z.object({
  id: z.string(),
  subject: z.object({ kind: z.enum(['user', 'token']), id: z.string(), name: z.string().nullable() }),
  resource: catalogAclResourceSchema,
  prefix: z.string(),
  policy: catalogAclPolicySchema,
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type CatalogAclRuleView = z.infer<typeof catalogAclRuleSchema>;

export const listCatalogAclRulesResponseSchema = z.object({ rules: z.array(catalogAclRuleSchema) });

/** Grants (or replaces) the policy of one subject on one prefix: exactly one of `user` (a name) or `token` (an id). */
export const putCatalogAclRuleBodySchema = z
  .object({
    user: userNameSchema.optional(),
    token: z
      .string()
      .min(1)
      .max(64)
      .regex(/^tok_[A-Za-z0-9_-]+$/, 'must be an API token id (tok_…)')
      .optional(),
    resource: catalogAclResourceSchema,
    prefix: catalogAclPrefixSchema,
    policy: catalogAclPolicySchema,
  })
  .strict()
  .refine((body) => (body.user === undefined) !== (body.token === undefined), {
    message: 'name exactly one subject: user or token',
    path: ['user'],
  });
export type PutCatalogAclRuleBody = z.infer<typeof putCatalogAclRuleBodySchema>;

export const catalogAclRuleParamsSchema = z.object({
  rule: z
    .string()
    .min(1)
    .max(64)
    .regex(/^cacl_[A-Za-z0-9_-]+$/, 'must be a catalog ACL rule id (cacl_…)'),
});
