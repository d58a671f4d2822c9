import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, post, put } from '../api';
import { Card, Empty, ErrorBox, Loading, Notice, PageHeader, toast } from '../components/ui';
import { num } from '../format';
import { useApi } from '../hooks';
import { t } from '../i18n';
import { can } from '../session';

interface Rules {
  yaml: string;
  path: string;
  rules: { name: string; strategy: string; enabled: boolean }[];
}
interface Problem {
  line: number;
  key: string;
  message: string;
}
interface DryRun {
  entries: number;
  changed: { entry_id: string | number; before: string; after: string; score: number | null }[];
  summary: Record<string, number | string>;
}

export function Rules() {
  const { data, error, loading, reload } = useApi<Rules>('/api/v1/rules');
  const [text, setText] = useState('');
  const [problems, setProblems] = useState<Problem[] | null>(null);
  const [dry, setDry] = useState<DryRun | null>(null);
  const [days, setDays] = useState(30);
  const [busy, setBusy] = useState(false);
  const editor = useRef<HTMLTextAreaElement>(null);
  const admin = can('manage_rules');

  useEffect(() => {
    if (data) setText(data.yaml);
  }, [data]);

  const run = async (fn: () => Promise<void>) => {
    setBusy(true);
    try {
      await fn();
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 'step_up_required')) toast((e as Error).message, 'error');
    } finally {
      setBusy(false);
    }
  };
  const validate = () => run(async () => {
    const r = await post<{ ok: boolean; problems: Problem[] }>('/api/v1/rules/validate', { yaml: text });
    setProblems(r.ok ? [] : r.problems);
  });
  const dryRun = () => run(async () => setDry(await post<DryRun>('/api/v1/rules/dry-run', { yaml: text, days })));
  const save = () => run(async () => {
    await put('/api/v1/rules', { yaml: text });
    toast(t('ru_saved'));
    reload();
  });
  const goToLine = (line: number) => {
    const el = editor.current;
    if (!el) return;
    const lines = el.value.split('\n');
    const start = lines.slice(0, line - 1).reduce((a, l) => a + l.length + 1, 0);
    el.focus();
    el.setSelectionRange(start, start + (lines[line - 1]?.length ?? 0));
  };
  const lineCount = text.split('\n').length;

  return (
    <div class="page" data-testid="page-rules">
      <PageHeader title={t('ru_title')} subtitle={data?.path ? t('ru_file', { path: data.path }) : undefined}>
        {admin && (
          <>
            <button class="btn" disabled={busy} onClick={validate}>{t('ru_validate')}</button>
            <span class="inline-field">
              <input class="input input-small num-input" type="number" min={1} max={365} value={days} aria-label={t('ru_days')}
                onInput={(e) => setDays(Number(e.currentTarget.value) || 30)} />
              <span class="muted small">{t('ru_days')}</span>
            </span>
            <button class="btn" disabled={busy} onClick={dryRun}>{t('ru_dry_run')}</button>
            <button class="btn btn-primary" disabled={busy || text === data?.yaml} onClick={save}>{t('ru_save')}</button>
          </>
        )}
      </PageHeader>
      {error !== undefined && <ErrorBox error={error} onRetry={reload} />}
      {loading && !data && <Loading />}
      {data && (
        <div class="rules-grid">
          <Card class="editor-card">
            {!admin && <Notice tone="info">{t('ru_readonly')}</Notice>}
            <div class="editor">
              <pre class="gutter" aria-hidden="true">{Array.from({ length: lineCount }, (_, i) => i + 1).join('\n')}</pre>
              <textarea ref={editor} class="code" spellcheck={false} value={text} readOnly={!admin} aria-label={t('ru_title')}
                onInput={(e) => { setText(e.currentTarget.value); setProblems(null); }}
                onScroll={(e) => { const g = e.currentTarget.previousElementSibling as HTMLElement; g.scrollTop = e.currentTarget.scrollTop; }} />
            </div>
          </Card>
          <div class="stack">
            {problems && problems.length === 0 && <Notice tone="success">{t('ru_valid')}</Notice>}
            {problems && problems.length > 0 && (
              <Card title={t('ru_problems')}>
                <ul class="problems">
                  {problems.map((p, i) => (
                    <li key={i}>
                      <button class="link" onClick={() => goToLine(p.line)}>{t('ru_line', { n: p.line })}</button>{' '}
                      <span class="mono small">{p.key}</span> {p.message}
                    </li>
                  ))}
                </ul>
              </Card>
            )}
            {dry && (
              <Card title={t('ru_dry_title', { days })}>
                <p>{t('ru_dry_summary', { entries: num(dry.entries), changed: num(dry.changed.length) })}</p>
                <ul class="plain small">
                  {Object.entries(dry.summary ?? {}).map(([k, v]) => <li key={k}><span class="muted">{k}</span> {String(v)}</li>)}
                </ul>
                {dry.changed.length > 0 && (
                  <table class="table table-compact">
                    <thead><tr><th>#</th><th>{t('ru_before')}</th><th>{t('ru_after')}</th><th class="num">{t('tx_score')}</th></tr></thead>
                    <tbody>
                      {dry.changed.slice(0, 100).map((c) => (
                        <tr key={c.entry_id}>
                          <td><a class="link" href={'#/transactions/' + c.entry_id}>{c.entry_id}</a></td>
                          <td>{c.before}</td><td>{c.after}</td><td class="num">{c.score ?? ''}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                )}
              </Card>
            )}
            <Card title={t('ru_list')}>
              {data.rules?.length ? (
                <table class="table table-compact">
                  <thead><tr><th>{t('us_name')}</th><th>{t('ru_strategy')}</th><th>{t('ru_enabled')}</th></tr></thead>
                  <tbody>
                    {data.rules.map((r) => (
                      <tr key={r.name}><td>{r.name}</td><td class="mono small">{r.strategy}</td><td>{r.enabled ? t('yes') : t('no')}</td></tr>
                    ))}
                  </tbody>
                </table>
              ) : <Empty>{t('none')}</Empty>}
            </Card>
          </div>
        </div>
      )}
    </div>
  );
}
