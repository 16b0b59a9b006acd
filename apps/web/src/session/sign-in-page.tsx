/** Sign in with a Slipway user's name and password; the session then lives in HttpOnly cookies. */
import { useState, type FormEvent } from 'react';
import { ErrorNotice } from '../components/error-notice.js';
import { useSession } from './session.js';

export function SignInPage() {
  const session = useSession();
  const [error, setError] = useState<unknown>(undefined);
  const [isBusy, setIsBusy] = useState(false);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setIsBusy(true);
    setError(undefined);
    try {
      const field = (name: string): string => {
        const value = form.get(name);
        return typeof value === 'string' ? value : '';
      };
      await session.signIn(field('username'), field('password'));
    } catch (failure) {
      setError(failure);
    } finally {
      setIsBusy(false);
    }
  };
  return (
    <main id="main" className="sign-in">
      <h1>Sign in to Slipway</h1>
      <form onSubmit={(event) => void submit(event)} className="card form">
        <label>
          User name
          <input className="input" name="username" autoComplete="username" required />
        </label>
        <label>
          Password
          <input className="input" name="password" type="password" autoComplete="current-password" required />
        </label>
        <ErrorNotice error={error} />
        <button type="submit" className="button button-primary" disabled={isBusy}>
          {isBusy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <p className="hint">
        The owner <code>admin</code> has no password until one is set: <code>slipway users set-password admin</code> on
        the machine that runs slipwayd.
      </p>
    </main>
  );
}
