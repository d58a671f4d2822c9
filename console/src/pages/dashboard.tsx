import { useMemo } from 'preact/hooks';
import { Chart, ChartSeries, dayToUnix } from '../components/chart';
import { Card, Empty, ErrorBox, Light, Loading, Money, PageHeader } from '../components/ui';
import { date, dateTime, iban, money, num, percent } from '../format';
import { t, tn, tv } from '../i18n';
import { useApi } from '../hooks';

interface Dashboard {
  accounts: { iban: string; currency: string; bank: string; balance: string; balance_date: string }[];
  totals: { currency: string; amount: string }[];
  balance_history: { date: string; currency: string; amount: string }[];
  intake_today: { source: string; files: number; entries: number }[];
  auto_rate: { date: string; entries: number; reconciled: number; review: number; unmatched: number }[];
  review_backlog: number;
  open_alerts: number;
  connectors: { name: string; type: string; state: string; light: string; last_success: string | null; consent_expires_at: string | null }[];
}

const palette = ['#2563eb', '#0d9488', '#9333ea', '#ea580c'];

function BalanceChart(props: { history: Dashboard['balance_history'] }) {
  const { days, series } = useMemo(() => {
    const currencies = [...new Set(props.history.map((h) => h.currency))].slice(0, 4);
    const dayList = [...new Set(props.history.map((h) => h.date))].sort();
    const s: ChartSeries[] = currencies.map((c, i) => ({
      label: c,
      color: palette[i],
      values: dayList.map((d) => {
        const row = props.history.find((h) => h.date === d && h.currency === c);
        return row ? Number(row.amount) : null;
      }),
      format: (v: number) => money(v, c),
    }));
    return { days: dayList.map(dayToUnix), series: s };
  }, [props.history]);
  if (!days.length) return <Empty>{t('dash_no_data')}</Empty>;
  const single = series.length === 1 ? series[0].label : null;
  return (
    <Chart label={t('dash_balance_chart')} days={days} series={series}
      yFormat={(v) => (single ? money(v, single).replace(/[.,]00(?=\D*$)/, '') : num(v))} />
  );
}

function AutoChart(props: { rate: Dashboard['auto_rate'] }) {
  const { days, series } = useMemo(() => {
    const rows = [...props.rate].sort((a, b) => a.date.localeCompare(b.date));
    return {
      days: rows.map((r) => dayToUnix(r.date)),
      series: [
        {
          label: t('dash_auto_share'),
          color: '#0d9488',
          bars: true,
          values: rows.map((r) => (r.entries ? (r.reconciled / r.entries) * 100 : null)),
          format: (v: number) => percent(v / 100),
        },
      ] as ChartSeries[],
    };
  }, [props.rate]);
  if (!days.length) return <Empty>{t('dash_no_data')}</Empty>;
  return <Chart label={t('dash_auto_chart')} days={days} series={series} yRange={[0, 100]} yFormat={(v) => percent(v / 100)} />;
}

export function Dashboard() {
  const { data, error, loading, reload } = useApi<Dashboard>('/api/v1/dashboard');
  return (
    <div class="page" data-testid="page-dashboard">
      <PageHeader title={t('dash_title')}>
        <button class="btn" onClick={reload}>{t('refresh')}</button>
      </PageHeader>
      {error !== undefined && <ErrorBox error={error} onRetry={reload} />}
      {loading && !data && <Loading />}
      {data && (
        <>
          <div class="tiles">
            <div class="tile tile-accent">
              <span class="tile-label">{t('dash_cash')}</span>
              {data.totals.length ? (
                data.totals.map((x) => (
                  <span class="tile-value" key={x.currency}><Money amount={x.amount} currency={x.currency} colored={false} /></span>
                ))
              ) : (
                <span class="tile-value">—</span>
              )}
              <span class="tile-hint">{t('dash_total')}</span>
            </div>
            <a class="tile" href="#/review">
              <span class="tile-label">{t('dash_backlog')}</span>
              <span class="tile-value">{num(data.review_backlog)}</span>
              <span class="tile-hint">{t('dash_backlog_hint')}</span>
            </a>
            <a class={'tile' + (data.open_alerts ? ' tile-warn' : '')} href="#/errors?kind=alerts">
              <span class="tile-label">{t('dash_alerts')}</span>
              <span class="tile-value">{num(data.open_alerts)}</span>
              <span class="tile-hint">{t('dash_alerts_hint')}</span>
            </a>
            <div class="tile">
              <span class="tile-label">{t('dash_intake')}</span>
              {data.intake_today.length ? (
                <ul class="tile-list">
                  {data.intake_today.map((i) => (
                    <li key={i.source}>
                      <span class="strong">{tv('source', i.source)}</span>
                      <span class="muted">{tn('n_files_one', 'dash_files', i.files, num(i.files))} · {tn('n_lines_one', 'dash_entries', i.entries, num(i.entries))}</span>
                    </li>
                  ))}
                </ul>
              ) : (
                <span class="tile-value">0</span>
              )}
            </div>
          </div>
          <div class="grid-2">
            <Card title={t('dash_balance_chart')}><BalanceChart history={data.balance_history} /></Card>
            <Card title={t('dash_auto_chart')}><AutoChart rate={data.auto_rate} /></Card>
          </div>
          <div class="grid-3-2">
            <Card title={t('dash_accounts')}>
              {data.accounts.length ? (
                <div class="table-wrap"><table class="table">
                  <thead>
                    <tr><th>{t('col_account')}</th><th>{t('col_bank')}</th><th>{t('col_as_of')}</th><th class="num">{t('col_balance')}</th></tr>
                  </thead>
                  <tbody>
                    {data.accounts.map((a) => (
                      <tr key={a.iban + a.currency}>
                        <td class="mono nowrap">{iban(a.iban)}</td>
                        <td>{a.bank}</td>
                        <td>{date(a.balance_date)}</td>
                        <td class="num"><Money amount={a.balance} currency={a.currency} /></td>
                      </tr>
                    ))}
                  </tbody>
                </table></div>
              ) : (
                <Empty>{t('dash_no_data')}</Empty>
              )}
            </Card>
            <Card title={t('dash_connectors')} actions={<a href="#/connectors" class="link">{t('details')} ›</a>}>
              {data.connectors.length ? (
                <ul class="status-list">
                  {data.connectors.map((c) => (
                    <li key={c.name}>
                      <Light color={c.light} label={c.state} />
                      <span class="strong">{c.name}</span>
                      <span class="muted">{c.type}</span>
                      <span class="muted right">{dateTime(c.last_success)}</span>
                    </li>
                  ))}
                </ul>
              ) : (
                <Empty>{t('cn_empty')}</Empty>
              )}
            </Card>
          </div>
        </>
      )}
    </div>
  );
}
