// Source of truth for message keys: en.ts is typed against this shape.
const zhCN = {
  app: {
    name: '保学通',
    tagline: '控辍保学 · 一个都不能少',
  },
  home: {
    login: '登录',
    switchLanguage: 'English',
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
