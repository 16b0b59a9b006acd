/** One error model on the wire: `{ error: { code, message, details?, requestId } }`; unknown throws become INTERNAL, logged, never echoed. */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isSlipwayError, SlipwayError, type ErrorBody } from '@slipway/contract';
import { errorStatus } from './error-status.js';

const unsupportedMediaType = (): SlipwayError =>
  new SlipwayError(
    'UNSUPPORTED_MEDIA_TYPE',
    'unsupported Content-Type: send application/json (or application/gzip for an archive upload)',
  );

/** Fastify's own errors (bad JSON, body too large, wrong media type) mapped onto our codes. */
function fromFastify(error: FastifyError): SlipwayError | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new SlipwayError('PAYLOAD_TOO_LARGE', 'the request body is too large');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return unsupportedMediaType();
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new SlipwayError('VALIDATION_FAILED', 'the JSON body is empty');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new SlipwayError('VALIDATION_FAILED', 'Content-Length does not match the body');
    default:
      break;
  }
  if (error instanceof SyntaxError || (error.statusCode === 400 && /JSON/i.test(error.message))) {
    // The parser's message quotes the body around the error, and a body may hold a secret value: never echo it.
    const position = /position (\d+)/.exec(error.message)?.[1];
    const where = position === undefined ? '' : ` (at position ${position})`;
    return new SlipwayError('VALIDATION_FAILED', `the body is not valid JSON${where}`);
  }
  if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
    return new SlipwayError('VALIDATION_FAILED', error.message);
  }
  return undefined;
}

export function sendError(reply: FastifyReply, request: FastifyRequest, error: SlipwayError): FastifyReply {
  const body: ErrorBody = {
    error: {
      code: error.code,
      message: error.message,
      ...(error.details === undefined ? {} : { details: error.details }),
      requestId: String(request.id),
    },
  };
  if (error.code === 'SHUTTING_DOWN' || error.code === 'UNAVAILABLE') void reply.header('retry-after', '5');
  if (error.code === 'UNAUTHENTICATED') {
    const hasCredential = request.headers.authorization !== undefined;
    void reply.header('www-authenticate', `Bearer realm="slipway"${hasCredential ? ', error="invalid_token"' : ''}`);
  }
  return reply.status(errorStatus[error.code]).type('application/json').send(body);
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const known = isSlipwayError(error) ? error : fromFastify(error);
    if (known) {
      if (known.code === 'INTERNAL') request.log.error({ err: error }, 'internal error');
      return sendError(reply, request, known);
    }
    request.log.error({ err: error }, 'unhandled error');
    return sendError(
      reply,
      request,
      new SlipwayError('INTERNAL', `internal error (request ${String(request.id)}); see the slipwayd log`),
    );
  });
  app.setNotFoundHandler((request, reply) => {
    // A body no scope of the API reads (an archive anywhere but its upload route) is refused as it is on a route.
    const mediaType = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    const hasBody = request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length']) > 0;
    if (hasBody && mediaType !== '' && !app.hasContentTypeParser(mediaType)) {
      return sendError(reply, request, unsupportedMediaType());
    }
    return sendError(
      reply,
      request,
      new SlipwayError(
        'ROUTE_NOT_FOUND',
        `no route ${request.method} ${request.url.split('?')[0] ?? ''}; see /api/v1/openapi.json`,
      ),
    );
  });
}
