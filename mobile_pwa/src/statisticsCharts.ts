/**
 * The statistics page's charts as echarts options, built by plain functions from the API's
 * rows (so tests read the series without drawing). Only types come from echarts here: the
 * library itself is registered in components/statistics/StatisticsChart.vue, inside the page's chunk.
 */
import type { ComposeOption } from 'echarts/core'
import type { BarSeriesOption, LineSeriesOption, PieSeriesOption } from 'echarts/charts'
import type { GridComponentOption, LegendComponentOption, TooltipComponentOption } from 'echarts/components'
import type { StatisticsRow } from './api/types'

export type ChartOption = ComposeOption<
  | BarSeriesOption
  | LineSeriesOption
  | PieSeriesOption
  | GridComponentOption
  | LegendComponentOption
  | TooltipComponentOption
>

/** An option and the height (px) it needs on a phone; null when there is nothing to draw. */
export interface Chart {
  option: ChartOption
  height: number
}

/** A rate as a percentage with one decimal for a bar (null: no bar, not a zero one). */
export function percentValue(rate: number | null | undefined): number | null {
  return rate === null || rate === undefined || !Number.isFinite(rate) ? null : Math.round(rate * 1000) / 10
}

const percentLabel = (value: unknown) =>
  value === null || value === undefined || value === '' ? '—' : `${String(value)}%`

// Animation off: the chart is read, printed and screenshotted, and should be there at once.
const BASE = { animation: false, textStyle: { fontSize: 12 } } as const

/**
 * Horizontal bars, a pair per child area: the enrolment rate and the current sweep's household
 * coverage. A series with no value at all (no sweep yet) is left out rather than drawn empty.
 */
export function areaBars(
  rows: readonly StatisticsRow[],
  words: { enrolment: string; coverage: string },
  nameOf: (row: StatisticsRow) => string,
): Chart | null {
  const series: BarSeriesOption[] = (
    [
      [words.enrolment, rows.map((r) => percentValue(r.enrolment_rate))],
      [words.coverage, rows.map((r) => percentValue(r.household_coverage))],
    ] as const
  )
    .filter(([, data]) => data.some((v) => v !== null))
    .map(([name, data]) => ({
      type: 'bar',
      name,
      data: [...data],
      barMaxWidth: 14,
      label: { show: true, position: 'right', fontSize: 11, formatter: ({ value }) => percentLabel(value) },
    }))
  if (!rows.length || !series.length) return null
  return {
    height: 56 + rows.length * (series.length * 16 + 12),
    option: {
      ...BASE,
      legend: { top: 0 },
      grid: { left: 4, right: 44, top: 28, bottom: 4, outerBoundsMode: 'same', outerBoundsContain: 'axisLabel' },
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: percentLabel },
      xAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
      yAxis: {
        type: 'category',
        inverse: true,
        data: rows.map(nameOf),
        axisLabel: { width: 88, overflow: 'truncate' },
      },
      series,
    },
  }
}

/** The open cases (on the ledger, or suspected) of each reason; reasons with none left out. */
export function reasonPie(rows: readonly StatisticsRow[], nameOf: (row: StatisticsRow) => string): Chart | null {
  const data = rows
    .map((r) => ({ name: nameOf(r), value: (r.dropouts_open ?? 0) + (r.suspected ?? 0) }))
    .filter((d) => d.value > 0)
  if (!data.length) return null
  return {
    height: 200,
    option: {
      ...BASE,
      tooltip: { trigger: 'item', formatter: '{b}：{c}（{d}%）' },
      series: [
        {
          type: 'pie',
          radius: ['36%', '66%'],
          center: ['50%', '50%'],
          data,
          label: { formatter: '{b}\n{c}', fontSize: 11 },
          labelLine: { length: 8, length2: 6 },
        },
      ],
    },
  }
}

/** The Mondays (YYYY-MM-DD) of the `weeks` weeks ending with the week of `asOf`. */
export function mondays(asOf: string, weeks: number): string[] {
  const day = new Date(`${asOf}T00:00:00Z`)
  day.setUTCDate(day.getUTCDate() - ((day.getUTCDay() + 6) % 7))
  return Array.from({ length: weeks }, (_, i) => {
    const monday = new Date(day)
    monday.setUTCDate(day.getUTCDate() - 7 * (weeks - 1 - i))
    return monday.toISOString().slice(0, 10)
  })
}

const WEEK = /^\d{4}-\d{2}-\d{2}$/

/**
 * Cases noticed each week as a line (every case counts toward the school deadline, so its count
 * is the cases noticed) and, as bars under it, those of them verified as dropouts: two lines
 * would hide each other wherever every case was verified. A week the server has no row for had
 * none; the x axis runs over the last `weeks` weeks whatever the rows.
 */
export function weeklyLine(
  rows: readonly StatisticsRow[],
  asOf: string,
  words: { noticed: string; verified: string },
  weeks = 12,
): Chart {
  const byWeek = new Map(rows.filter((r) => WEEK.test(r.code)).map((r) => [r.code, r]))
  const axis = [...new Set([...mondays(asOf, weeks), ...byWeek.keys()])].sort()
  const values = (pick: (r: StatisticsRow) => number | null) =>
    axis.map((week) => {
      const row = byWeek.get(week)
      return row ? (pick(row) ?? 0) : 0
    })
  const noticed: LineSeriesOption = {
    type: 'line',
    name: words.noticed,
    data: values((r) => r.school_deadline_due),
    symbolSize: 6,
    z: 3,
  }
  const verified: BarSeriesOption = {
    type: 'bar',
    name: words.verified,
    data: values((r) => r.cases_verified),
    barMaxWidth: 10,
  }
  return {
    height: 220,
    option: {
      ...BASE,
      legend: { top: 0 },
      grid: { left: 4, right: 12, top: 32, bottom: 4, outerBoundsMode: 'same', outerBoundsContain: 'axisLabel' },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'category', data: axis.map((week) => week.slice(5)) },
      yAxis: { type: 'value', minInterval: 1 },
      series: [noticed, verified],
    },
  }
}
