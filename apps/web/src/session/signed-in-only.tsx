/** Shows the page when signed in, the sign-in form when not; stops the live stream when the session ends. */
import { useEffect } from 'react';
import { Outlet } from 'react-router';
import { liveStream } from '../live/live-stream.js';
import { SignInPage } from './sign-in-page.js';
import { useSession } from './session.js';

export function SignedInOnly() {
  const session = useSession();
  useEffect(() => {
    if (session.state === 'signed-out') liveStream.stop();
    else if (session.state === 'signed-in' && liveStream.state === 'stopped') liveStream.restart();
  }, [session.state]);
  if (session.state === 'loading') return <p className="loading">Loading…</p>;
  if (session.state === 'signed-out') return <SignInPage />;
  return <Outlet />;
}
