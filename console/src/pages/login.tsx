import { useEffect, useState } from 'preact/hooks';
import { ApiError, post, request } from '../api';
import { Icon } from '../components/icons';
import { Field, focusOnMount, Loading, Notice } from '../components/ui';
import { t } from '../i18n';
import { accept, loadPreferences, loadSession, Me, signOut } from '../session';

function Brand() {
  return (
    <div class="auth-brand">
      <span class="brand-mark big" aria-hidden="true"><Icon name="statements" size={22} /></span>
      <span>bankrec</span>
    </div>
  );
}

export function Login() {
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [recovery, setRecovery] = useState(false);
  const [step, setStep] = useState<'password' | 'code'>('password');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      const body: Record<string, string> = { name: name.trim(), password };
      if (step === 'code') body[recovery ? 'recovery_code' : 'totp'] = code.replace(/\s+/g, '');
      const me = await request<Me>('/api/v1/auth/login', { method: 'POST', body, quiet401: true });
      accept(me);
      await loadPreferences();
    } catch (err) {
      if (err instanceof ApiError && err.code === 'totp_required') {
        setStep('code');
      } else if (err instanceof ApiError && err.status === 429) {
        setError(t('login_throttled'));
      } else if (err instanceof ApiError && err.status === 401) {
        setError(t('login_failed'));
        if (step === 'code') setCode('');
      } else {
        setError(err instanceof ApiError && err.status === 0 ? t('err_network') : (err as Error).message);
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="auth-screen">
      <form class="auth-card" onSubmit={submit} data-testid="login-form">
        <Brand />
        <h1>{t('login_title')}</h1>
        <p class="subtitle">{t('login_subtitle')}</p>
        {error && <Notice tone="error">{error}</Notice>}
        {step === 'password' ? (
          <>
            <Field label={t('login_name')}>
              <input class="input" name="name" autoComplete="username" value={name} required ref={focusOnMount}
                onInput={(e) => setName(e.currentTarget.value)} />
            </Field>
            <Field label={t('login_password')}>
              <input class="input" name="password" type="password" autoComplete="current-password" value={password} required
                onInput={(e) => setPassword(e.currentTarget.value)} />
            </Field>
            <button class="btn btn-primary btn-block" type="submit" disabled={busy}>{t('login_continue')}</button>
          </>
        ) : (
          <>
            <p class="muted">{t('login_totp_hint')}</p>
            <Field label={recovery ? t('login_recovery') : t('login_totp')}>
              <input class="input input-code" name="totp" value={code} required ref={focusOnMount} key={recovery ? 'recovery' : 'totp'}
                inputMode={recovery ? 'text' : 'numeric'} autoComplete={recovery ? 'off' : 'one-time-code'}
                onInput={(e) => setCode(e.currentTarget.value)} />
            </Field>
            <button class="btn btn-primary btn-block" type="submit" disabled={busy}>{t('login_submit')}</button>
            <div class="row-between">
              <button type="button" class="link nowrap" onClick={() => { setStep('password'); setCode(''); setError(''); }}>
                ‹ {t('login_back')}
              </button>
              <button type="button" class="link" onClick={() => { setRecovery(!recovery); setCode(''); }}>
                {recovery ? t('login_totp') : t('login_use_recovery')}
              </button>
            </div>
          </>
        )}
      </form>
    </div>
  );
}

interface Enrolment {
  secret: string;
  otpauth_uri: string;
  qr_svg: string;
}

function svgDataUri(svg: string): string {
  return 'data:image/svg+xml;base64,' + btoa(unescape(encodeURIComponent(svg)));
}

/** Mandatory TOTP enrolment for approvers and admins: QR code, confirm a code, show recovery codes. */
export function Enrol(props: { me: Me }) {
  const [enrolment, setEnrolment] = useState<Enrolment | null>(null);
  const [codes, setCodes] = useState<string[] | null>(null);
  const [code, setCode] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    post<Enrolment>('/api/v1/auth/totp/enrol').then(setEnrolment, (e) => setError((e as Error).message));
  }, []);

  const confirm = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      const r = await post<{ recovery_codes: string[] }>('/api/v1/auth/totp/confirm', { code: code.replace(/\s+/g, '') });
      setCodes(r.recovery_codes);
    } catch (err) {
      setError(err instanceof ApiError && err.status < 500 ? t('stepup_wrong') : (err as Error).message);
      setCode('');
    } finally {
      setBusy(false);
    }
  };

  if (codes) {
    return (
      <div class="auth-screen">
        <div class="auth-card wide" data-testid="recovery-codes">
          <Brand />
          <h1>{t('enrol_codes_title')}</h1>
          <p class="muted">{t('enrol_codes_intro')}</p>
          <ol class="codes">{codes.map((c) => <li key={c}><code>{c}</code></li>)}</ol>
          <div class="row-between">
            <button class="btn" onClick={() => navigator.clipboard?.writeText(codes.join('\n'))}>{t('enrol_copy')}</button>
            <button class="btn btn-primary" onClick={() => loadSession()}>{t('enrol_done')}</button>
          </div>
        </div>
      </div>
    );
  }
  return (
    <div class="auth-screen">
      <form class="auth-card wide" onSubmit={confirm} data-testid="enrol-form">
        <Brand />
        <h1>{t('enrol_title')}</h1>
        <p class="muted">{t('enrol_intro')}</p>
        {error && <Notice tone="error">{error}</Notice>}
        {!enrolment && !error && <Loading />}
        {enrolment && (
          <div class="enrol-grid">
            <img class="qr" src={svgDataUri(enrolment.qr_svg)} alt={t('enrol_qr')} width={200} height={200} />
            <div class="stack">
              <p class="muted small">{t('enrol_secret')}</p>
              <code class="secret" data-testid="totp-secret">{enrolment.secret.replace(/(.{4})/g, '$1 ').trim()}</code>
              <Field label={t('login_totp')}>
                <input class="input input-code" name="totp" value={code} required ref={focusOnMount} inputMode="numeric"
                  autoComplete="one-time-code" onInput={(e) => setCode(e.currentTarget.value)} />
              </Field>
              <button class="btn btn-primary" type="submit" disabled={busy}>{t('enrol_confirm')}</button>
            </div>
          </div>
        )}
        <button type="button" class="link" onClick={() => signOut()}>{t('sign_out')} ({props.me.user.name})</button>
      </form>
    </div>
  );
}
