// Line icons (24×24, stroke = currentColor), drawn for bankrec.
const paths: Record<string, string> = {
  dashboard: 'M4 13h6V4H4zM14 20h6v-9h-6zM4 20h6v-4H4zM14 8h6V4h-6z',
  statements: 'M7 3h7l5 5v13H7zM14 3v5h5M10 13h6M10 17h6',
  transactions: 'M4 7h13l-3-3M20 17H7l3 3',
  upload: 'M12 16V4M7 9l5-5 5 5M4 16v4h16v-4',
  review: 'M9 11l3 3 8-8M20 12v7a1 1 0 0 1-1 1H5a1 1 0 0 1-1-1V5a1 1 0 0 1 1-1h11',
  errors: 'M12 3l10 18H2zM12 10v5M12 18v.5',
  connectors: 'M8 7V3M16 7V3M6 7h12v4a6 6 0 0 1-12 0zM12 17v4',
  rules: 'M4 6h16M4 12h10M4 18h6M17 15l2 2 3-4',
  users: 'M9 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM2 21a7 7 0 0 1 14 0M17 3a4 4 0 0 1 0 8M22 21a7 7 0 0 0-4-6.3',
  audit: 'M12 3l8 3v6c0 5-3.5 8-8 9-4.5-1-8-4-8-9V6zM9 12l2 2 4-4',
  settings: 'M12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM19 12l2-1-1-3-2 .3-1.3-1.3.3-2-3-1-1 2h-2l-1-2-3 1 .3 2L6 7.3 4 7 3 10l2 1v2l-2 1 1 3 2-.3L7.3 18 7 20l3 1 1-2h2l1 2 3-1-.3-2 1.3-1.3 2 .3 1-3-2-1z',
  logout: 'M15 4h4v16h-4M10 8l-4 4 4 4M6 12h11',
  menu: 'M4 6h16M4 12h16M4 18h16',
  download: 'M12 4v12M7 11l5 5 5-5M4 20h16',
  check: 'M5 12l5 5 9-10',
  skip: 'M5 5l8 7-8 7zM17 5v14',
  x: 'M6 6l12 12M18 6L6 18',
  search: 'M11 18a7 7 0 1 0 0-14 7 7 0 0 0 0 14zM21 21l-5-5',
  refresh: 'M20 11a8 8 0 1 0-2.3 5.7M20 4v7h-7',
  play: 'M7 4l13 8-13 8z',
  key: 'M15 9a4 4 0 1 1-3.5 2.1L4 18.5V21h3v-2h2v-2h2l1.1-1.1A4 4 0 0 1 15 9z',
  file: 'M7 3h7l5 5v13H7zM14 3v5h5',
};

export function Icon(props: { name: keyof typeof paths | string; size?: number }) {
  const s = props.size ?? 18;
  return (
    <svg class="icon" width={s} height={s} viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.8"
      stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false">
      <path d={paths[props.name] ?? ''} />
    </svg>
  );
}
