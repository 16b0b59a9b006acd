/** A failed request in words: its code and message, and for a refusal the role it needs. */
import { SlipwayError } from '@slipway/contract/errors';

export function ErrorNotice({ error }: { readonly error: unknown }) {
  if (error === null || error === undefined) return null;
  const code = error instanceof SlipwayError ? error.code : 'ERROR';
  const message = error instanceof Error ? error.message : typeof error === 'string' ? error : 'the request failed';
  const requiredRole = error instanceof SlipwayError ? error.details?.['requiredRole'] : undefined;
  return (
    <div role="alert" className="notice notice-bad">
      <strong>{code}</strong>: {message}
      {typeof requiredRole === 'string' ? <div>This needs the role {requiredRole}.</div> : null}
    </div>
  );
}
