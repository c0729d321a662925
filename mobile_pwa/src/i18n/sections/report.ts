// The report screen's messages (a teacher reports a suspected dropout); zh-CN first, en typed
// against it. Reason labels are labels.reason.
const zh = {
  title: '报告疑似辍学',
  hint: '学生连续缺课、疑似辍学时，当天报告学校（不过夜）',
  child: '学生',
  childPlaceholder: '点击选择本班学生',
  search: '输入姓名查找',
  noChildren: '手机上还没有本班名单，请联网后打开本页',
  noMatch: '没有找到这名学生',
  age: '{n} 岁',
  days: '连续缺课天数',
  lastSeen: '最后在校日期',
  reason: '可能的原因',
  note: '补充说明（选填）',
  notePlaceholder: '如：家长说去外地打工了',
  submit: '报告',
  saved: '已报告，待上传',
  openCase: '这名学生已有未结的个案，服务器可能不再受理',
  error: {
    child: '请选择学生',
    days: '请填写缺课天数',
    daysRange: '缺课天数应为 1 到 365 天',
    lastSeen: '请填写最后在校日期',
    lastSeenFuture: '最后在校日期不能晚于今天',
    noteTooLong: '补充说明不能超过 {max} 个字',
  },
}

const en: typeof zh = {
  title: 'Report a suspected dropout',
  hint: 'A pupil keeps missing school: report to the school the same day',
  child: 'Pupil',
  childPlaceholder: 'Tap to choose a pupil of your class',
  search: 'Search by name',
  noChildren: 'Your class list is not on the phone yet; open this page online',
  noMatch: 'No pupil found',
  age: 'Age {n}',
  days: 'Days absent in a row',
  lastSeen: 'Last day at school',
  reason: 'Likely reason',
  note: 'Note (optional)',
  notePlaceholder: 'e.g. the parents say he went to work in the city',
  submit: 'Report',
  saved: 'Reported, to send',
  openCase: 'This pupil has an open case already; the server may refuse another',
  error: {
    child: 'Choose a pupil',
    days: 'Enter the days absent',
    daysRange: 'Days absent: 1 to 365',
    lastSeen: 'Enter the last day at school',
    lastSeenFuture: 'The last day at school cannot be after today',
    noteTooLong: 'At most {max} characters',
  },
}

export default { zh, en }
