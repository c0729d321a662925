import type { MessageSchema } from './zh-CN'

const en: MessageSchema = {
  app: {
    name: 'Baoxue',
    tagline: 'Dropout control · Not one less',
  },
  home: {
    login: 'Sign in',
    switchLanguage: '中文',
  },
  login: {
    title: 'Sign in',
    username: 'Username',
    usernamePlaceholder: 'Enter your username',
    usernameRequired: 'Username is required',
    password: 'Password',
    passwordPlaceholder: 'Enter your password',
    passwordRequired: 'Password is required',
    submit: 'Sign in',
    success: 'Signed in',
    failed: 'Sign-in failed: {reason}',
    offline: 'No network. Connect and try again.',
  },
}

export default en
