import { afterEach, describe, expect, it, vi } from 'vitest'
import { BaoxueDB, newUuid } from '../src/db'
import { freshDb } from './freshDb'
import { client, LoginNeeded, ok, SessionEnded } from '../src/api/client'
import { accessToken, logIn, logOut, session, unsentCount, useSessionDb, wipePersonalData } from '../src/session'
import { queueVisit } from '../src/sync'
import type { Me } from '../src/api/types'

let db: BaoxueDB

freshDb('session', async (fresh) => {
  db = fresh
  useSessionDb(db)
  Object.assign(session, { me: null, loaded: true, loginNeeded: false, ended: null })
})

afterEach(() => {
  vi.unstubAllGlobals()
})

function me(username: string): Me {
  return {
    id: newUuid(),
    username,
    display_name: username,
    role: 'village_cadre',
    must_change_password: false,
    areas: [],
    schools: [],
    classes: [],
    api_scopes: [],
  }
}

const problem = (status: number, type: string, detail = 'no') =>
  new Response(JSON.stringify({ type, title: 'x', status, detail }), {
    status,
    headers: { 'Content-Type': 'application/problem+json' },
  })

type Route = (url: string, init: RequestInit) => Response | Promise<Response>

/** A fake server: each call goes to the first route whose prefix matches. */
function serve(routes: Record<string, Route>) {
  const calls: { url: string; init: RequestInit }[] = []
  const fetch = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = String(input)
    calls.push({ url, init })
    const key = Object.keys(routes).find((k) => url.startsWith(k))
    if (!key) throw new TypeError('Failed to fetch')
    return routes[key]!(url, init)
  })
  vi.stubGlobal('fetch', fetch)
  return calls
}

function tokens(access: string, refresh = `r-${access}-0123456789abcdef`, expiresIn = 900) {
  return Response.json({ access_token: access, token_type: 'bearer', expires_in: expiresIn, refresh_token: refresh })
}

async function seedPersonalData() {
  await db.households.put({
    id: 'h1',
    version: 1,
    area_code: '1',
    address: 'a',
    head_name: '王',
    phone: null,
    is_poverty_registered: false,
    is_minimum_living: false,
    guardians: [],
    children: [],
    last_visit: null,
    search: '王',
  })
  await queueVisit(
    { household_id: 'h1', visited_at: '2026-03-02T09:30:00+08:00', outcome: 'met', observations: [] },
    db,
  )
}

async function loggedIn(username = 'demo.village') {
  serve({
    '/api/v1/auth/token': () => tokens('a1'),
    '/api/v1/me': () => Response.json(me(username)),
  })
  await logIn(username, 'pw')
}

describe('logging in', () => {
  it('keeps the tokens and who it is on the phone', async () => {
    await loggedIn()
    expect(session.me?.username).toBe('demo.village')
    expect((await db.meta.get('accessToken'))?.value).toBe('a1')
    expect((await db.meta.get('refreshToken'))?.value).toBe('r-a1-0123456789abcdef')
    expect(await accessToken()).toBe('a1')
  })

  it('the same person again keeps the unsent work; another person starts from a clean phone', async () => {
    await loggedIn('demo.village')
    await seedPersonalData()
    await loggedIn('demo.village')
    expect(await unsentCount()).toBe(1)
    await loggedIn('other.cadre')
    expect(await unsentCount()).toBe(0)
    expect(await db.households.count()).toBe(0)
    expect(session.me?.username).toBe('other.cadre')
  })

  it('sends the password grant as a form, then reads who it is with the new token', async () => {
    const calls = serve({
      '/api/v1/auth/token': () => tokens('a1'),
      '/api/v1/me': () => Response.json(me('demo.village')),
    })
    await logIn('demo.village', 'pw')
    expect(calls.map((c) => [c.init.method ?? 'GET', c.url])).toEqual([
      ['POST', '/api/v1/auth/token'],
      ['GET', '/api/v1/me'],
    ])
    const form = calls[0]!.init.body
    expect(form).toBeInstanceOf(URLSearchParams)
    expect(Object.fromEntries(form as URLSearchParams)).toEqual({
      grant_type: 'password',
      username: 'demo.village',
      password: 'pw',
    })
    // fetch gives a form its own Content-Type; a JSON one would make the server refuse it.
    expect(new Headers(calls[0]!.init.headers).get('Content-Type')).toBeNull()
    expect(new Headers(calls[1]!.init.headers).get('Authorization')).toBe('Bearer a1')
  })

  it('a refused login leaves the phone as it was', async () => {
    await loggedIn('demo.village')
    await seedPersonalData()
    serve({ '/api/v1/auth/token': () => problem(401, 'urn:baoxue:problem:unauthenticated', 'wrong') })
    await expect(logIn('demo.village', 'bad')).rejects.toMatchObject({ status: 401, message: 'wrong' })
    expect(await unsentCount()).toBe(1)
    expect((await db.meta.get('accessToken'))?.value).toBe('a1')
  })
})

