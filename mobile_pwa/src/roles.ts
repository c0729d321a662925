import type { UserRole } from './api/types'

export type Tab = 'home' | 'households' | 'report' | 'cases' | 'outbox' | 'me'

/** The tab bar each role works with: cadres sweep households, teachers report absences. */
const TABS: Record<UserRole, Tab[]> = {
  village_cadre: ['home', 'households', 'cases', 'outbox', 'me'],
  township_officer: ['home', 'households', 'cases', 'outbox', 'me'],
  teacher: ['home', 'report', 'cases', 'outbox', 'me'],
  principal: ['home', 'cases', 'outbox', 'me'],
  county_admin: ['home', 'cases', 'me'],
  supervisor: ['home', 'cases', 'me'],
  integration_client: ['home', 'me'],
}

export function tabsOf(role: UserRole | undefined): Tab[] {
  return role ? TABS[role] : []
}

export function sweeps(role: UserRole | undefined): boolean {
  return tabsOf(role).includes('households')
}

export function reportsAbsences(role: UserRole | undefined): boolean {
  return tabsOf(role).includes('report')
}
