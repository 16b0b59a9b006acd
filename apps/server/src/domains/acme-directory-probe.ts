/**
 * A bounded GET of the ACME directory before an order: it tells a CA that cannot be reached (`ACME_CA_UNAVAILABLE`)
 * from one that does not answer in time (`ACME_TIMEOUT`), which acme-client's own errors do not (a request without
 * a response surfaces from it as a TypeError).
 */
import { request } from 'node:https';
import { SlipwayError } from '@slipway/contract';

/** Resolves when the directory answers 2xx within `timeoutMs`. Errors: `ACME_TIMEOUT`, `ACME_CA_UNAVAILABLE`. */
export function probeAcmeDirectory(directoryUrl: string, ca: string | undefined, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(directoryUrl, { timeout: timeoutMs, ...(ca === undefined ? {} : { ca }) }, (res) => {
      res.resume();
      const status = res.statusCode ?? 0;
      if (status >= 200 && status < 300) return resolve();
      reject(new SlipwayError('ACME_CA_UNAVAILABLE', `the ACME directory answered HTTP ${status}`));
    });
    req.on('timeout', () =>
      req.destroy(new SlipwayError('ACME_TIMEOUT', `the ACME directory did not answer within ${timeoutMs} ms`)),
    );
    req.on('error', (error: Error & { code?: string }) => {
      if (error instanceof SlipwayError) return reject(error);
      reject(
        new SlipwayError(
          'ACME_CA_UNAVAILABLE',
          `the ACME directory cannot be reached (${error.code ?? error.message})`,
        ),
      );
    });
    req.end();
  });
}
