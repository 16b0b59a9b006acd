/**
 * The contract's one error type, imported from its own module rather than the `@slipway/contract` index: the index
 * also evaluates every zod schema, which would cost the edge ≈ 14 MiB of idle memory. A zod-free subpath export of
 * the contract (`@slipway/contract/errors`) would make this path import unnecessary; that is the contract's call.
 */
export { isSlipwayError, SlipwayError } from '../../../packages/contract/src/slipway-error.js';
