import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, get, post, Page } from '../api';
import { Icon } from '../components/icons';
import { Card, Empty, ErrorBox, KeyValue, Light, Loading, Notice, PageHeader, toast } from '../components/ui';
import { operationText, outcomeText } from '../codes';
import { date, dateTime, iban } from '../format';
import { useApi } from '../hooks';
import { Key, t } from '../i18n';
import { navigate, Route } from '../router';
import { can } from '../session';

interface Connector {
  name: string;
  type: string;
  enabled: boolean;
  state: string;
  state_detail?: string | null;
  last_success: string | null;
  last_error: string | null;
  consent_state?: string | null;
  consent_expires_at: string | null;
  next_run: string | null;
  accounts: string[];
  light?: string;
}

interface LogLine {
  at: string;
  account: string;
  operation?: string;
  outcome: string;
  status: number | string;
  request_id: string;
  message: string;
}

/** A console-started bank authorisation: POST/GET /api/v1/connectors/{name}/consent. */
interface ConsentFlow {
  approach?: 'redirect' | 'decoupled';
  state: 'pending' | 'valid' | 'failed' | 'none';
  message?: string | null;
  url?: string | null;
  valid_until?: string | null;
  started_at?: string | null;
}

const kPollMs = 2000;

function lightOf(c: Connector): 'green' | 'yellow' | 'red' {
  if (c.light === 'green' || c.light === 'yellow' || c.light === 'red') return c.light;
  if (!c.enabled) return 'yellow';
  if (c.last_error && (!c.last_success || c.last_error > c.last_success)) return 'red';
  if (c.consent_expires_at && new Date(c.consent_expires_at).getTime() - Date.now() < 7 * 86400e3) return 'yellow';
  return c.last_success ? 'green' : 'yellow';
}

/** A connector's state from the server in the user's language when known. */
function word(prefix: 'cn_state', value: string | null | undefined): string {
  if (!value) return '';
  const key = (prefix + '_' + value) as Key;
  const text = t(key);
  return text === key ? value : text;
}

const path = (name: string) => '/api/v1/connectors/' + encodeURIComponent(name);

