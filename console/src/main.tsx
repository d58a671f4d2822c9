import 'uplot/dist/uPlot.min.css';
import './styles.css';
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, post, setStepUpPrompt, setUnauthorisedHandler } from './api';
import { Layout } from './components/layout';
import { Field, Loading, Modal, Notice, Toasts } from './components/ui';
import { language, setLanguage, t } from './i18n';
import { useRoute } from './router';
import { can, loadSession, Me, session, storedLanguage, storedLocale } from './session';
import { useSignal } from './signal';
import { Audit } from './pages/audit';
import { Connectors } from './pages/connectors';
import { Dashboard } from './pages/dashboard';
import { Enrol, Login } from './pages/login';
import { ErrorsPage } from './pages/errors';
import { Review } from './pages/review';
import { Rules } from './pages/rules';
import { Settings } from './pages/settings';
import { StatementDetail, Statements } from './pages/statements';
import { TransactionDetail, Transactions } from './pages/transactions';
import { UploadPage } from './pages/upload';
import { Users } from './pages/users';

function Forbidden() {
  return (
    <div class="page-message" data-testid="forbidden">
      <h1>403</h1>
      <p>{t('err_forbidden')}</p>
      <a class="btn" href="#/">{t('back_to_dashboard')}</a>
    </div>
  );
}

function NotFound() {
  return (
    <div class="page-message">
      <h1>404</h1>
      <p>{t('err_not_found')}</p>
      <a class="btn" href="#/">{t('back_to_dashboard')}</a>
    </div>
  );
}

function Page(props: { me: Me }) {
  const route = useRoute();
  const [first, second] = route.segments;
  useEffect(() => {
    document.getElementById('main')?.scrollTo?.(0, 0);
  }, [route.path]);
  let page;
  switch (first ?? '') {
    case '': page = <Dashboard />; break;
    case 'statements': page = second ? <StatementDetail id={second} /> : <Statements route={route} />; break;
    case 'transactions': page = second ? <TransactionDetail id={second} /> : <Transactions route={route} />; break;
    case 'upload': page = can('upload') ? <UploadPage /> : <Forbidden />; break;
    case 'review': page = <Review route={route} />; break;
    case 'errors': page = <ErrorsPage route={route} />; break;
    case 'connectors': page = <Connectors route={route} />; break;
    case 'rules': page = <Rules />; break;
    case 'users': page = can('manage_users') ? <Users /> : <Forbidden />; break;
    case 'audit': page = <Audit route={route} />; break;
    case 'settings': page = <Settings />; break;
    default: page = <NotFound />;
  }
  return <Layout me={props.me} route={route}>{page}</Layout>;
}

/** Asks for a fresh TOTP code; resolves true once POST /auth/step-up accepted it. */
function StepUpDialog(props: { done: (ok: boolean) => void }) {
  const [code, setCode] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      await post('/api/v1/auth/step-up', { code: code.trim() });
      props.done(true);
    } catch (err) {
      setError(err instanceof ApiError && err.code === 'invalid_code' ? t('stepup_wrong') : String((err as Error).message));
      setCode('');
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal title={t('stepup_title')} onClose={() => props.done(false)}>
      <form onSubmit={submit} class="stack" data-testid="step-up">
        <p>{t('stepup_intro')}</p>
        {error && <Notice tone="error">{error}</Notice>}
        <Field label={t('login_totp')}>
          <input class="input input-code" value={code} onInput={(e) => setCode(e.currentTarget.value)} inputMode="numeric"
            autoComplete="one-time-code" pattern="[0-9 ]*" maxLength={7} required name="stepup-code" />
        </Field>
        <div class="row-end">
          <button type="button" class="btn" onClick={() => props.done(false)}>{t('cancel')}</button>
          <button type="submit" class="btn btn-primary" disabled={busy || code.trim().length < 6}>{t('stepup_confirm')}</button>
        </div>
      </form>
    </Modal>
  );
}

function App() {
  const me = useSignal(session);
  useSignal(language); // re-render everything when the language changes
  const [loadError, setLoadError] = useState<unknown>(null);
  const [stepUp, setStepUp] = useState<((ok: boolean) => void) | null>(null);

  useEffect(() => {
    setUnauthorisedHandler(() => {
      if (session.get()) session.set(null);
    });
    setStepUpPrompt(() => new Promise<boolean>((resolve) => setStepUp(() => resolve)));
    loadSession().catch(setLoadError);
  }, []);

  if (loadError) {
    return (
      <div class="center-screen">
        <Notice tone="error">{t('err_network')}</Notice>
      </div>
    );
  }
  if (me === undefined) return <div class="center-screen"><Loading /></div>;
  let body;
  if (me === null) body = <Login />;
  else if (me.enrolment_needed) body = <Enrol me={me} />;
  else body = <Page me={me} />;
  return (
    <>
      {body}
      {stepUp && (
        <StepUpDialog
          done={(ok) => {
            stepUp(ok);
            setStepUp(null);
          }}
        />
      )}
      <Toasts />
    </>
  );
}

setLanguage(storedLanguage(), storedLocale());
render(<App />, document.getElementById('app')!);
