/**
 * The router's own answer to a request, as status and response text: an error page (no route, no upstream, bad
 * gateway, timeout, a broken request body), an HTTPS redirect, a maintenance page, or an ACME HTTP-01 key
 * authorization.
 */
import { acmeHttp01ResponseText, type AcmeKeyAuthorization } from './acme-http01-answer.js';
import { errorResponseText, type EdgeErrorContext, type EdgeErrorKind } from './error-response.js';
import { httpsRedirectText, type HttpsRedirect } from './https-redirect.js';
import { maintenanceResponseText, type MaintenanceAnswer } from './maintenance-response.js';

export type RouterAnswer = EdgeErrorKind | MaintenanceAnswer | AcmeKeyAuthorization | HttpsRedirect;

export function routerAnswerText(
  answer: RouterAnswer,
  context: EdgeErrorContext,
  isClose: boolean,
  isHead: boolean,
): { readonly statusCode: number; readonly text: string } {
  if (typeof answer === 'string') return errorResponseText(answer, context, isClose, isHead);
  if ('location' in answer)
    return { statusCode: 308, text: httpsRedirectText(answer.location, context.requestId, isClose, isHead) };
  if ('keyAuthorization' in answer)
    return {
      statusCode: 200,
      text: acmeHttp01ResponseText(answer.keyAuthorization, context.requestId, isClose, isHead),
    };
  return {
    statusCode: answer.statusCode,
    text: maintenanceResponseText(answer, context.requestId, isClose, isHead),
  };
}
