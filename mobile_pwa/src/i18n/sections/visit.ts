// The visit screens' messages; zh-CN first, en typed against it.
const zh = {
  title: 'TODO',
}

const en: typeof zh = {
  title: 'TODO',
}

export default { zh, en }
