/**
 * Every screen's way to the API: the bearer token attached, an expired token refreshed once
 * and the request retried, and the server's word that the account is disabled or its sessions
 * revoked turned into SessionEnded, after which the phone holds no personal data.
 */
import { accessToken, endSession, refreshTokens, session } from '../session'
import { LoginNeeded, SessionEnded, endingReason, readProblem } from './problem'

export const API_BASE = '/api/v1'

export { ApiError, LoginNeeded, SessionEnded, readProblem, endingReason } from './problem'

export interface ApiInit extends Omit<RequestInit, 'body'> {
  /** JSON-encoded unless it is FormData, URLSearchParams or a Blob. */
  body?: unknown
  idempotencyKey?: string
  /** Query parameters; undefined and null values are left out. */
  query?: Record<string, string | number | boolean | null | undefined>
}

function urlOf(path: string, query: ApiInit['query']): string {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null) params.set(key, String(value))
  }
  const qs = params.toString()
  return `${API_BASE}${path}${qs ? `?${qs}` : ''}`
}

async function send(path: string, init: ApiInit, token: string): Promise<Response> {
  const headers = new Headers(init.headers)
  headers.set('Authorization', `Bearer ${token}`)
  headers.set('Accept', 'application/json')
  if (init.idempotencyKey) headers.set('Idempotency-Key', init.idempotencyKey)
  let body: BodyInit | undefined
  if (init.body instanceof FormData || init.body instanceof URLSearchParams || init.body instanceof Blob) {
    body = init.body
  } else if (init.body !== undefined) {
    headers.set('Content-Type', 'application/json')
    body = JSON.stringify(init.body)
  }
  return fetch(urlOf(path, init.query), { ...init, headers, body })
}

/**
 * The raw answer of an authenticated request (for 304s and headers). Throws LoginNeeded,
 * SessionEnded, or the TypeError of a failed network; other statuses are returned.
 */
export async function apiResponse(path: string, init: ApiInit = {}): Promise<Response> {
  const token = await accessToken()
  if (!token) throw new LoginNeeded()
  let res = await send(path, init, token)
  if (res.status !== 401) return res
  const problem = await readProblem(res.clone())
  const ending = endingReason(problem)
  if (ending) {
    await endSession(ending)
    throw new SessionEnded(ending)
  }
  // Expired, most likely: one refresh, one retry.
  const refreshed = await refreshTokens()
  if (refreshed === 'ended') throw new SessionEnded(session.ended ?? 'revoked')
  if (refreshed === 'offline') throw new TypeError('the refresh got no answer')
  if (refreshed !== 'ok') throw new LoginNeeded()
  const again = await accessToken()
  if (!again) throw new LoginNeeded()
  res = await send(path, init, again)
  if (res.status === 401) {
    const second = await readProblem(res.clone())
    const reason = endingReason(second)
    if (reason) {
      await endSession(reason)
      throw new SessionEnded(reason)
    }
    throw new LoginNeeded()
  }
  return res
}

/** An authenticated JSON request; a non-2xx answer throws its ApiError. */
export async function api<T>(path: string, init: ApiInit = {}): Promise<T> {
  const res = await apiResponse(path, init)
  if (!res.ok) throw await readProblem(res)
  if (res.status === 204) return undefined as T
  return (await res.json()) as T
}
