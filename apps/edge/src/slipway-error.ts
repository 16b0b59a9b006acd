/**
 * The contract's one error type, from its zod-free entry point (`@slipway/contract/errors`): the index also evaluates
 * every zod schema, which would cost the edge ≈ 14 MiB of idle memory.
 */
export { isSlipwayError, SlipwayError } from '@slipway/contract/errors';
