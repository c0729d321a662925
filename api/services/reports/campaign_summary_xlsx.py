"""The campaign summary as the workbook a county clerk files (总结报告): one sheet for each part
of the seed's summary (活动情况, 工作成效, 存在问题, 下一步工作) and one for each long table
(分区域覆盖, 每日走访), each headed by the report's title, its header row frozen, and native
charts beside the tables they draw (coverage by area, visits per day, reasons).
"""

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, PieChart, Reference
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from api.schemas.campaign_summary import CampaignSummary
from api.services.spreadsheets import sheets

PERCENT = "0.0%"
_LEVEL = {"township": "乡镇", "village": "村"}


def _sheet(
    book: Workbook, title: str, summary: CampaignSummary, header: list[str], widths: list[int]
) -> Worksheet:
    """A sheet headed by the report's title and the campaign, then ``header``, frozen below
    it; ``widths`` of its columns, of those of any table below too."""
    sheet: Worksheet = book.create_sheet(title)
    last = get_column_letter(len(widths))
    sheet.append([summary.title])
    sheet.merge_cells(f"A1:{last}1")
    sheet["A1"].font = Font(size=14, bold=True)
    sheet["A1"].alignment = Alignment(horizontal="center")
    activity = summary.activity
    sheet.append(
        [
            f"{title}　活动：{activity.name}（{activity.starts_on:%Y年%m月%d日}至"
            f"{activity.ends_on:%Y年%m月%d日}），截至{summary.as_of:%Y年%m月%d日}"
        ]
    )
    sheet.merge_cells(f"A2:{last}2")
    _header(sheet, header)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A4"
    sheet.print_title_rows = "3:3"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    return sheet


def _header(sheet: Worksheet, names: list[str]) -> None:
    sheet.append(names)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _rows(sheet: Worksheet, rows: list[list[Any]], percent: tuple[int, ...] = ()) -> None:
    """Rows under the last; the columns ``percent`` (0-based) shown as percentages."""
    for row in rows:
        sheet.append([sheets.cell(sheet, value) for value in row])
        for index in percent:
            sheet.cell(row=sheet.max_row, column=index + 1).number_format = PERCENT


def _figures(sheet: Worksheet, rows: list[tuple[str, Any, Any]]) -> None:
    """项目 / 数值 / 说明 rows; a float is a share, shown as a percentage."""
    for name, value, note in rows:
        sheet.append([sheets.cell(sheet, v) for v in (name, value, note)])
        if isinstance(value, float):
            sheet.cell(row=sheet.max_row, column=2).number_format = PERCENT


def _activity(book: Workbook, summary: CampaignSummary) -> None:
    a = summary.activity
    sheet = _sheet(book, "活动情况", summary, ["项目", "数值", "说明"], [24, 16, 40])
    c = a.coverage
    _figures(
        sheet,
        [
            ("活动名称", a.name, a.kind_label),
            ("活动区域", "、".join(p.name or p.code for p in a.areas), ""),
            ("开始日期", a.starts_on, ""),
            ("结束日期", a.ends_on, ""),
            *[(f"{p.label}阶段（起止）", p.starts_on, p.ends_on) for p in a.phases],
            ("应排查户数", c.households, "活动开始时确定的户，及其后新登记的户"),
            ("已走访户数", c.visited, "见到家人、已搬走或户已不存在"),
            ("待复访户数", c.to_revisit, "最近一次走访无人在家"),
            ("拒绝入户户数", c.refused, ""),
            ("尚未走访户数", c.not_visited, ""),
            ("户覆盖率", a.household_coverage, "已走访户数 ÷ 应排查户数"),
            ("入户走访次数", a.visits, f"其中 {a.visits_outside_periods} 次不在活动日期内"),
            ("参与走访人数", a.visitors, "村干部、教师等"),
            ("适龄儿童", c.children, "应排查户中义务教育年龄段儿童"),
            ("已核实就学情况", c.children_confirmed, ""),
            ("儿童核实率", a.child_coverage, "已核实 ÷ 适龄儿童"),
        ],
    )


def _by_area(book: Workbook, summary: CampaignSummary) -> None:
    a = summary.activity
    level = _LEVEL[a.level]
    sheet = _sheet(book, "分区域覆盖", summary,
                   ["区划代码", level, "应排查户数", "已走访", "待复访", "拒绝", "未走访",
                    "户覆盖率", "适龄儿童", "已核实"],
                   [16, 14, 10, 8, 8, 6, 8, 10, 10, 8])  # fmt: skip
    rows = [
        [r.code, r.name or r.code, r.counts.households, r.counts.visited, r.counts.to_revisit,
         r.counts.refused, r.counts.not_visited, r.household_coverage, r.counts.children,
         r.counts.children_confirmed]
        for r in a.by_area
    ]  # fmt: skip
    _rows(sheet, rows, percent=(7,))
    if rows:
        chart = BarChart()
        chart.type = "bar"
        chart.title = f"各{level}户覆盖率"
        chart.y_axis.number_format = PERCENT
        chart.y_axis.scaling.min = 0
        chart.y_axis.scaling.max = 1
        chart.legend = None
        chart.add_data(Reference(sheet, min_col=8, min_row=3, max_row=3 + len(rows)), True)
        chart.set_categories(Reference(sheet, min_col=2, min_row=4, max_row=3 + len(rows)))
        chart.height = max(7.5, 0.6 * len(rows) + 2)
        chart.width = 16
        sheet.add_chart(chart, "L4")