function ConnectorLog(props: { name: string }) {
  const { data, error, loading } = useApi<Page<LogLine>>(path(props.name) + '/log?limit=10');
  if (error !== undefined) return <ErrorBox error={error} />;
  if (loading && !data) return <Loading />;
  if (!data?.items.length) return <Empty>{t('cn_no_log')}</Empty>;
  return (
    <table class="table table-compact">
      <thead><tr><th>{t('er_at')}</th><th>{t('col_account')}</th><th>{t('cn_operation')}</th><th>{t('cn_outcome')}</th></tr></thead>
      <tbody>
        {data.items.map((l, i) => (
          <tr key={i}>
            <td class="nowrap">{dateTime(l.at)}</td>
            <td class="mono nowrap">{iban(l.account)}</td>
            <td>{l.operation ? <span title={l.operation} data-testid="log-operation">{operationText(l.operation)}</span> : <span class="mono small">{l.message}</span>}</td>
            <td class="nowrap"><span title={l.outcome}>{outcomeText(l.outcome)}</span>{l.status && !/^http_\d+$/.test(l.outcome) ? <span class="muted"> ({l.status})</span> : null}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** What the admin sees of a started authorisation: the bank's page to open, or the wait for the app. */
function ConsentPanel(props: { flow: ConsentFlow }) {
  const f = props.flow;
  if (f.state === 'valid') {
    return (
      <Notice tone="success">
        <span data-testid="consent-valid">
          {f.valid_until ? t('cn_consent_valid_until', { date: date(f.valid_until) }) : t('cn_consent_valid')}
        </span>
      </Notice>
    );
  }
  if (f.state === 'failed') {
    return <Notice tone="error"><span data-testid="consent-failed">{t('cn_consent_failed', { message: f.message ?? '' })}</span></Notice>;
  }
  if (f.state !== 'pending') return null;
  if (f.approach === 'decoupled') {
    return (
      <div class="notice notice-info consent-wait" role="status" data-testid="consent-pending">
        <span class="spinner" aria-hidden="true" />
        <div>
          <strong>{t('cn_decoupled_title')}</strong>
          <div class="small">{t('cn_decoupled_intro')}</div>
          {f.message && <div class="small muted">{f.message}</div>}
        </div>
      </div>
    );
  }
  if (f.url) {
    return (
      <div class="stack-small">
        <p class="small">{t('cn_redirect_intro')}</p>
        <p><a class="btn btn-primary" href={f.url} target="_blank" rel="noopener noreferrer" data-testid="consent-url">{t('cn_open_bank')}</a></p>
      </div>
    );
  }
  return null;
}

export function Connectors(props: { route: Route }) {
  const { data, error, loading, reload } = useApi<Page<Connector>>('/api/v1/connectors');
  const [open, setOpen] = useState<string | null>(null);
  const [flows, setFlows] = useState<Record<string, ConsentFlow>>({});
  const [busy, setBusy] = useState<string | null>(null);
  const admin = can('manage_connectors');
  const returned = props.route.query.get('consent');
  const flowsRef = useRef(flows);
  flowsRef.current = flows;

  const setFlow = (name: string, flow: ConsentFlow) => setFlows((all) => ({ ...all, [name]: flow }));

  // An authorisation started earlier (another tab, before a reload) shows up again here.
  useEffect(() => {
    if (!admin || !data) return;
    for (const c of data.items) {
      if (flowsRef.current[c.name]) continue;
      get<ConsentFlow>(path(c.name) + '/consent').then(
        (f) => f.state === 'pending' && f.approach === 'decoupled' && setFlow(c.name, f),
        () => undefined,
      );
    }
  }, [data, admin]);

  // Decoupled: ask the daemon (which polls the bank) until the bank decided.
  const waiting = Object.entries(flows).filter(([, f]) => f.state === 'pending' && f.approach === 'decoupled').map(([n]) => n);
  useEffect(() => {
    if (!waiting.length) return;
    const timer = setInterval(() => {
      for (const name of waiting) {
        get<ConsentFlow>(path(name) + '/consent').then(
          (f) => {
            if (f.state === 'pending' || f.state === 'none') return;
            setFlow(name, { ...flowsRef.current[name], ...f });
            if (f.state === 'valid') {
              toast(t('cn_consent_done', { name }));
              reload();
            }
          },
          () => undefined,
        );
      }
    }, kPollMs);
    return () => clearInterval(timer);
  }, [waiting.join('|')]);

  const run = async (c: Connector) => {
    try {
      const r = await post<{ job_id: string | number }>(path(c.name) + '/run');
      toast(t('cn_started', { id: r?.job_id ?? '?' }));
      setTimeout(reload, 1500);
    } catch (e) {
      toast((e as Error).message, 'error');
    }
  };
  const reauth = async (c: Connector) => {
    setBusy(c.name);
    try {
      const r = await post<ConsentFlow>(path(c.name) + '/consent');
      setFlow(c.name, { ...r, approach: r.approach ?? (r.url ? 'redirect' : 'decoupled'), state: r.state ?? 'pending' });
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 'step_up_required')) setFlow(c.name, { state: 'failed', message: (e as Error).message });
    } finally {
      setBusy(null);
    }
  };

  return (
    <div class="page" data-testid="page-connectors">
      <PageHeader title={t('cn_title')}>
        <button class="btn" onClick={reload}><Icon name="refresh" /> {t('refresh')}</button>
      </PageHeader>
      {returned && (
        <Notice tone="success">
          <span class="row-gap">
            {t('cn_consent_done', { name: returned })}
            <button class="btn btn-small btn-ghost" onClick={() => navigate('/connectors', {}, true)}>{t('close')}</button>
          </span>
        </Notice>
      )}
      {error !== undefined && <ErrorBox error={error} onRetry={reload} />}
      {loading && !data && <Loading />}
      {data && data.items.length === 0 && <Card><Empty>{t('cn_empty')}</Empty></Card>}
      <div class="cards">
        {data?.items.map((c) => {
          const flow = flows[c.name];
          const pending = flow?.state === 'pending';
          return (
            <Card key={c.name} title={<span class="row-gap"><Light color={lightOf(c)} label={word('cn_state', c.state)} /> {c.name} <span class="muted small">{c.type}{!c.enabled && ' · ' + t('cn_disabled')}</span></span>}
              actions={admin && (
                <>
                  <button class="btn btn-small" onClick={() => run(c)}><Icon name="play" size={14} /> {t('cn_run')}</button>
                  <button class="btn btn-small" onClick={() => reauth(c)} disabled={busy === c.name || (pending && flow?.approach === 'decoupled')}
                    data-testid={'reauth-' + c.name}>
                    <Icon name="key" size={14} /> {t('cn_reauth')}
                  </button>
                </>
              )}>
              <div data-testid={'connector-' + c.name}>
                <KeyValue rows={[
                  [t('st_status'), <span data-testid="connector-state">{word('cn_state', c.state)}{c.state_detail ? <span class="muted small"> · {c.state_detail}</span> : null}</span>],
                  [t('cn_last_success'), dateTime(c.last_success)],
                  [t('cn_last_error'), c.last_error ? <span class="text-error">{c.last_error}</span> : ''],
                  [t('cn_consent'), c.consent_expires_at ? <span data-testid="consent-expires">{date(c.consent_expires_at)}</span> : ''],
                  [t('cn_next'), dateTime(c.next_run)],
                  [t('cn_accounts'), c.accounts?.length ? <span class="mono small">{c.accounts.map(iban).join(', ')}</span> : ''],
                ]} />
                {flow && <ConsentPanel flow={flow} />}
              </div>
              <button class="link" onClick={() => setOpen(open === c.name ? null : c.name)} aria-expanded={open === c.name}>
                {open === c.name ? '▾' : '▸'} {t('cn_log')}
              </button>
              {open === c.name && <ConnectorLog name={c.name} />}
            </Card>
          );
        })}
      </div>
    </div>
  );
}
