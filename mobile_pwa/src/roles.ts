import type { UserRole } from './api/types'

export type Tab = 'home' | 'households' | 'report' | 'cases' | 'statistics' | 'outbox' | 'me'

/** The tab bar each role works with: cadres sweep households, teachers report absences, and
 *  those answerable for an area or a school read its statistics. */
const TABS: Record<UserRole, Tab[]> = {
  village_cadre: ['home', 'households', 'cases', 'outbox', 'me'],
  township_officer: ['home', 'households', 'cases', 'statistics', 'outbox', 'me'],
  teacher: ['home', 'report', 'cases', 'outbox', 'me'],
  principal: ['home', 'cases', 'statistics', 'outbox', 'me'],
  county_admin: ['home', 'statistics', 'cases', 'me'],
  supervisor: ['home', 'statistics', 'cases', 'me'],
  integration_client: ['home', 'me'],
}

export function tabsOf(role: UserRole | undefined): Tab[] {
  return role ? TABS[role] : []
}

export function sweeps(role: UserRole | undefined): boolean {
  return tabsOf(role).includes('households')
}

export function showsStatistics(role: UserRole | undefined): boolean {
  return tabsOf(role).includes('statistics')
}

export function reportsAbsences(role: UserRole | undefined): boolean {
  return tabsOf(role).includes('report')
}
