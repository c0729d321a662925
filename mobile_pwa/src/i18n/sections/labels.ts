// The API's vocabulary in words, shared by every screen that shows it.
const zh = {
  schooling: {
    unknown: '情况不明',
    enrolled_in_county: '县内在校',
    enrolled_outside_county: '县外就读',
    home_delivered: '送教上门',
    suspended: '休学',
    deferred: '缓学',
    exempt: '免学',
    dropped_out: '辍学',
    never_enrolled: '未入学',
    completed: '已完成义务教育',
    deceased: '已死亡',
    emigrated: '已迁出',
    whereabouts_unknown: '下落不明',
  },
  reason: {
    unknown: '原因不明',
    economic_hardship: '家庭经济困难',
    learning_difficulty: '学习困难',
    weariness: '厌学',
    family_change: '家庭变故',
    gone_to_work: '外出务工',
    illness_or_disability: '疾病或残疾',
    early_marriage: '早婚',
    other: '其他',
  },
  outcome: {
    met: '见到家人',
    nobody_home: '无人在家',
    refused: '拒绝',
    moved_away: '已搬走',
    household_gone: '户已不存在',
  },
}

const en: typeof zh = {
  schooling: {
    unknown: 'Unknown',
    enrolled_in_county: 'At school in the county',
    enrolled_outside_county: 'At school outside the county',
    home_delivered: 'Taught at home',
    suspended: 'Suspended',
    deferred: 'Deferred entry',
    exempt: 'Exempt',
    dropped_out: 'Dropped out',
    never_enrolled: 'Never enrolled',
    completed: 'Completed compulsory schooling',
    deceased: 'Deceased',
    emigrated: 'Moved out',
    whereabouts_unknown: 'Whereabouts unknown',
  },
  reason: {
    unknown: 'Not known',
    economic_hardship: 'Economic hardship',
    learning_difficulty: 'Learning difficulty',
    weariness: 'Weary of school',
    family_change: 'Family change',
    gone_to_work: 'Gone out to work',
    illness_or_disability: 'Illness or disability',
    early_marriage: 'Early marriage',
    other: 'Other',
  },
  outcome: {
    met: 'Met the family',
    nobody_home: 'Nobody home',
    refused: 'Refused',
    moved_away: 'Moved away',
    household_gone: 'Household gone',
  },
}

export default { zh, en }