describe('requests', () => {
  it('an expired token is refreshed once and the request repeated with the new one', async () => {
    await loggedIn()
    const calls = serve({
      '/api/v1/auth/refresh': () => tokens('a2'),
      '/api/v1/cases': (_url, init) =>
        new Headers(init.headers).get('Authorization') === 'Bearer a2'
          ? Response.json({ items: [] })
          : problem(401, 'urn:baoxue:problem:unauthenticated', 'expired'),
    })
    expect(await ok(client.GET('/cases'))).toEqual({ items: [] })
    expect(calls.map((c) => c.url)).toEqual(['/api/v1/cases', '/api/v1/auth/refresh', '/api/v1/cases'])
    expect(JSON.parse(String(calls[1]!.init.body))).toEqual({ refresh_token: 'r-a1-0123456789abcdef' })
    expect((await db.meta.get('refreshToken'))?.value).toBe('r-a2-0123456789abcdef')
  })

  it('a disabled account wipes everything personal at that contact', async () => {
    await loggedIn()
    await seedPersonalData()
    serve({ '/api/v1/work-package': () => problem(401, 'urn:baoxue:problem:account-disabled') })
    await expect(ok(client.GET('/work-package'))).rejects.toBeInstanceOf(SessionEnded)
    expect(await db.households.count()).toBe(0)
    expect(await db.visitOutbox.count()).toBe(0)
    expect(await db.meta.count()).toBe(0)
    expect(session.me).toBeNull()
    expect(session.ended).toBe('disabled')
  })

  it('revoked sessions, found at the refresh, wipe the phone too', async () => {
    await loggedIn()
    await seedPersonalData()
    serve({
      '/api/v1/auth/refresh': () => problem(401, 'urn:baoxue:problem:session-revoked'),
      '/api/v1/cases': () => problem(401, 'urn:baoxue:problem:unauthenticated', 'expired'),
    })
    await expect(ok(client.GET('/cases'))).rejects.toBeInstanceOf(SessionEnded)
    expect(await db.households.count()).toBe(0)
    expect(await unsentCount()).toBe(0)
    expect(session.ended).toBe('revoked')
  })

  it('a refresh token merely expired asks for a login and keeps the data', async () => {
    await loggedIn()
    await seedPersonalData()
    serve({
      '/api/v1/auth/refresh': () => problem(401, 'urn:baoxue:problem:unauthenticated', 'expired'),
      '/api/v1/cases': () => problem(401, 'urn:baoxue:problem:unauthenticated', 'expired'),
    })
    await expect(ok(client.GET('/cases'))).rejects.toBeInstanceOf(LoginNeeded)
    expect(session.loginNeeded).toBe(true)
    expect(session.me?.username).toBe('demo.village')
    expect(await unsentCount()).toBe(1)
  })

  it('an offline phone keeps its token and its data', async () => {
    await loggedIn()
    await seedPersonalData()
    serve({})
    await expect(ok(client.GET('/cases'))).rejects.toBeInstanceOf(TypeError)
    expect(await accessToken()).toBe('a1')
    expect(await unsentCount()).toBe(1)
  })

  it('a token about to expire is refreshed before use', async () => {
    serve({
      '/api/v1/auth/token': () => tokens('a1', undefined, 30),
      '/api/v1/me': () => Response.json(me('demo.village')),
    })
    await logIn('demo.village', 'pw')
    serve({ '/api/v1/auth/refresh': () => tokens('a2') })
    expect(await accessToken()).toBe('a2')
  })

  it('two requests meeting an expired token refresh it once (a second rotation would revoke all)', async () => {
    serve({
      '/api/v1/auth/token': () => tokens('a1', undefined, 30),
      '/api/v1/me': () => Response.json(me('demo.village')),
    })
    await logIn('demo.village', 'pw')
    const calls = serve({ '/api/v1/auth/refresh': () => tokens('a2') })
    expect(await Promise.all([accessToken(), accessToken()])).toEqual(['a2', 'a2'])
    expect(calls.filter((c) => c.url === '/api/v1/auth/refresh')).toHaveLength(1)
  })
})

describe('logging out', () => {
  it('revokes the session on the server and wipes the phone', async () => {
    await loggedIn()
    await seedPersonalData()
    const calls = serve({ '/api/v1/auth/logout': () => new Response(null, { status: 204 }) })
    await logOut()
    expect(calls).toHaveLength(1)
    expect(JSON.parse(String(calls[0]!.init.body))).toEqual({ refresh_token: 'r-a1-0123456789abcdef' })
    expect(await db.households.count()).toBe(0)
    expect(session.me).toBeNull()
  })

  it('offline, still wipes the phone', async () => {
    await loggedIn()
    await seedPersonalData()
    serve({})
    await logOut()
    expect(await db.meta.count()).toBe(0)
    expect(await db.visitOutbox.count()).toBe(0)
  })

  it('wipePersonalData clears every table', async () => {
    await loggedIn()
    await seedPersonalData()
    await wipePersonalData()
    for (const table of db.tables) expect(await table.count()).toBe(0)
  })
})
