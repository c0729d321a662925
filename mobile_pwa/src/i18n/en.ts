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
  outbox: {
    state: {
      waiting: 'Waiting',
      sending: 'Sending',
      synced: 'Uploaded',
      error: 'Has errors',
      conflict: 'Conflict',
    },
    kind: {
      visit: 'Visit',
      household: 'New household',
      child: 'New child',
    },
    waitingCount: '{count} waiting to upload',
    allSynced: 'Everything uploaded',
    syncNow: 'Upload now',
    syncing: 'Uploading…',
    retry: 'Upload again',
    failure: {
      network: 'No network: uploads again automatically once online',
      server: 'The server is unavailable for now: uploads again automatically later',
      auth: 'Your sign-in has expired: sign in again to upload',
      rejected: 'The server refused it: {reason}',
      unanswered: 'The server did not answer for this one: it will be sent again',
    },
    conflictHint: 'The server has a newer record; this observation did not overwrite it',
    serverState: 'On the server: {status} (changed {changedAt})',
    casesOpened: '{count} suspected-dropout case(s) opened',
  },
  validation: {
    idNumber: {
      shape: 'An ID number has 18 characters (the last may be X), or the old 15 digits',
      noSuchDate: 'The birth date in the ID number is not a real date',
      impossibleDate: 'The birth date in the ID number is impossible',
      checkDigit: 'The ID number\'s check digit does not match',
      birthDateDiffers: 'The birth date in the ID number, {birthDate}, differs from the one given',
      saysMale: 'The ID number says male, not the sex given',
      saysFemale: 'The ID number says female, not the sex given',
    },
    name: {
      required: 'A name is required',
      tooLong: 'At most {longest} characters',
    },
    birthDate: {
      future: 'The birth date is in the future',
      notAChild: 'Older than {years}: not a child',
    },
    mobile: {
      shape: 'A mobile number has 11 digits and starts with 13 to 19',
    },
    studentNumber: {
      length: 'A student number has 2 to 30 characters',
      badIdNumber: 'A G student number is G and the ID number: {reason}',
      notTheChilds: 'The ID number in it differs from the child\'s',
      prefix: 'A student number starts with G, L or J',
    },
  },
}

export default en
