// Source of truth for message keys: en.ts is typed against this shape. Each screen group keeps
// its messages in sections/, both languages side by side.
import households from './sections/households'
import visit from './sections/visit'
import cases from './sections/cases'
import report from './sections/report'

const zhCN = {
  app: {
    name: '保学通',
    tagline: '控辍保学 · 一个都不能少',
  },
  home: {
    login: '登录',
    switchLanguage: 'English',
    greeting: '{name}，您好',
    households: '入户走访',
    householdsHint: '{total} 户，未走访 {notVisited} 户',
    noPackage: '尚未下载入户包',
    report: '报告疑似辍学',
    reportHint: '学生连续缺课，30秒内报告',
    cases: '我的个案',
    casesHint: '{open} 个在办，{overdue} 个超期',
    notifications: '消息',
    notificationsHint: '{unread} 条未读',
    outbox: '待上传',
    loginAgain: '登录已过期，请重新登录（手机上的记录都还在）',
  },
  nav: {
    home: '首页',
    households: '走访',
    report: '报告',
    cases: '个案',
    outbox: '待上传',
    me: '我的',
  },
  role: {
    county_admin: '县教育局',
    township_officer: '乡镇干部',
    village_cadre: '村干部',
    principal: '校长',
    teacher: '班主任',
    supervisor: '督查',
    integration_client: '对接系统',
  },
  me: {
    title: '我的',
    package: '入户包',
    packageNone: '尚未下载',
    packageInfo: '{households} 户，{checkedAt} 更新',
    download: '下载 / 更新入户包',
    downloading: '正在下载…',
    downloaded: '入户包已更新：{changed} 户有变化',
    unchanged: '入户包已是最新',
    offline: '网络不可用，请联网后再试',
    language: '语言 / Language',
    logout: '退出登录',
    logoutConfirm: '退出后，本机保存的入户包和个案将被清除。',
    logoutUnsent: '还有 {count} 条记录未上传，退出将丢失这些记录。确定退出吗？',
    version: '版本 {version}',
  },
  session: {
    disabled: '账号已被停用，本机数据已清除',
    revoked: '登录已被撤销，本机数据已清除，请重新登录',
    otherUserUnsent: '上一位用户（{name}）还有 {count} 条记录未上传。换人登录将清除这些记录，确定继续吗？',
  },
  login: {
    title: '登录',
    username: '用户名',
    usernamePlaceholder: '请输入用户名',
    usernameRequired: '请填写用户名',
    password: '密码',
    passwordPlaceholder: '请输入密码',
    passwordRequired: '请填写密码',
    submit: '登录',
    success: '登录成功',
    failed: '登录失败：{reason}',
    offline: '网络不可用，请联网后再登录',
  },
  outbox: {
    state: {
      waiting: '待上传',
      sending: '上传中',
      synced: '已上传',
      error: '有误',
      conflict: '有冲突',
    },
    kind: {
      visit: '走访记录',
      household: '新发现的户',
      child: '新发现的儿童',
    },
    waitingCount: '待上传 {count} 条',
    allSynced: '全部已上传',
    syncNow: '立即上传',
    syncing: '正在上传…',
    retry: '重新上传',
    failure: {
      network: '网络不通，联网后会自动重传',
      server: '服务器暂时不可用，稍后会自动重传',
      auth: '登录已过期，请重新登录后再上传',
      rejected: '服务器拒收：{reason}',
      unanswered: '服务器未答复这一条，会自动重传',
    },
    conflictHint: '服务器上已有更新的记录，这次的观察没有覆盖它',
    serverState: '服务器记录：{status}（{changedAt} 更新）',
    casesOpened: '已生成疑似辍学个案 {count} 个',
  },
  households: households.zh,
  visit: visit.zh,
  cases: cases.zh,
  report: report.zh,
  validation: {
    idNumber: {
      shape: '身份证号码应为18位（最后一位可为X）或旧式15位数字',
      noSuchDate: '身份证号码中的出生日期不存在',
      impossibleDate: '身份证号码中的出生日期不合理',
      checkDigit: '身份证号码校验位不正确',
      birthDateDiffers: '身份证号码中的出生日期是{birthDate}，与填写的出生日期不一致',
      saysMale: '身份证号码表示性别为男，与填写的性别不一致',
      saysFemale: '身份证号码表示性别为女，与填写的性别不一致',
    },
    name: {
      required: '请填写姓名',
      tooLong: '姓名不能超过{longest}个字',
    },
    birthDate: {
      future: '出生日期不能晚于今天',
      notAChild: '已满{years}周岁，不是未成年人',
    },
    mobile: {
      shape: '手机号码须为11位，以13至19开头',
    },
    studentNumber: {
      length: '学籍号应为2至30个字符',
      badIdNumber: 'G字头学籍号应为G加身份证号码：{reason}',
      notTheChilds: '学籍号中的身份证号码与儿童的不一致',
      prefix: '学籍号应以G、L或J开头',
    },
  },
}

export type MessageSchema = typeof zhCN
export default zhCN
