import { useRef, useState } from 'preact/hooks';
import { ApiError, upload, UploadOutcome } from '../api';
import { Icon } from '../components/icons';
import { Card, PageHeader, StatusBadge } from '../components/ui';
import { fileSize, num, percent } from '../format';
import { t, tn } from '../i18n';
import { parseFrame } from '../parse_error';

interface Item {
  id: number;
  file: File;
  state: 'waiting' | 'uploading' | 'processing' | 'done' | 'failed';
  progress: number;
  outcome?: UploadOutcome;
  error?: string;
}

let nextId = 0;


function outcomeText(o: UploadOutcome): string {
  if (o.status === 'imported')
    return t('up_imported', {
      entries: tn('n_lines_one', 'n_lines', o.entries ?? 0, num(o.entries ?? 0)),
      statements: tn('n_statements_one', 'n_statements', o.statements ?? 0, num(o.statements ?? 0)),
      duplicates: tn('n_duplicates_one', 'n_duplicates', o.duplicates ?? 0, num(o.duplicates ?? 0)),
    });
  if (o.status === 'duplicate_file') return t('up_duplicate');
  const f = parseFrame(o.error?.message ?? '');
  if (f) return t('up_error', { message: f.parts.join(', ') + ' — ' + f.detail });
  const at = o.error?.line ? ' (' + t('up_error_at', { line: o.error.line, column: o.error.column ?? 0 }) + ')' : '';
  return t('up_error', { message: (o.error?.message ?? '') + at });
}

export function UploadPage() {
  const [items, setItems] = useState<Item[]>([]);
  const [over, setOver] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const running = useRef(false);
  const queue = useRef<Item[]>([]);

  const update = (id: number, patch: Partial<Item>) => setItems((list) => list.map((i) => (i.id === id ? { ...i, ...patch } : i)));

  // One file at a time: the server parses each upload as it arrives, in order.
  const pump = async () => {
    if (running.current) return;
    running.current = true;
    while (queue.current.length) {
      const item = queue.current.shift()!;
      update(item.id, { state: 'uploading', progress: 0 });
      try {
        const outcome = await upload(item.file, (p) => update(item.id, { progress: p, state: p >= 1 ? 'processing' : 'uploading' }));
        update(item.id, { state: outcome.status === 'error' ? 'failed' : 'done', progress: 1, outcome });
      } catch (e) {
        const msg = e instanceof ApiError && e.status === 413 ? t('up_too_large') : e instanceof ApiError && e.missing ? t('err_missing_api') : (e as Error).message;
        update(item.id, { state: 'failed', error: msg });
      }
    }
    running.current = false;
  };

  const add = (files: FileList | null) => {
    if (!files?.length) return;
    const added = [...files].map((file) => ({ id: ++nextId, file, state: 'waiting' as const, progress: 0 }));
    setItems((list) => [...list, ...added]);
    queue.current.push(...added);
    void pump();
  };

  return (
    <div class="page" data-testid="page-upload">
      <PageHeader title={t('up_title')}>
        {items.some((i) => i.state === 'done') && <a class="btn" href="#/statements">{t('up_view')}</a>}
      </PageHeader>
      <div
        class={'dropzone' + (over ? ' over' : '')}
        onDragOver={(e) => { e.preventDefault(); setOver(true); }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => { e.preventDefault(); setOver(false); add(e.dataTransfer?.files ?? null); }}
        data-testid="dropzone"
      >
        <Icon name="upload" size={36} />
        <p class="dropzone-title">{t('up_drop')}</p>
        <p class="muted">{t('up_drop_hint')}</p>
        <button class="btn btn-primary" onClick={() => input.current?.click()}>{t('up_choose')}</button>
        <input ref={input} type="file" multiple class="visually-hidden" data-testid="file-input" aria-label={t('up_choose')}
          onChange={(e) => { add(e.currentTarget.files); e.currentTarget.value = ''; }} />
      </div>
      {items.length > 0 && (
        <Card title={t('up_queue')} actions={
          <button class="btn btn-small" onClick={() => setItems((l) => l.filter((i) => i.state !== 'done' && i.state !== 'failed'))}>{t('up_clear')}</button>
        }>
          <ul class="uploads" data-testid="uploads">
            {items.map((i) => (
              <li key={i.id} class={'upload upload-' + i.state} data-state={i.state}>
                <Icon name="file" />
                <div class="upload-main">
                  <div class="upload-line">
                    <span class="strong ellipsis">{i.file.name}</span>
                    <span class="muted small">{fileSize(i.file.size)}</span>
                    {i.outcome && <StatusBadge status={i.outcome.status} />}
                    {i.state === 'failed' && !i.outcome && <StatusBadge status="error" />}
                  </div>
                  {(i.state === 'uploading' || i.state === 'processing') && (
                    <div class="progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(i.progress * 100)}>
                      <progress max={1} value={i.progress} />
                      <span class="muted small">{i.state === 'processing' ? t('up_processing') : t('up_uploading', { p: percent(i.progress) })}</span>
                    </div>
                  )}
                  {i.state === 'waiting' && <span class="muted small">{t('up_waiting')}</span>}
                  {i.outcome && <span class="small upload-outcome">{outcomeText(i.outcome)}</span>}
                  {i.error && <span class="small text-error">{i.error}</span>}
                </div>
              </li>
            ))}
          </ul>
        </Card>
      )}
    </div>
  );
}
