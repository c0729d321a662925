/**
 * Every screen's way to the API: the bearer token attached, an expired token refreshed once
 * and the request retried, and the server's word that the account is disabled or its sessions
 * revoked turned into SessionEnded, after which the phone holds no personal data.
 *
 * `client` is typed by the generated OpenAPI (schema.d.ts): a path, its parameters, its body
 * and its answer are checked against the API. `apiResponse` is the one way requests go out,
 * also for the request outbox, whose stored paths are plain strings.
 */
import { accessToken, endSession, refreshTokens, session } from '../session'
import { requestOf, typedClient, type ApiInit } from './http'
import { LoginNeeded, SessionEnded, endingReason, readProblem } from './problem'

export { API_BASE, ok, type ApiInit } from './http'
export { ApiError, LoginNeeded, SessionEnded, readProblem, endingReason } from './problem'

function send(path: string, init: ApiInit, token: string): Promise<Response> {
  const headers = new Headers(init.headers)
  headers.set('Authorization', `Bearer ${token}`)
  return fetch(...requestOf(path, { ...init, headers }))
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

/** The typed API, authenticated: each request goes out by apiResponse. */
export const client = typedClient(apiResponse)
