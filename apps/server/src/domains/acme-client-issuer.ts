/**
 * The AcmeIssuer port over `acme-client` (RFC 8555): one account per CA directory, an ECDSA P-256 key per
 * certificate, HTTP-01 or TLS-ALPN-01 answered by the edge through the responder. Every call to the CA has a deadline
 * (`callTimeoutMs`, few retries) and the whole order one more (`orderTimeoutMs`); failures become coded errors.
 * acme-client (with its axios and x509 libraries) loads with the first call, not with every slipwayd that has ACME set.
 */
import { Agent } from 'node:https';
import type * as AcmeClient from 'acme-client';
import { SlipwayError, isSlipwayError } from '@slipway/contract';
import type { AcmeChallengeAnswer, AcmeIssuer } from '@slipway/core';
import { probeAcmeDirectory } from './acme-directory-probe.js';

export interface AcmeClientIssuerOptions {
  directoryUrl: string;
  /** The contact address given to the CA (recommended by Let's Encrypt); none when absent. */
  email?: string | undefined;
  /** PEM of the CA directory's TLS root, when it is not a public one (a private or test CA). */
  directoryCa?: string | undefined;
  /** Bound of each HTTP call to the CA (default 10 s). */
  callTimeoutMs?: number;
  /** Bound of a whole order, challenges and validation included (default 120 s). */
  orderTimeoutMs?: number;
}

const networkCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);

/**
 * Maps what acme-client throws to a code; `isValidating`: the CA was checking a challenge when it failed. A request
 * that got no response reaches here as acme-client's TypeError (its error handler reads the missing response).
 */
function codedError(error: unknown, host: string, isValidating: boolean): SlipwayError {
  if (isSlipwayError(error)) return error;
  const cause = error as { code?: string; message?: string; response?: { status?: number } };
  const message = (cause.message ?? String(error)).replace(/\s+/g, ' ').slice(0, 400);
  if (error instanceof TypeError && /reading 'config'/.test(message))
    return new SlipwayError('ACME_CA_UNAVAILABLE', `the CA stopped answering during the order for ${host}`, {
      cause: error,
    });
  if (cause.code === 'ECONNABORTED' || cause.code === 'ETIMEDOUT' || /timeout/i.test(message))
    return new SlipwayError('ACME_TIMEOUT', `the CA did not answer in time for ${host}: ${message}`, { cause: error });
  const status = cause.response?.status;
  if ((cause.code !== undefined && networkCodes.has(cause.code)) || (status !== undefined && status >= 500))
    return new SlipwayError('ACME_CA_UNAVAILABLE', `the CA cannot be reached for ${host}: ${message}`, {
      cause: error,
    });
  if (isValidating)
    return new SlipwayError('ACME_CHALLENGE_FAILED', `the CA could not validate ${host}: ${message}`, { cause: error });
  return new SlipwayError('ACME_REJECTED', `the CA refused the order for ${host}: ${message}`, { cause: error });
}

export function createAcmeClientIssuer(options: AcmeClientIssuerOptions): AcmeIssuer {
  const callTimeoutMs = options.callTimeoutMs ?? 10_000;
  const orderTimeoutMs = options.orderTimeoutMs ?? 120_000;
  let loaded: Promise<typeof AcmeClient> | undefined;
  const acmeClient = (): Promise<typeof AcmeClient> =>
    (loaded ??= import('acme-client').then((acme) => {
      // acme-client's own axios instance (no one else uses it): bounded calls, few retries, the CA's root trusted.
      acme.axios.defaults.timeout = callTimeoutMs;
      const settings = (acme.axios.defaults as unknown as { acmeSettings: Record<string, number> }).acmeSettings;
      settings.retryMaxAttempts = 2;
      settings.retryDefaultDelay = 1;
      if (options.directoryCa !== undefined) acme.axios.defaults.httpsAgent = new Agent({ ca: options.directoryCa });
      return acme;
    }));

  return {
    directoryUrl: options.directoryUrl,
    async createAccountKey() {
      const acme = await acmeClient();
      return (await acme.crypto.createPrivateEcdsaKey('P-256')).toString();
    },
    async issue(request, responder) {
      await probeAcmeDirectory(options.directoryUrl, options.directoryCa, callTimeoutMs);
      const acme = await acmeClient();
      const client = new acme.Client({
        directoryUrl: options.directoryUrl,
        accountKey: request.accountKey,
        ...(request.accountUrl === null ? {} : { accountUrl: request.accountUrl }),
        backoffAttempts: 10,
        backoffMin: 500,
        backoffMax: 5_000,
      });
      const certificateKey = await acme.crypto.createPrivateEcdsaKey('P-256');
      const [, csr] = await acme.crypto.createCsr(
        { commonName: request.host, altNames: [request.host] },
        certificateKey,
      );
      const presented = new Map<string, AcmeChallengeAnswer>();
      let isValidating = false;
      const answerOf = async (
        authz: AcmeClient.Authorization,
        challenge: { type: string; token?: string },
        keyAuthorization: string,
      ): Promise<AcmeChallengeAnswer> => {
        const host = authz.identifier.value;
        if (challenge.type === 'tls-alpn-01') {
          const [key, cert] = await acme.crypto.createAlpnCertificate(authz, keyAuthorization);
          return { kind: 'tls-alpn-01', host, cert: cert.toString(), key: key.toString() };
        }
        return { kind: 'http-01', host, token: challenge.token ?? '', keyAuthorization };
      };
      const order = client.auto({
        csr,
        ...(options.email === undefined ? {} : { email: options.email }),
        termsOfServiceAgreed: true,
        // The CA checks from where it stands; a check from here would need this machine to resolve the host to itself.
        skipChallengeVerification: true,
        challengePriority: [request.challenge],
        challengeCreateFn: async (authz, challenge, keyAuthorization) => {
          const answer = await answerOf(authz, challenge, keyAuthorization);
          presented.set(`${answer.kind} ${answer.host}`, answer);
          await responder.present(answer);
          isValidating = true;
        },
        challengeRemoveFn: async (authz, challenge) => {
          const answer = presented.get(`${challenge.type} ${authz.identifier.value}`);
          if (answer === undefined) return;
          presented.delete(`${answer.kind} ${answer.host}`);
          await responder.remove(answer);
        },
      });
      let timer: NodeJS.Timeout | undefined;
      let onAbort: (() => void) | undefined;
      const deadline = new Promise<never>((_resolve, reject) => {
        const expire = (why: string) =>
          reject(
            new SlipwayError('ACME_TIMEOUT', `the order for ${request.host} ${why}`, { details: { orderTimeoutMs } }),
          );
        timer = setTimeout(() => expire(`took longer than ${orderTimeoutMs} ms`), orderTimeoutMs);
        onAbort = () => expire('was abandoned: slipwayd is stopping');
        request.signal?.addEventListener('abort', onAbort, { once: true });
      });
      try {
        const chain = (await Promise.race([order, deadline])).toString();
        const info = acme.crypto.readCertificateInfo(chain);
        return {
          cert: chain,
          key: certificateKey.toString(),
          notBeforeMs: info.notBefore.getTime(),
          notAfterMs: info.notAfter.getTime(),
          accountUrl: client.getAccountUrl(),
        };
      } catch (error) {
        throw codedError(error, request.host, isValidating);
      } finally {
        clearTimeout(timer);
        if (onAbort !== undefined) request.signal?.removeEventListener('abort', onAbort);
        // The order may go on after a deadline: its challenges are withdrawn all the same.
        order.catch(() => undefined);
        for (const answer of presented.values()) await responder.remove(answer);
        presented.clear();
      }
    },
  };
}
