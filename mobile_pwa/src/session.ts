/**
 * Who is logged in on this phone, and the tokens. Kept in IndexedDB (meta) so a cadre opening
 * the app with no signal is still logged in and can work; refreshed when there is signal.
 *
 * When the server says the account is disabled or its sessions are revoked, everything
 * personal on the phone is wiped at that moment: a lost or handed-on phone must not keep
 * a village's children.
 */
import { reactive, toRaw } from 'vue'
import { db as defaultDb, type BaoxueDB } from './db'
import type { Me, TokenResponse } from './api/types'
import { endingReason, problemOf } from './api/problem'
import { formOf, ok, requestOf, typedClient } from './api/http'

/** The session's own calls, typed like the rest but sent as they are: no token to attach or
 *  refresh here (api/client.ts does that for every other request). */
const auth = typedClient((path, init) => fetch(...requestOf(path, init)))

export const ACCESS_TOKEN_KEY = 'accessToken'
const REFRESH_TOKEN_KEY = 'refreshToken'
const EXPIRES_AT_KEY = 'accessExpiresAt'
const ME_KEY = 'me'

/** Refresh this long before the access token expires, so a request does not race it. */
const REFRESH_MARGIN_MS = 60_000

export interface SessionState {
  me: Me | null
  /** Read from IndexedDB at start. */
  loaded: boolean
  /** The refresh token expired or was refused: log in again (the phone's data is kept). */
  loginNeeded: boolean
  /** Why the last session ended on the server's word (then the data is gone). */
  ended: 'disabled' | 'revoked' | null
}

export const session = reactive<SessionState>({ me: null, loaded: false, loginNeeded: false, ended: null })

let target: BaoxueDB = defaultDb

/** Tests point the session at their own database. */
export function useSessionDb(db: BaoxueDB) {
  target = db
}

async function metaValue<T>(key: string): Promise<T | undefined> {
  const entry = await target.meta.get(key)
  return entry?.value as T | undefined
}

export async function loadSession(): Promise<void> {
  session.me = (await metaValue<Me>(ME_KEY)) ?? null
  session.loaded = true
}

async function storeTokens(tokens: TokenResponse): Promise<void> {
  const entries = [
    { key: ACCESS_TOKEN_KEY, value: tokens.access_token },
    { key: EXPIRES_AT_KEY, value: Date.now() + tokens.expires_in * 1000 },
  ]
  if (tokens.refresh_token) entries.push({ key: REFRESH_TOKEN_KEY, value: tokens.refresh_token })
  await target.meta.bulkPut(entries)
}

/** Who last logged in on this phone (kept across a needed re-login). */
export async function lastUsername(): Promise<string | null> {
  return (await metaValue<Me>(ME_KEY))?.username ?? null
}

/** Unsent work of whoever is logged in: visits, found households and children, case writes. */
export async function unsentCount(db: BaoxueDB = target): Promise<number> {
  const [visits, requests] = await Promise.all([
    db.visitOutbox.where('state').anyOf('waiting', 'sending', 'error').count(),
    db.outbox.where('state').anyOf('waiting', 'sending', 'error').count(),
  ])
  return visits + requests
}

/**
 * Log in with the password grant, then read who this is. A different person than the last
 * one on this phone starts from a clean phone (the screen asks before, if work is unsent).
 */
export async function logIn(username: string, password: string): Promise<Me> {
  // The token endpoint takes a form (OAuth2's password grant), not JSON.
  const tokens = await ok(
    auth.POST('/auth/token', {
      body: { grant_type: 'password', username, password, scope: '' },
      bodySerializer: formOf,
    }),
  )
  const me = await ok(auth.GET('/me', { headers: { Authorization: `Bearer ${tokens.access_token}` } }))
  const previous = await lastUsername()
  if (previous !== null && previous !== me.username) await wipePersonalData()
  await storeTokens(tokens)
  await target.meta.put({ key: ME_KEY, value: me })
  session.me = me
  session.loginNeeded = false
  session.ended = null
  return me
}

