import { useState } from 'preact/hooks';
import { ApiError, del, post, Page } from '../api';
import { Card, Empty, ErrorBox, Field, KeyValue, Loading, Notice, PageHeader, toast } from '../components/ui';
import { date, dateTime, money } from '../format';
import { useApi } from '../hooks';
import { browserLanguage, Key, locale, t, tv } from '../i18n';
import { can, choice as savedChoice, savePreferences, session, signOut } from '../session';
import { useSignal } from '../signal';

interface Token {
  id: number;
  name: string;
  scopes: string[];
  created_at: string;
  last_used_at: string | null;
  revoked: boolean;
}

const scopes = ['read', 'upload', 'review'];

function Tokens() {
  const { data, error, loading, reload } = useApi<Page<Token>>('/api/v1/tokens');
  const [name, setName] = useState('');
  const [chosen, setChosen] = useState<string[]>(['read']);
  const [shown, setShown] = useState<string | null>(null);
  const create = async (e: Event) => {
    e.preventDefault();
    try {
      const r = await post<{ id: number; token: string }>('/api/v1/tokens', { name: name.trim(), scopes: chosen });
      setShown(r.token);
      setName('');
      reload();
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 'step_up_required')) toast((err as Error).message, 'error');
    }
  };
  const revoke = async (tok: Token) => {
    try {
      await del('/api/v1/tokens/' + tok.id);
      reload();
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 'step_up_required')) toast((err as Error).message, 'error');
    }
  };
  return (
    <Card title={t('se_tokens')}>
      {error !== undefined && <ErrorBox error={error} />}
      {loading && !data && <Loading />}
      {shown && (
        <Notice tone="warning">
          {t('se_token_shown_once')} <code class="secret">{shown}</code>
        </Notice>
      )}
      {data && (data.items.length ? (
        <table class="table table-compact">
          <thead><tr><th>{t('se_token_name')}</th><th>{t('se_token_scopes')}</th><th>{t('se_token_created')}</th><th>{t('se_token_last_used')}</th><th /></tr></thead>
          <tbody>
            {data.items.map((tok) => (
              <tr key={tok.id}>
                <td>{tok.name}</td>
                <td class="small">{tok.scopes.map((s) => (['read', 'upload', 'review'].includes(s) ? t(('scope_' + s) as Key) : s)).join(', ')}</td>
                <td class="nowrap">{dateTime(tok.created_at)}</td>
                <td class="nowrap">{dateTime(tok.last_used_at)}</td>
                <td>{tok.revoked ? <span class="badge badge-gray">{t('se_token_revoked')}</span>
                  : <button class="btn btn-small btn-ghost" onClick={() => revoke(tok)}>{t('se_token_revoke')}</button>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : <Empty>{t('none')}</Empty>)}
      {data && (
        <form class="filters" onSubmit={create}>
          <Field label={t('se_token_name')}><input class="input" value={name} required onInput={(e) => setName(e.currentTarget.value)} /></Field>
          <fieldset class="checks">
            <legend class="field-label">{t('se_token_scopes')}</legend>
            {scopes.map((s) => (
              <label key={s}>
                <input type="checkbox" checked={chosen.includes(s)}
                  onChange={() => setChosen(chosen.includes(s) ? chosen.filter((x) => x !== s) : [...chosen, s])} /> {t(('scope_' + s) as Key)}
              </label>
            ))}
          </fieldset>
          <button class="btn" type="submit">{t('se_token_create')}</button>
        </form>
      )}
    </Card>
  );
}

function EffectiveConfig() {
  const { data, error } = useApi<unknown>('/api/v1/settings');
  return (
    <Card title={t('se_config')}>
      {error !== undefined && <ErrorBox error={error} />}
      {data !== undefined && <pre class="code-block">{typeof data === 'string' ? data : JSON.stringify(data, null, 2)}</pre>}
    </Card>
  );
}

const locales = ['de-DE', 'de-AT', 'de-CH', 'en-GB', 'en-US', 'en-IE'];

export function Settings() {
  const me = useSignal(session)!;
  const loc = useSignal(locale);
  const saved = useSignal(savedChoice);
  const choice = saved.language ?? 'browser';
  const format = saved.locale ?? '';
  const save = async (value: string, fmt: string) => {
    try {
      await savePreferences({ language: value === 'browser' ? null : (value as 'de' | 'en'), locale: fmt || null });
      toast(t('se_saved'));
    } catch (e) {
      if (e instanceof ApiError && e.missing) toast(t('se_saved_local'), 'info');
      else toast((e as Error).message, 'error');
    }
  };
  return (
    <div class="page" data-testid="page-settings">
      <PageHeader title={t('se_title')} />
      <div class="grid-2">
        <Card title={t('se_language')}>
          <div class="stack">
          <div class="segmented" role="radiogroup" aria-label={t('se_language')}>
            {[['de', 'Deutsch'], ['en', 'English'], ['browser', t('se_language_browser') + ' (' + (browserLanguage() === 'de' ? 'Deutsch' : 'English') + ')']].map(([v, label]) => (
              <button key={v} role="radio" aria-checked={choice === v} class={choice === v ? 'on' : ''} onClick={() => save(v, format)}
                data-testid={'lang-' + v}>
                {label}
              </button>
            ))}
          </div>
          <Field label={t('se_format')} hint={t('se_format_example', { amount: money('-1234.56', 'EUR'), date: date(new Date().toISOString().slice(0, 10)), locale: loc })}>
            <select class="input" value={format} onChange={(e) => save(choice, e.currentTarget.value)} data-testid="locale">
              <option value="">{t('se_format_default')}</option>
              {locales.map((l) => <option key={l} value={l}>{l}</option>)}
            </select>
          </Field>
          </div>
        </Card>
        <Card title={t('se_account')}>
          <KeyValue rows={[
            [t('us_name'), me.user.name],
            [t('us_role'), tv('role', me.user.role)],
            [t('se_two_factor'), me.user.totp_enrolled ? t('us_enrolled') : t('us_not_enrolled')],
          ]} />
          <button class="btn" onClick={async () => { toast(t('se_logged_out_all')); await signOut(true); }}>{t('se_logout_all')}</button>
        </Card>
      </div>
      {can('manage_config') && <Tokens />}
      {can('manage_config') && <EffectiveConfig />}
    </div>
  );
}