def _visits(book: Workbook, summary: CampaignSummary) -> None:
    a = summary.activity
    by_day = a.period_days == 1
    header = ["日期" if by_day else "起始日期", "截止日期", "走访户次"]
    sheet = _sheet(book, "每日走访" if by_day else "每周走访", summary, header, [12, 12, 10])
    periods = a.visits_by_period
    _rows(sheet, [[p.starts_on, p.ends_on, p.visits] for p in periods])
    if periods:
        chart = LineChart() if len(periods) > 14 else BarChart()
        chart.title = "每日入户走访户次" if by_day else "每周入户走访户次"
        chart.legend = None
        chart.y_axis.scaling.min = 0
        chart.add_data(Reference(sheet, min_col=3, min_row=3, max_row=3 + len(periods)), True)
        chart.set_categories(Reference(sheet, min_col=1, min_row=4, max_row=3 + len(periods)))
        chart.x_axis.number_format = "m/d"
        chart.width = 18
        sheet.add_chart(chart, "E4")


def _results(book: Workbook, summary: CampaignSummary) -> None:
    r = summary.results
    s = r.statistics
    sheet = _sheet(book, "工作成效", summary, ["项目", "数值", "说明"], [26, 12, 12, 10, 10, 10])
    place = r.statistics_area.name or r.statistics_area.code if r.statistics_area else "所辖范围"
    national = s.retention_rate_national
    _figures(
        sheet,
        [
            ("核实就学情况的适龄儿童", r.children_checked, "本次走访记录了就学情况"),
            ("排查发现未在校儿童", r.children_out_of_school, ""),
            ("活动期间新立个案", r.cases.opened, "按来源见下表"),
            ("其中确认辍学", r.cases.verified, ""),
            ("其中已返校", r.cases.returned, ""),
            ("活动期间劝返率", r.cases.return_rate, "已返校 ÷ 确认辍学"),
            ("入学率", s.enrolment_rate, f"{place}，{s.as_of:%Y-%m-%d}"),
            ("巩固率（本学年）", s.retention_rate_operational, "1 − 本学年辍学 ÷ 学年初在籍"),
            ("巩固率（国家口径）", national, "" if national is not None else "无八年前学籍数据"),
            ("在册辍学学生", s.dropouts_open, "辍学学生台账"),
            ("疑似辍学学生", s.suspected, ""),
            ("累计劝返率", s.return_rate, "已返校 ÷ 确认辍学"),
            ("稳定返校率", s.stable_return_rate, "返校满 90 天仍在校"),
            ("不过夜按时率", s.school_deadline_compliance, "24 小时内报告学校"),
            ("不过周按时率", s.county_deadline_compliance, "7 日内上报县教育局和乡镇"),
        ],
    )
    sheet.append([])
    _header(sheet, ["个案来源", "新立个案", "确认辍学", "已排除", "已返校", "劝返率"])
    _rows(
        sheet,
        [[x.label, x.opened, x.verified, x.dismissed, x.returned, x.return_rate]
         for x in [*r.by_source, r.cases]],
        percent=(5,),
    )  # fmt: skip


def _problems(book: Workbook, summary: CampaignSummary) -> None:
    p = summary.problems
    sheet = _sheet(book, "存在问题", summary, ["项目", "数值", "说明"], [24, 12, 12, 10, 8, 10])
    _figures(
        sheet,
        [
            ("未走访户数", p.unvisited_households, "含无人在家待复访"),
            ("未走访的村", p.villages_with_unvisited, ""),
            ("拒绝入户户数", p.refused_households, ""),
            ("未核实就学情况的儿童", p.children_unchecked, ""),
            ("超过上报时限的个案", p.cases_overdue, "不过周：7 日内上报"),
            ("确认辍学未制定劝返方案", p.cases_without_plan, "一人一案"),
            ("确认辍学尚未返校", p.cases_not_returned, ""),
            ("疑似辍学待核实", p.cases_suspected, ""),
        ],
    )
    sheet.append([])
    _header(sheet, ["覆盖率最低的村", "应排查户数", "已走访", "未走访", "拒绝", "户覆盖率"])
    _rows(
        sheet,
        [[v.name or v.code, v.counts.households, v.counts.visited, v.unvisited,
          v.counts.refused, v.household_coverage] for v in p.lowest_villages],
        percent=(5,),
    )  # fmt: skip
    sheet.append([])
    _header(sheet, ["辍学原因", "人数", "占比"])
    first = sheet.max_row
    _rows(sheet, [[r.label, r.cases, r.share] for r in p.reasons], percent=(2,))
    if p.reasons:
        chart = PieChart()
        chart.title = "辍学原因分布"
        chart.add_data(Reference(sheet, min_col=2, min_row=first, max_row=sheet.max_row), True)
        chart.set_categories(Reference(sheet, min_col=1, min_row=first + 1, max_row=sheet.max_row))
        sheet.add_chart(chart, "H4")


def _next_steps(book: Workbook, summary: CampaignSummary) -> None:
    sheet = _sheet(book, "下一步工作", summary, ["序号", "工作事项"], [6, 90])
    steps = summary.next_steps or ["各项工作均已完成，暂无待办事项。"]
    for n, step in enumerate(steps, start=1):
        sheet.append([n if summary.next_steps else "", sheets.cell(sheet, step)])
        sheet.cell(row=sheet.max_row, column=2).alignment = Alignment(wrap_text=True)


def workbook(summary: CampaignSummary) -> bytes:
    book = Workbook()
    book.remove(book.active)
    _activity(book, summary)
    _results(book, summary)
    _problems(book, summary)
    _next_steps(book, summary)
    _by_area(book, summary)
    _visits(book, summary)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
