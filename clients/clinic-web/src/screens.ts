import type { Permission } from './permissions';

/** The screens of the navigation and the permission each needs (App.tsx guards the same ones). */
export const SCREENS: { path: string; label: string; permission: Permission }[] = [
  { path: '/', label: 'Queue', permission: 'visit:read' },
  { path: '/patients', label: 'Patients', permission: 'patient:read' },
  { path: '/reports', label: 'Reports', permission: 'report:read' },
  { path: '/admin/staff', label: 'Staff', permission: 'user:write' },
  { path: '/admin/templates', label: 'Templates', permission: 'template:write' },
  { path: '/admin/audit', label: 'Audit log', permission: 'audit:read' },
];
