/**
 * The `certificate-expiry` condition source: days left on each routed host's certificate of the project, below the
 * threshold. Where certificates come from is not its business: slipwayd plugs in what reads them (the custom-domains
 * certificates), and without a reader the kind is not offered.
 */
import type { CoreDeps } from '../core-deps.js';
import type { CertificateExpiry } from '../use-cases/domains.js';
import { alertKindSpecs, formatAlertValue } from './alert-kinds.js';
import type { AlertConditionSource } from './alert-conditions.js';

const dayMs = 86_400_000;

export function createCertificateConditionSource(
  readCertificates: (deps: Pick<CoreDeps, 'store'>) => Promise<readonly CertificateExpiry[]>,
): AlertConditionSource {
  return {
    async observe(rule, context) {
      const thresholdDays = rule.threshold ?? alertKindSpecs['certificate-expiry'].threshold?.defaultValue ?? 14;
      const certificates = (await readCertificates(context.deps)).filter(
        (c) =>
          c.projectId === rule.projectId &&
          (rule.appId === null || c.appId === rule.appId) &&
          (rule.environmentId === null || c.environmentId === rule.environmentId),
      );
      return certificates.map((c) => {
        const subject = {
          subjectKey: `host:${c.host}`,
          subject: c.host,
          appId: c.appId,
          environmentId: c.environmentId,
        };
        if (c.notAfterMs === null) {
          return {
            ...subject,
            condition: 'no-data' as const,
            value: null,
            message: `${c.host} has no certificate yet`,
          };
        }
        const daysLeft = (c.notAfterMs - context.nowMs) / dayMs;
        return {
          ...subject,
          condition: daysLeft < thresholdDays ? ('active' as const) : ('inactive' as const),
          value: daysLeft,
          message:
            daysLeft <= 0
              ? `the certificate of ${c.host} expired at ${new Date(c.notAfterMs).toISOString()}`
              : `the certificate of ${c.host} expires in ${formatAlertValue(daysLeft, 'days')} (${new Date(c.notAfterMs).toISOString()})`,
        };
      });
    },
  };
}
