/**
 * Administration: the caller's API tokens (anyone signed in), the users and their grants, the audit log and the
 * system status (a global admin; others read which role they need). Each section is a tab whose value is in the URL (`/admin/<tab>`).
 */
import type { ReactNode } from 'react';
import * as Tabs from '@radix-ui/react-tabs';
import { useNavigate, useParams } from 'react-router';
import { useCan } from '../../session/session.js';
import { AuditSection } from './audit-section.js';
import { StatusSection } from './status-section.js';
import { TokensSection } from './tokens-section.js';
import { UsersSection } from './users-section.js';

const tabs = ['tokens', 'users', 'audit', 'status'] as const;
type Tab = (typeof tabs)[number];

function NeedsAdmin({ children }: { readonly children: ReactNode }) {
  const isAdmin = useCan('admin', undefined);
  if (isAdmin) return <>{children}</>;
  return (
    <div role="note" className="notice">
      This needs the role admin (a global grant): ask an owner.
    </div>
  );
}

export function AdminPage() {
  const { tab: param } = useParams();
  const navigate = useNavigate();
  const tab: Tab = tabs.find((t) => t === param) ?? 'tokens';
  return (
    <section aria-labelledby="admin-title">
      <div className="page-head">
        <h1 id="admin-title">Administration</h1>
      </div>
      <Tabs.Root value={tab} onValueChange={(value) => void navigate(`/admin/${value}`)} className="tabs">
        <Tabs.List aria-label="Administration sections" className="tab-list">
          <Tabs.Trigger value="tokens">API tokens</Tabs.Trigger>
          <Tabs.Trigger value="users">Users and grants</Tabs.Trigger>
          <Tabs.Trigger value="audit">Audit log</Tabs.Trigger>
          <Tabs.Trigger value="status">System status</Tabs.Trigger>
        </Tabs.List>
        <Tabs.Content value="tokens">
          <TokensSection />
        </Tabs.Content>
        <Tabs.Content value="users">
          <NeedsAdmin>
            <UsersSection />
          </NeedsAdmin>
        </Tabs.Content>
        <Tabs.Content value="audit">
          <NeedsAdmin>
            <AuditSection />
          </NeedsAdmin>
        </Tabs.Content>
        <Tabs.Content value="status">
          <NeedsAdmin>
            <StatusSection />
          </NeedsAdmin>
        </Tabs.Content>
      </Tabs.Root>
    </section>
  );
}
