import type { Permission } from './permissions';

/** The screens of the navigation and the permission each needs (App.tsx guards the same ones). */
/** `label` is the key of its name in the language catalogues (i18n/en.ts, `nav`). */
export const SCREENS: { path: string; label: 'queue' | 'patients' | 'reports' | 'staff' | 'templates' | 'audit' | 'displays' | 'integrations' | 'settings'; permission: Permission }[] = [
  { path: '/', label: 'queue', permission: 'visit:read' },
  { path: '/patients', label: 'patients', permission: 'patient:read' },
  { path: '/reports', label: 'reports', permission: 'report:read' },
  { path: '/admin/staff', label: 'staff', permission: 'user:write' },
  { path: '/admin/templates', label: 'templates', permission: 'template:write' },
  { path: '/admin/audit', label: 'audit', permission: 'audit:read' },
  { path: '/admin/displays', label: 'displays', permission: 'display:write' },
  { path: '/admin/integrations', label: 'integrations', permission: 'integration:write' },
  { path: '/admin/settings', label: 'settings', permission: 'clinic:write' },
];
