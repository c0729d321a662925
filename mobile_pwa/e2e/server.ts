// Vitest globalSetup for the end-to-end suite: the real FastAPI server on a fresh SQLite
// database of its own, with the small demo county, on a free port of 127.0.0.1.
// Whatever DATABASE_URL the caller has (CI's second run sets PostgreSQL) is overridden, so
// these tests never touch another database.
import { spawn, type ChildProcess } from 'node:child_process'
import { cpSync, createWriteStream, mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { TestProject } from 'vitest/node'

declare module 'vitest' {
  export interface ProvidedContext {
    baseURL: string
    /** The copy of the built app the server serves: a test may deploy a new release into it. */
    distDir: string
  }
}

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const BIN = join(REPO, '.venv', 'bin')
const DIST = join(REPO, 'mobile_pwa', 'dist')

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer()
    srv.unref()
    srv.on('error', fail)
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address()
      srv.close(() => (typeof address === 'object' && address ? ok(address.port) : fail(new Error('no port'))))
    })
  })
}

/** The environment for the server and its set-up commands: the caller's, minus any database. */
function serverEnv(dir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (key === 'DATABASE_URL' || key.startsWith('BAOXUE_')) continue
    env[key] = value
  }
  return {
    ...env,
    DATABASE_URL: `sqlite+aiosqlite:///${join(dir, 'baoxue.db')}`,
    BAOXUE_DATA_DIR: dir,
    // A copy, so a test can deploy a 'new release' without touching the build.
    BAOXUE_PWA_DIST: join(dir, 'dist'),
    BAOXUE_LOG_FORMAT: 'console',
    PYTHONUNBUFFERED: '1',
  }
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, log: string): Promise<void> {
  return new Promise((ok, fail) => {
    const out = createWriteStream(log, { flags: 'a' })
    const child = spawn(cmd, args, { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] })
    child.stdout.pipe(out, { end: false })
    child.stderr.pipe(out, { end: false })
    child.on('error', fail)
    child.on('exit', (code) => {
      out.end(() => (code === 0 ? ok() : fail(new Error(`${cmd} ${args.join(' ')} exited ${code}:\n${tail(log)}`))))
    })
  })
}

function tail(file: string, lines = 40): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n')
  } catch {
    return ''
  }
}

async function waitHealthy(baseURL: string, server: ChildProcess, log: string): Promise<void> {
  const deadline = Date.now() + 60_000
  for (;;) {
    if (server.exitCode !== null) {
      throw new Error(`the server exited ${server.exitCode} before it was healthy:\n${tail(log)}`)
    }
    try {
      const res = await fetch(`${baseURL}/api/v1/health`)
      if (res.ok && ((await res.json()) as { status?: string }).status === 'ok') return
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`the server was not healthy within 60 s:\n${tail(log)}`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

function stop(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null || server.signalCode !== null) return Promise.resolve()
  return new Promise((ok) => {
    const kill = setTimeout(() => server.kill('SIGKILL'), 10_000)
    server.once('exit', () => {
      clearTimeout(kill)
      ok()
    })
    server.kill('SIGTERM')
  })
}

export default async function setup(project: TestProject) {
  // For working on the tests: E2E_BASE_URL=http://127.0.0.1:8000 uses a server already running.
  if (process.env.E2E_BASE_URL) {
    project.provide('baseURL', process.env.E2E_BASE_URL.replace(/\/$/, ''))
    project.provide('distDir', DIST)
    return
  }
  for (const need of [join(BIN, 'uvicorn'), join(DIST, 'index.html')]) {
    if (!existsSync(need)) throw new Error(`${need} is missing: run \`make install pwa\` first`)
  }
  const dir = mkdtempSync(join(tmpdir(), 'baoxue-e2e-'))
  cpSync(DIST, join(dir, 'dist'), { recursive: true })
  project.provide('distDir', join(dir, 'dist'))
  const log = join(dir, 'server.log')
  const env = serverEnv(dir)
  let server: ChildProcess | undefined

  const teardown = async () => {
    if (server) await stop(server)
    if (process.env.E2E_KEEP) console.log(`e2e: kept ${dir}`)
    else rmSync(dir, { recursive: true, force: true })
  }

  try {
    await run(join(BIN, 'alembic'), ['upgrade', 'head'], env, log)
    await run(join(BIN, 'python'), ['-m', 'api.demo', '--scale', 'small', '--if-empty'], env, log)

    const port = await freePort()
    const baseURL = `http://127.0.0.1:${port}`
    const out = createWriteStream(log, { flags: 'a' })
    server = spawn(
      join(BIN, 'uvicorn'),
      ['api.main:app', '--host', '127.0.0.1', '--port', String(port), '--no-access-log'],
      { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] },
    )
    server.stdout?.pipe(out)
    server.stderr?.pipe(out)
    await waitHealthy(baseURL, server, log)
    project.provide('baseURL', baseURL)
  } catch (err) {
    await teardown()
    throw err
  }
  return teardown
}
