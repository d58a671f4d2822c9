import { useState } from 'preact/hooks';
import { ApiError, patch, post } from '../api';
import { Card, ErrorBox, Field, Loading, Modal, PageHeader, toast } from '../components/ui';
import { dateTime } from '../format';
import { useApi } from '../hooks';
import { t, tv } from '../i18n';
import { session } from '../session';

interface UserRow {
  id: number;
  name: string;
  role: string;
  disabled: boolean;
  totp_enrolled: boolean;
  totp_required: boolean;
  locked_until: string | null;
  last_login_at: string | null;
}

const roles = ['viewer', 'accountant', 'approver', 'admin'];

function AddUser(props: { onClose: () => void; onDone: () => void }) {
  const [name, setName] = useState('');
  const [role, setRole] = useState('accountant');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const submit = async (e: Event) => {
    e.preventDefault();
    try {
      await post('/api/v1/users', { name: name.trim(), role, password });
      toast(t('us_created', { name }));
      props.onDone();
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 'step_up_required')) setError((err as Error).message);
    }
  };
  return (
    <Modal title={t('us_add')} onClose={props.onClose}>
      <form class="stack" onSubmit={submit}>
        {error && <ErrorBox error={new Error(error)} />}
        <Field label={t('us_name')}><input class="input" value={name} required autoComplete="off" onInput={(e) => setName(e.currentTarget.value)} /></Field>
        <Field label={t('us_role')}>
          <select class="input" value={role} onChange={(e) => setRole(e.currentTarget.value)}>
            {roles.map((r) => <option key={r} value={r}>{tv('role', r)}</option>)}
          </select>
        </Field>
        <Field label={t('us_password')}>
          <input class="input" type="password" value={password} required minLength={10} autoComplete="new-password"
            onInput={(e) => setPassword(e.currentTarget.value)} />
        </Field>
        <div class="row-end">
          <button type="button" class="btn" onClick={props.onClose}>{t('cancel')}</button>
          <button type="submit" class="btn btn-primary">{t('us_create')}</button>
        </div>
      </form>
    </Modal>
  );
}

export function Users() {
  const { data, error, loading, reload } = useApi<{ users: UserRow[] }>('/api/v1/users');
  const [adding, setAdding] = useState(false);
  const change = async (u: UserRow, body: Record<string, unknown>) => {
    try {
      await patch('/api/v1/users/' + u.id, body);
      toast(t('us_updated', { name: u.name }));
      reload();
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 'step_up_required')) toast((e as Error).message, 'error');
    }
  };
  return (
    <div class="page" data-testid="page-users">
      <PageHeader title={t('us_title')}>
        <button class="btn btn-primary" onClick={() => setAdding(true)}>{t('us_add')}</button>
      </PageHeader>
      {error !== undefined && <ErrorBox error={error} onRetry={reload} />}
      {loading && !data && <Loading />}
      {data && (
        <Card>
          <div class="table-wrap">
            <table class="table" data-testid="users-table">
              <thead>
                <tr><th>{t('us_name')}</th><th>{t('us_role')}</th><th>{t('us_state')}</th><th>{t('us_totp')}</th><th>{t('us_last_login')}</th><th>{t('actions')}</th></tr>
              </thead>
              <tbody>
                {data.users.map((u) => {
                  const locked = !!u.locked_until && new Date(u.locked_until).getTime() > Date.now();
                  // An admin does not demote or disable the account they are signed in with.
                  const self = u.name === session.get()?.user.name;
                  return (
                    <tr key={u.id}>
                      <td class="strong">{u.name}</td>
                      <td>
                        <select class="input input-small" value={u.role} aria-label={t('us_role') + ' ' + u.name} disabled={self}
                          onChange={(e) => change(u, { role: e.currentTarget.value })}>
                          {roles.map((r) => <option key={r} value={r}>{tv('role', r)}</option>)}
                        </select>
                      </td>
                      <td>
                        {u.disabled ? <span class="badge badge-red">{t('us_disabled')}</span>
                          : locked ? <span class="badge badge-amber">{t('us_locked')}</span>
                          : <span class="badge badge-green">{t('us_active')}</span>}
                      </td>
                      <td>{u.totp_enrolled ? <span class="badge badge-green">{t('us_enrolled')}</span>
                        : <span class={'badge ' + (u.totp_required ? 'badge-amber' : 'badge-gray')}>{t('us_not_enrolled')}</span>}</td>
                      <td class="nowrap">{dateTime(u.last_login_at)}</td>
                      <td class="nowrap">
                        {!self && <button class="btn btn-small" onClick={() => change(u, { disabled: !u.disabled })}>{u.disabled ? t('us_enable') : t('us_disable')}</button>}{' '}
                        {locked && <button class="btn btn-small" onClick={() => change(u, { unlock: true })}>{t('us_unlock')}</button>}{' '}
                        {u.totp_enrolled && <button class="btn btn-small btn-ghost" onClick={() => change(u, { reset_totp: true })}>{t('us_reset_totp')}</button>}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </Card>
      )}
      {adding && <AddUser onClose={() => setAdding(false)} onDone={() => { setAdding(false); reload(); }} />}
    </div>
  );
}
