/**
 * Users and their grants (a global admin): the list with each user's global role and roles per project, revoking a
 * grant after a confirmation, and the forms to create a user, grant a role and set a password (an owner). A role
 * above the caller's own is not offered; a refusal of the server (the last owner) is shown as its coded error.
 */
import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { GrantView, UserView } from '@slipway/contract';
import { isRoleAtLeast } from '@slipway/contract/role-rank';
import { adminApi } from '../../api/admin-api.js';
import { ConfirmDialog } from '../../components/confirm-dialog.js';
import { DataTable } from '../../components/data-table.js';
import { ErrorNotice } from '../../components/error-notice.js';
import { RelativeTime } from '../../components/relative-time.js';
import { useSession } from '../../session/session.js';
import { CreateUserForm, GrantForm, SetPasswordForm, usersKey } from './user-forms.js';

export function UsersSection() {
  const users = useQuery({ queryKey: usersKey, queryFn: () => adminApi.users() });
  const list = users.data?.users ?? [];
  const names = list.map((u) => u.name);
  const isOwner = useSession().roleOn(undefined) === 'owner';
  return (
    <>
      <h2>Users</h2>
      <ErrorNotice error={users.error} />
      <DataTable
        caption="Users and their roles"
        columns={[
          { header: 'User', cell: (u) => u.name },
          { header: 'Created', cell: (u) => <RelativeTime at={u.createdAt} /> },
          { header: 'Global role', cell: (u) => <GrantList user={u} grants={u.grants.filter(isGlobal)} /> },
          {
            header: 'Roles per project',
            cell: (u) => <GrantList user={u} grants={u.grants.filter((g) => !isGlobal(g))} />,
          },
          { header: 'Password', cell: (u) => (u.hasPassword ? 'set' : 'none (no sign-in)') },
        ]}
        rows={list}
        rowKey={(u) => u.id}
        rowAttributes={(u) => ({ 'data-user': u.name })}
        empty="No user yet."
      />
      <CreateUserForm />
      <GrantForm users={names} />
      {isOwner ? (
        <SetPasswordForm users={names} />
      ) : (
        <>
          <h2>Set a password</h2>
          <div role="note" className="notice">
            Setting a password needs the role owner (a global grant): ask an owner.
          </div>
        </>
      )}
    </>
  );
}

const isGlobal = (grant: GrantView): boolean => grant.project === null;

function GrantList({ user, grants }: { readonly user: UserView; readonly grants: readonly GrantView[] }) {
  const myGlobalRole = useSession().roleOn(undefined);
  if (grants.length === 0) return <>none</>;
  return (
    <ul className="grants">
      {grants.map((grant) => (
        <li key={grant.project ?? ''} data-grant={grant.project ?? 'global'}>
          {grant.project === null ? grant.role : `${grant.project}: ${grant.role}`}{' '}
          {isRoleAtLeast(myGlobalRole, grant.role) ? <RevokeGrantButton user={user.name} grant={grant} /> : null}
        </li>
      ))}
    </ul>
  );
}

function RevokeGrantButton({ user, grant }: { readonly user: string; readonly grant: GrantView }) {
  const [isOpen, setIsOpen] = useState(false);
  const queryClient = useQueryClient();
  const where = grant.project === null ? 'globally' : `on ${grant.project}`;
  const revoke = useMutation({
    mutationFn: () => adminApi.revokeGrant(user, grant.project),
    onSuccess: () => {
      setIsOpen(false);
      void queryClient.invalidateQueries({ queryKey: usersKey });
      void queryClient.invalidateQueries({ queryKey: ['whoami'] });
    },
  });
  return (
    <ConfirmDialog
      isOpen={isOpen}
      onOpenChange={(open) => {
        setIsOpen(open);
        if (!open) revoke.reset();
      }}
      trigger={
        <>
          Revoke<span className="visually-hidden">{` ${grant.role} ${where} from ${user}`}</span>
        </>
      }
      triggerClassName="button button-small"
      title={`Revoke the role ${grant.role} ${where} from ${user}?`}
      description="Their next request is refused whatever this role allowed."
      action="Revoke"
      isPending={revoke.isPending}
      error={revoke.error}
      onConfirm={() => revoke.mutate()}
    />
  );
}
