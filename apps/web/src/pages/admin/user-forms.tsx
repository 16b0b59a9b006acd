/**
 * The forms of the users section: create a user (name and initial password), grant a role on a project or globally,
 * and set a user's password (an owner). A password is typed in a password field, emptied as soon as it is sent, and
 * never shown back.
 */
import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { CreateUserBody, GrantBody } from '@slipway/contract';
import { globalRoles, isRoleAtLeast, projectRoles, type Role } from '@slipway/contract/role-rank';
import { adminApi } from '../../api/admin-api.js';
import { ErrorNotice } from '../../components/error-notice.js';
import { useSession } from '../../session/session.js';
import { projectsQuery } from '../apps-query.js';

export const usersKey = ['admin', 'users'] as const;

/** The scope value of a global grant in the project drop-down (a project name is a DNS label: never `*`). */
const globalScope = '*';

export function CreateUserForm() {
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const create = useMutation({
    mutationFn: (body: CreateUserBody) => adminApi.createUser(body),
    onSuccess: () => {
      setName('');
      void queryClient.invalidateQueries({ queryKey: usersKey });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const typed = password;
    setPassword('');
    create.mutate({ name: name.trim(), password: typed });
  };
  return (
    <>
      <h2>Create a user</h2>
      <form className="form" onSubmit={submit} aria-label="Create a user">
        <label>
          User name
          <input
            className="input"
            required
            maxLength={64}
            autoComplete="off"
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
        </label>
        <PasswordField label="Initial password" value={password} onChange={setPassword} />
        <ErrorNotice error={create.error} />
        {create.data === undefined ? null : (
          <p role="status">User {create.data.name} created, with no role yet: grant one below.</p>
        )}
        <div>
          <button type="submit" className="button button-primary" disabled={create.isPending}>
            Create user
          </button>
        </div>
      </form>
    </>
  );
}

export function GrantForm({ users }: { readonly users: readonly string[] }) {
  const queryClient = useQueryClient();
  const myGlobalRole = useSession().roleOn(undefined);
  const projects = (useQuery(projectsQuery).data?.projects ?? []).map((p) => p.name);
  const [user, setUser] = useState('');
  const [scope, setScope] = useState('');
  const [role, setRole] = useState<Role | ''>('');
  const chosenUser = users.includes(user) ? user : (users[0] ?? '');
  const chosenScope = scope !== '' ? scope : (projects[0] ?? globalScope);
  // Only what the caller may grant there: nobody grants a role above their own.
  const offered = (chosenScope === globalScope ? globalRoles : projectRoles).filter((r) =>
    isRoleAtLeast(myGlobalRole, r),
  );
  const chosenRole = offered.find((r) => r === role) ?? offered[0];
  const grant = useMutation({
    mutationFn: (input: { user: string; body: GrantBody }) => adminApi.grant(input.user, input.body),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: usersKey });
      void queryClient.invalidateQueries({ queryKey: ['whoami'] });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (chosenUser === '' || chosenRole === undefined) return;
    grant.mutate({
      user: chosenUser,
      body: { role: chosenRole, ...(chosenScope === globalScope ? {} : { project: chosenScope }) },
    });
  };
  return (
    <>
      <h2>Grant a role</h2>
      <form className="form" onSubmit={submit} aria-label="Grant a role">
        <UserSelect users={users} value={chosenUser} onChange={setUser} />
        <label>
          Project
          <select className="input" value={chosenScope} onChange={(e) => setScope(e.target.value)}>
            {projects.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
            <option value={globalScope}>every project (a global role)</option>
          </select>
        </label>
        <label>
          Role
          <select className="input" value={chosenRole ?? ''} onChange={(e) => setRole(e.target.value as Role)}>
            {offered.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </label>
        <p className="meta small">Granting replaces the user&apos;s role there.</p>
        <ErrorNotice error={grant.error} />
        {grant.isSuccess ? (
          <p role="status">
            {grant.variables.user} is now {grant.variables.body.role}{' '}
            {grant.variables.body.project === undefined ? 'globally' : `on ${grant.variables.body.project}`}.
          </p>
        ) : null}
        <div>
          <button type="submit" className="button button-primary" disabled={grant.isPending || chosenUser === ''}>
            Grant role
          </button>
        </div>
      </form>
    </>
  );
}

export function SetPasswordForm({ users }: { readonly users: readonly string[] }) {
  const [user, setUser] = useState('');
  const [password, setPassword] = useState('');
  const chosenUser = users.includes(user) ? user : (users[0] ?? '');
  const set = useMutation({
    mutationFn: (input: { user: string; password: string }) => adminApi.setPassword(input.user, input.password),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const typed = password;
    setPassword('');
    set.mutate({ user: chosenUser, password: typed });
  };
  return (
    <>
      <h2>Set a password</h2>
      <form className="form" onSubmit={submit} aria-label="Set a password">
        <UserSelect users={users} value={chosenUser} onChange={setUser} />
        <PasswordField label="New password" value={password} onChange={setPassword} />
        <p className="meta small">Setting a password ends the user&apos;s sessions: they sign in again.</p>
        <ErrorNotice error={set.error} />
        {set.isSuccess ? <p role="status">Password of {set.variables.user} set; their sessions have ended.</p> : null}
        <div>
          <button type="submit" className="button button-primary" disabled={set.isPending || chosenUser === ''}>
            Set password
          </button>
        </div>
      </form>
    </>
  );
}

function UserSelect(props: { users: readonly string[]; value: string; onChange: (user: string) => void }) {
  return (
    <label>
      User
      <select className="input" value={props.value} onChange={(e) => props.onChange(e.target.value)}>
        {props.users.map((u) => (
          <option key={u} value={u}>
            {u}
          </option>
        ))}
      </select>
    </label>
  );
}

/** A password typed, never shown: its value lives only in the form's state, which empties it once sent. */
function PasswordField(props: { label: string; value: string; onChange: (password: string) => void }) {
  return (
    <label>
      {props.label} (at least 8 characters)
      <input
        className="input"
        type="password"
        required
        minLength={8}
        maxLength={1024}
        autoComplete="new-password"
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
      />
    </label>
  );
}
