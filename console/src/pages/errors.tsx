import { post, query, Page } from '../api';
import { Icon } from '../components/icons';
import { Card, Empty, ErrorBox, Loading, PageHeader, Pager, toast } from '../components/ui';
import { jobKindText, operationText, outcomeText } from '../codes';
import { dateTime } from '../format';
import { useApi, useCursor } from '../hooks';
import { Key, t, tv } from '../i18n';
import { parseFrame } from '../parse_error';
import { href, Route } from '../router';
import { can } from '../session';

interface ErrorItem {
  kind: string;
  id: string | number;
  at: string;
  source: string;
  message: string;
  detail: string;
  can_retry: boolean;
}

interface Alert {
  id: number;
  kind: string;
  severity: string;
  title: string;
  detail: string;
  state: string;
  first_at: string;
  last_at: string;
  count: number;
}

const kinds: [string, Key][] = [
  ['', 'all'],
  ['parse', 'er_kind_parse'],
  ['dead_letter', 'er_kind_dead_letter'],
  ['connector', 'er_kind_connector'],
  ['alerts', 'er_alerts'],
];

function Alerts() {
  const { data, error, loading, reload } = useApi<Page<Alert>>('/api/v1/alerts?state=open&limit=100');
  const ack = async (a: Alert) => {
    try {
      await post('/api/v1/alerts/' + a.id + '/acknowledge');
      reload();
    } catch (e) {
      toast((e as Error).message, 'error');
    }
  };
  if (error !== undefined) return <ErrorBox error={error} onRetry={reload} />;
  if (loading && !data) return <Loading />;
  if (!data?.items.length) return <Card><Empty>{t('er_no_alerts')}</Empty></Card>;
  return (
    <Card>
      <ul class="alert-list">
        {data.items.map((a) => (
          <li key={a.id} class={'alert-item sev-' + a.severity}>
            <div>
              <span class="strong">{a.title}</span> <span class="muted small">{a.count > 1 ? t('er_count', { n: a.count }) : ''} {dateTime(a.last_at)}</span>
              <div class="muted small">{a.detail}</div>
            </div>
            {can('review') && <button class="btn btn-small" onClick={() => ack(a)}>{t('er_ack')}</button>}
          </li>
        ))}
      </ul>
    </Card>
  );
}

/** The message of one error, its recurring frame in the user's language. */
function Message(props: { e: ErrorItem }) {
  const e = props.e;
  if (e.kind === 'parse') {
    const f = parseFrame(e.message);
    if (f) {
      return (
        <>
          <div class="error-frame">{f.parts.join(' · ')}</div>
          <div lang="en" title={t('er_original_en')}>{f.detail}</div>
        </>
      );
    }
  }
  if (e.kind === 'connector') {
    const m = /^(\S+): (\S+)(?: \(http (\d+)\))?$/.exec(e.message);
    if (m) {
      // "transactions: http_401 (http 401)": the operation and outcome in words, the status once.
      const http = /^http_\d+$/.test(m[2]);
      return (
        <>
          <div title={e.message} data-testid="error-request">
            {t('er_request', { operation: operationText(m[1]), outcome: outcomeText(m[2]) })}
            {m[3] && !http && <> · {t('er_http', { status: m[3] })}</>}
          </div>
          {e.detail && <div class="muted small mono">{e.detail}</div>}
        </>
      );
    }
  }
  return (
    <>
      <div lang="en">{e.message}</div>
      {e.detail && e.kind !== 'parse' && <div class="muted small mono detail-clip" title={e.detail}>{e.detail}</div>}
    </>
  );
}

/** Where the error came from: the intake and who for a file, the job's kind, the connector. */
function Source(props: { e: ErrorItem }) {
  const e = props.e;
  if (e.kind === 'parse') {
    const [source, actor] = e.source.split(':');
    return (
      <>
        <div>{tv('source', source)}{actor && <span class="muted"> · {actor}</span>}</div>
        {e.detail && (
          <div class="small">
            <a class="link" href={'/api/v1/files/' + encodeURIComponent(String(e.id)) + '/original'} download={e.detail}
              title={t('er_download_hint')} data-testid="error-download">
              <Icon name="download" size={14} /> {e.detail}
            </a>
          </div>
        )}
      </>
    );
  }
  if (e.kind === 'dead_letter') return <span title={e.source} data-testid="error-job">{t('er_job', { kind: jobKindText(e.source) })}</span>;
  return <span>{e.source}</span>;
}

export function ErrorsPage(props: { route: Route }) {
  const kind = props.route.query.get('kind') ?? '';
  const cursor = useCursor(kind);
  const { data, error, loading, reload } = useApi<Page<ErrorItem>>(
    kind === 'alerts' ? null : '/api/v1/errors' + query({ kind, limit: 50, after: cursor.after }),
  );
  const act = async (item: ErrorItem, verb: 'retry' | 'dismiss') => {
    try {
      await post('/api/v1/jobs/' + item.id + '/' + verb);
      toast(verb === 'retry' ? t('er_retried') : t('er_dismissed'));
      reload();
    } catch (e) {
      toast((e as Error).message, 'error');
    }
  };
  return (
    <div class="page" data-testid="page-errors">
      <PageHeader title={t('er_title')}>
        <button class="btn" onClick={reload}><Icon name="refresh" /> {t('refresh')}</button>
      </PageHeader>
      <div class="tabs" role="tablist">
        {kinds.map(([k, label]) => (
          <a key={k} role="tab" aria-selected={kind === k} class={kind === k ? 'on' : ''} href={href('/errors', { kind: k })}>{t(label)}</a>
        ))}
      </div>
      {kind === 'alerts' ? (
        <Alerts />
      ) : (
        <>
          {error !== undefined && <ErrorBox error={error} onRetry={reload} />}
          {loading && !data && <Loading />}
          {data && (
            <Card>
              {data.items.length === 0 ? (
                <Empty>{kind && cursor.page === 1 ? t('er_empty_kind') : t('er_empty')}</Empty>
              ) : (
                <div class="table-wrap">
                  <table class="table" data-testid="errors-table">
                    <thead><tr><th>{t('er_at')}</th><th>{t('er_kind')}</th><th>{t('er_source')}</th><th>{t('er_message')}</th><th /></tr></thead>
                    <tbody>
                      {data.items.map((e) => (
                        <tr key={e.kind + e.id}>
                          <td class="nowrap">{dateTime(e.at)}</td>
                          <td>{['parse', 'dead_letter', 'connector'].includes(e.kind) ? t(('er_one_' + e.kind) as Key) : e.kind}</td>
                          <td class="error-source"><Source e={e} /></td>
                          <td class="error-message"><Message e={e} /></td>
                          <td class="nowrap right">
                            {e.kind === 'dead_letter' && can('review') && (
                              <>
                                {e.can_retry && <button class="btn btn-small" onClick={() => act(e, 'retry')}>{t('retry')}</button>}{' '}
                                <button class="btn btn-small btn-ghost" onClick={() => act(e, 'dismiss')}>{t('dismiss')}</button>
                              </>
                            )}
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
              <Pager page={cursor.page} hasNext={!!data.next} count={data.items.length} onPrev={cursor.back} onNext={() => data.next && cursor.forward(data.next)} />
            </Card>
          )}
        </>
      )}
    </div>
  );
}
