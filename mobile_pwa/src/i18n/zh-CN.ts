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
}

export type MessageSchema = typeof zhCN
export default zhCN
