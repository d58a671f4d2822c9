import { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { Key, t, tv } from '../i18n';
import { Route } from '../router';
import { Me, signOut } from '../session';
import { Icon } from './icons';

interface NavItem {
  path: string;
  label: Key;
  icon: string;
  permission?: string;
}

export const workNav: NavItem[] = [
  { path: '/', label: 'nav_dashboard', icon: 'dashboard' },
  { path: '/review', label: 'nav_review', icon: 'review' },
  { path: '/statements', label: 'nav_statements', icon: 'statements' },
  { path: '/transactions', label: 'nav_transactions', icon: 'transactions' },
  { path: '/upload', label: 'nav_upload', icon: 'upload', permission: 'upload' },
  { path: '/errors', label: 'nav_errors', icon: 'errors' },
];

export const adminNav: NavItem[] = [
  { path: '/connectors', label: 'nav_connectors', icon: 'connectors' },
  { path: '/rules', label: 'nav_rules', icon: 'rules' },
  { path: '/users', label: 'nav_users', icon: 'users', permission: 'manage_users' },
  { path: '/audit', label: 'nav_audit', icon: 'audit' },
  { path: '/settings', label: 'nav_settings', icon: 'settings' },
];

function isActive(route: Route, path: string): boolean {
  if (path === '/') return route.path === '/';
  return route.path === path || route.path.startsWith(path + '/');
}

export function Layout(props: { me: Me; route: Route; children: ComponentChildren }) {
  const [open, setOpen] = useState(false);
  useEffect(() => setOpen(false), [props.route.path]);
  const perms = props.me.user.permissions;
  const links = (items: NavItem[]) =>
    items
      .filter((i) => !i.permission || perms.includes(i.permission))
      .map((i) => (
        <li key={i.path}>
          <a href={'#' + i.path} class={isActive(props.route, i.path) ? 'active' : ''}
            aria-current={isActive(props.route, i.path) ? 'page' : undefined}>
            <Icon name={i.icon} />
            <span>{t(i.label)}</span>
          </a>
        </li>
      ));
  return (
    <div class={'shell' + (open ? ' nav-open' : '')}>
      <a class="skip-link" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>
        {t('skip_to_content')}
      </a>
      <aside class="sidebar">
        <div class="brand">
          <span class="brand-mark" aria-hidden="true">
            <Icon name="statements" size={16} />
          </span>
          <span class="brand-name">bankrec</span>
          <button class="nav-toggle" aria-label={t('menu')} aria-expanded={open} onClick={() => setOpen(!open)}>
            <Icon name="menu" />
          </button>
        </div>
        <nav class="nav" aria-label="main">
          <p class="nav-group">{t('nav_group_work')}</p>
          <ul>{links(workNav)}</ul>
          <p class="nav-group">{t('nav_group_admin')}</p>
          <ul>{links(adminNav)}</ul>
        </nav>
        <div class="user-box">
          <div class="avatar" aria-hidden="true">{props.me.user.name.slice(0, 1).toUpperCase()}</div>
          <div class="user-meta">
            <span class="user-name" title={t('signed_in_as', { name: props.me.user.name })}>{props.me.user.name}</span>
            <span class="user-role">{tv('role', props.me.user.role)}</span>
          </div>
          <button class="btn-icon" onClick={() => signOut()} aria-label={t('sign_out')} title={t('sign_out')} data-testid="sign-out">
            <Icon name="logout" />
          </button>
        </div>
      </aside>
      <main id="main" tabIndex={-1} class="content">
        {props.children}
      </main>
    </div>
  );
}
