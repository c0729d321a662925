/**
 * How a request to the API is made, for the authenticated client (client.ts) and the session's
 * own calls (session.ts: log in, refresh, log out) alike: the URL under API_BASE, the body
 * encoded, the headers; and the typed client over a way of sending, with no other imports.
 */
import createClient, { type Client, type FetchResponse } from 'openapi-fetch'
import type { paths } from './schema'
import { problemOf } from './problem'

export const API_BASE = '/api/v1'

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

/** Fields as a urlencoded form (OAuth2's token endpoint takes no JSON); unset and empty
 *  fields are left out, as the server's defaults stand for them. */
export function formOf(fields: object | undefined): URLSearchParams {
  const form = new URLSearchParams()
  for (const [key, value] of Object.entries(fields ?? {})) {
    if (value !== undefined && value !== null && value !== '') form.set(key, String(value))
  }
  return form
}

/** The URL and the plain RequestInit fetch is given for a path under API_BASE. */
export function requestOf(path: string, init: ApiInit = {}): [string, RequestInit] {
  const headers = new Headers(init.headers)
  headers.set('Accept', 'application/json')
  if (init.idempotencyKey) headers.set('Idempotency-Key', init.idempotencyKey)
  let body: BodyInit | undefined
  if (init.body instanceof FormData || init.body instanceof URLSearchParams || init.body instanceof Blob) {
    // fetch sets the Content-Type (and a form's boundary) itself.
    headers.delete('Content-Type')
    body = init.body
  } else if (init.body !== undefined) {
    headers.set('Content-Type', 'application/json')
    body = JSON.stringify(init.body)
  }
  const { query, idempotencyKey: _key, body: _body, ...rest } = init
  const qs = queryString(query)
  return [`${API_BASE}${path}${qs ? `?${qs}` : ''}`, { ...rest, headers, body }]
}

/** The API's paths as the app names them: relative to API_BASE ("/cases", not "/api/v1/cases"). */
export type ApiPaths = {
  [P in keyof paths as P extends `${typeof API_BASE}${infer Rest}` ? Rest : never]: paths[P]
}

/** A path the API serves for this method (e.g. for a URL the sync layer fetches itself). */
export type PathWith<M extends 'get' | 'post' | 'put' | 'patch' | 'delete'> = {
  [P in keyof ApiPaths]: ApiPaths[P] extends { [K in M]: object } ? P : never
}[keyof ApiPaths]

/** The URL of an API path, checked against the OpenAPI. */
export function apiUrl<M extends 'get' | 'post' | 'put' | 'patch' | 'delete'>(_method: M, path: PathWith<M>): string {
  return `${API_BASE}${path}`
}

/**
 * What openapi-fetch builds a request into. Kept as a path and an ApiInit rather than a
 * Request, so that the sender encodes it (and may send it again, after a refresh: a Request's
 * body can be read only once) and a relative URL needs no base.
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
 * A client typed by the generated OpenAPI over `send` (a path under API_BASE, and its init):
 * `client.GET('/cases/{case_id}', { params: { path: { case_id } } })`. Bodies are left as they
 * are given for requestOf to encode; an `idempotencyKey` may be given beside them.
 */
export function typedClient(send: (path: string, init: ApiInit) => Promise<Response>): Client<ApiPaths> {
  return createClient<ApiPaths>({
    Request: PlannedRequest as unknown as typeof Request,
    querySerializer: (query) => queryString(query as ApiInit['query']),
    bodySerializer: (body: unknown) => body as BodyInit,
    fetch: (request) => {
      const planned = request as unknown as PlannedRequest
      // openapi-fetch's own Content-Type goes: requestOf sets the right one for the body.
      const headers = new Headers(planned.init.headers)
      headers.delete('Content-Type')
      return send(planned.url, { ...planned.init, headers })
    },
  })
}

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
