/**
 * Every screen's way to the API: the bearer token attached, an expired token refreshed once
 * and the request retried, and the server's word that the account is disabled or its sessions
 * revoked turned into SessionEnded, after which the phone holds no personal data.
 *
 * `client` is typed by the generated OpenAPI (schema.d.ts): a path, its parameters, its body
 * and its answer are checked against the API. `apiResponse` is the one way requests go out,
 * also for the request outbox, whose stored paths are plain strings.
 */
import createClient, { type FetchResponse } from 'openapi-fetch'
import { accessToken, endSession, refreshTokens, session } from '../session'
import type { paths } from './schema'
import { LoginNeeded, SessionEnded, endingReason, problemOf, readProblem } from './problem'

export const API_BASE = '/api/v1'

export { ApiError, LoginNeeded, SessionEnded, readProblem, endingReason } from './problem'

export interface ApiInit extends Omit<RequestInit, 'body'> {
  /** JSON-encoded unless it is FormData, URLSearchParams or a Blob. */
  body?: unknown
  idempotencyKey?: string
  /** Query parameters; undefined and null values are left out. */
  query?: Record<string, string | number | boolean | null | undefined>
}

function queryString(query: ApiInit['query']): string {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null) params.set(key, String(value))
  }
  return params.toString()
}

function urlOf(path: string, query: ApiInit['query']): string {
  const qs = queryString(query)
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
  // Our own fields stay ours: fetch is given a plain RequestInit.
  const { query: _query, idempotencyKey: _key, body: _body, ...rest } = init
  return fetch(urlOf(path, init.query), { ...rest, headers, body })
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

/** The API's paths as the app names them: relative to API_BASE ("/cases", not "/api/v1/cases"). */
export type ApiPaths = {
  [P in keyof paths as P extends `${typeof API_BASE}${infer Rest}` ? Rest : never]: paths[P]
}

/**
 * What openapi-fetch builds a request into. Kept as a path and a RequestInit rather than a
 * Request, so that apiResponse sends it (and sends it again after a refresh: a Request's body
 * can be read only once) and a relative URL needs no base.
 */
class PlannedRequest {
  readonly method: string
  constructor(
    readonly url: string,
    readonly init: ApiInit,
  ) {
    this.method = init.method ?? 'GET'
  }
}

/**
 * The typed API: `client.GET('/cases/{case_id}', { params: { path: { case_id } } })`. Bodies are
 * left as objects for apiResponse to encode; an `idempotencyKey` may be given beside them.
 */
export const client = createClient<ApiPaths>({
  Request: PlannedRequest as unknown as typeof Request,
  querySerializer: (query) => queryString(query as ApiInit['query']),
  bodySerializer: (body: unknown) => body as BodyInit,
  fetch: (request) => {
    const planned = request as unknown as PlannedRequest
    const { headers, ...init } = planned.init
    // openapi-fetch's own Content-Type: apiResponse sets it for the bodies it encodes.
    const kept = new Headers(headers)
    kept.delete('Content-Type')
    return apiResponse(planned.url, { ...init, headers: kept })
  },
})

/**
 * The data of a typed call, or the server's problem thrown as ApiError (after LoginNeeded,
 * SessionEnded or a network's TypeError, which the call itself throws).
 */
export async function ok<T extends Record<string | number, unknown>, O, M extends `${string}/${string}`>(
  call: Promise<FetchResponse<T, O, M>>,
): Promise<NonNullable<Awaited<typeof call>['data']>> {
  const { data, error, response } = await call
  if (!response.ok) throw problemOf(response.status, error)
  return data as NonNullable<typeof data>
}