let refreshing: Promise<'ok' | 'offline' | 'expired' | 'ended'> | null = null

/** The one-time password was changed: the app opens fully. */
export async function passwordChanged(): Promise<void> {
  if (!session.me) return
  // toRaw: IndexedDB cannot clone Vue's reactive proxies.
  const me = { ...toRaw(session.me), must_change_password: false }
  await target.meta.put({ key: ME_KEY, value: me })
  session.me = me
}

/** Rotate the refresh token (one at a time: a second rotation of a spent token revokes all). */
export function refreshTokens(): Promise<'ok' | 'offline' | 'expired' | 'ended'> {
  refreshing ??= doRefresh().finally(() => {
    refreshing = null
  })
  return refreshing
}

async function doRefresh(): Promise<'ok' | 'offline' | 'expired' | 'ended'> {
  const token = await metaValue<string>(REFRESH_TOKEN_KEY)
  if (!token) {
    session.loginNeeded = session.me !== null
    return 'expired'
  }
  let answer: Awaited<ReturnType<typeof refreshCall>>
  try {
    answer = await refreshCall(token)
  } catch {
    // No answer, or a 2xx that is not JSON (a captive portal's page): not the API's word.
    return 'offline'
  }
  const { data, error, response } = answer
  if (data) {
    await storeTokens(data)
    session.loginNeeded = false
    return 'ok'
  }
  const problem = problemOf(response.status, error)
  const reason = endingReason(problem)
  if (reason) {
    await endSession(reason)
    return 'ended'
  }
  if (response.status >= 500) return 'offline'
  session.loginNeeded = true
  return 'expired'
}

function refreshCall(token: string) {
  return auth.POST('/auth/refresh', { body: { refresh_token: token } })
}

/** A usable access token: refreshed first when about to expire and the phone is online. */
export async function accessToken(): Promise<string | null> {
  const token = await metaValue<string>(ACCESS_TOKEN_KEY)
  if (!token) return null
  const expiresAt = (await metaValue<number>(EXPIRES_AT_KEY)) ?? 0
  if (expiresAt - Date.now() > REFRESH_MARGIN_MS) return token
  if (globalThis.navigator?.onLine === false) return token
  const outcome = await refreshTokens()
  if (outcome === 'ok') return (await metaValue<string>(ACCESS_TOKEN_KEY)) ?? null
  if (outcome === 'ended') return null
  return token
}

/** Everything personal this phone holds: the package, my cases, my inbox, queued work, tokens. */
export async function wipePersonalData(): Promise<void> {
  await target.transaction(
    'rw',
    [
      target.households,
      target.children,
      target.cases,
      target.notifications,
      target.photos,
      target.visitOutbox,
      target.outbox,
      target.meta,
    ],
    async () => {
      await Promise.all([
        target.households.clear(),
        target.children.clear(),
        target.cases.clear(),
        target.notifications.clear(),
        target.photos.clear(),
        target.visitOutbox.clear(),
        target.outbox.clear(),
        target.meta.clear(),
      ])
    },
  )
  session.me = null
}

/** The server ended the session for good: wipe now, and say why on the login screen. */
export async function endSession(reason: 'disabled' | 'revoked'): Promise<void> {
  await wipePersonalData()
  session.loginNeeded = false
  session.ended = reason
}

/** Log out: the server revokes the session (best effort, it may be offline), the phone wipes. */
export async function logOut(): Promise<void> {
  const [token, refresh] = await Promise.all([
    metaValue<string>(ACCESS_TOKEN_KEY),
    metaValue<string>(REFRESH_TOKEN_KEY),
  ])
  if (token && refresh) {
    try {
      await auth.POST('/auth/logout', {
        body: { refresh_token: refresh },
        headers: { Authorization: `Bearer ${token}` },
      })
    } catch {
      // offline: the refresh token expires on its own; the phone forgets it now
    }
  }
  await wipePersonalData()
  session.ended = null
  session.loginNeeded = false
}
