/**
 * The catalog API's refusals: a status and a plain-text reason, exactly as Consul answers them (clients show the
 * body as the error message), never the JSON error model of Slipway's own API.
 */
import { isSlipwayError } from '@slipway/contract';
import { errorStatus } from '../http/error-status.js';

export class CatalogHttpError extends Error {
  readonly statusCode: number;
  /** The `Allow` header of a 405. */
  readonly allow: string | undefined;

  constructor(statusCode: number, message: string, allow?: string) {
    super(message);
    this.name = 'CatalogHttpError';
    this.statusCode = statusCode;
    this.allow = allow;
  }
}

/** 400 with Consul's text. */
export const badRequest = (message: string): CatalogHttpError => new CatalogHttpError(400, message);
/** 403 `Permission denied` (Consul's `acl.ErrPermissionDenied` text). */
export const permissionDenied = (): CatalogHttpError => new CatalogHttpError(403, 'Permission denied');

/** A thrown value as the status and text to answer; undefined for an unknown throw (answered 500, logged). */
export function catalogRefusalOf(error: unknown): CatalogHttpError | undefined {
  if (error instanceof CatalogHttpError) return error;
  if (isSlipwayError(error)) {
    if (error.code === 'CATALOG_ACL_NOT_FOUND') return new CatalogHttpError(403, 'ACL not found');
    if (error.code === 'CATALOG_PERMISSION_DENIED') return permissionDenied();
    if (error.code === 'INTERNAL') return undefined;
    if (error.code === 'VALIDATION_FAILED') {
      // The engine's refusals carry the status Consul answers them with.
      const status = error.details?.['consulStatus'];
      return new CatalogHttpError(typeof status === 'number' ? status : 400, error.message);
    }
    return new CatalogHttpError(errorStatus[error.code], error.message);
  }
  return undefined;
}
