import type { UserRole } from './api/types'

export type Tab = 'home' | 'households' | 'report' | 'cases' | 'stats' | 'outbox' | 'me'

/** The tab bar each role works with: cadres sweep households, teachers report absences, and
 *  those answerable for an area or a school read its statistics. */
const TABS: Record<UserRole, Tab[]> = {
  village_cadre: ['home', 'households', 'cases', 'outbox', 'me'],
  township_officer: ['home', 'households', 'cases', 'stats', 'outbox', 'me'],
  teacher: ['home', 'report', 'cases', 'outbox', 'me'],
  principal: ['home', 'cases', 'stats', 'outbox', 'me'],
  county_admin: ['home', 'stats', 'cases', 'me'],
  supervisor: ['home', 'stats', 'cases', 'me'],
  integration_client: ['home', 'me'],
}

export function tabsOf(role: UserRole | undefined): Tab[] {
  return role ? TABS[role] : []
}

export function sweeps(role: UserRole | undefined): boolean {
  return tabsOf(role).includes('households')
}

export function showsStats(role: UserRole | undefined): boolean {
  return tabsOf(role).includes('stats')
}

export function reportsAbsences(role: UserRole | undefined): boolean {
  return tabsOf(role).includes('report')
}
