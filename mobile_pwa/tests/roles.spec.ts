import { describe, expect, it } from 'vitest'
import type { UserRole } from '../src/api/types'
import { reportsAbsences, showsStatistics, sweeps, tabsOf } from '../src/roles'

describe('tabs per role', () => {
  it('gives each role its tab bar', () => {
    expect(tabsOf('village_cadre')).toEqual(['home', 'households', 'cases', 'outbox', 'me'])
    expect(tabsOf('township_officer')).toEqual(['home', 'households', 'cases', 'statistics', 'outbox', 'me'])
    expect(tabsOf('teacher')).toEqual(['home', 'report', 'cases', 'outbox', 'me'])
    expect(tabsOf('principal')).toEqual(['home', 'cases', 'statistics', 'outbox', 'me'])
    expect(tabsOf('county_admin')).toEqual(['home', 'statistics', 'cases', 'me'])
    expect(tabsOf('supervisor')).toEqual(['home', 'statistics', 'cases', 'me'])
    expect(tabsOf('integration_client')).toEqual(['home', 'me'])
    expect(tabsOf(undefined)).toEqual([])
  })

  it('shows the statistics to those answerable for an area or a school', () => {
    const roles: UserRole[] = [
      'county_admin',
      'supervisor',
      'township_officer',
      'principal',
      'village_cadre',
      'teacher',
      'integration_client',
    ]
    expect(roles.filter(showsStatistics)).toEqual(['county_admin', 'supervisor', 'township_officer', 'principal'])
    expect(roles.filter(sweeps)).toEqual(['township_officer', 'village_cadre'])
    expect(roles.filter(reportsAbsences)).toEqual(['teacher'])
  })
})
