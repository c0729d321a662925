/**
 * The errors the API answers with, and those a request ends in, with no other imports. The one
 * reader of the API's problem+json (RFC 9457) answers, for the screens and both outboxes.
 */
import type { ItemError } from './types'

/** The RFC 9457 problem the API answers with, flattened for the screens. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: string = 'about:blank',
    readonly errors: ItemError[] = [],
    readonly body: unknown = undefined,
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

/** The server disabled the account or revoked its sessions; local data is already wiped. */
export class SessionEnded extends Error {
  constructor(readonly reason: 'disabled' | 'revoked') {
    super(reason === 'disabled' ? 'account disabled' : 'sessions revoked')
    this.name = 'SessionEnded'
  }
}

/** No token, or it could not be refreshed: the user must log in again (data kept). */
export class LoginNeeded extends Error {
  constructor() {
    super('login needed')
    this.name = 'LoginNeeded'
  }
}

export const PROBLEM_ACCOUNT_DISABLED = 'urn:baoxue:problem:account-disabled'
export const PROBLEM_SESSION_REVOKED = 'urn:baoxue:problem:session-revoked'

/** Field errors as sent: the problem's `errors`, or FastAPI's own validation answer (`detail`
 *  a list); entries without a message are dropped. */
function fieldErrors(p: { errors?: unknown; detail?: unknown }): ItemError[] {
  const listed = Array.isArray(p.errors) ? p.errors : Array.isArray(p.detail) ? p.detail : []
  return listed.flatMap((e: unknown): ItemError[] => {
    if (!e || typeof e !== 'object') return []
    const { loc, msg } = e as { loc?: unknown; msg?: unknown }
    if (typeof msg !== 'string') return []
    return [{ loc: Array.isArray(loc) ? (loc as ItemError['loc']) : [], msg }]
  })
}

/** A problem from an answer's status and its body, already read (anything, or nothing). */
export function problemOf(status: number, body: unknown): ApiError {
  const p = (body && typeof body === 'object' ? body : {}) as {
    type?: unknown
    title?: unknown
    detail?: unknown
    errors?: unknown
  }
  const errors = fieldErrors(p)
  const detail =
    typeof p.detail === 'string'
      ? p.detail
      : errors.length
        ? errors.map((e) => (e.loc.length ? `${e.loc.join('.')}: ${e.msg}` : e.msg)).join('; ')
        : typeof p.title === 'string'
          ? p.title
          : `HTTP ${status}`
  return new ApiError(status, detail, typeof p.type === 'string' ? p.type : 'about:blank', errors, body)
}

/** The problem an answer carries (its body is read; a body that is not JSON counts as none). */
export async function readProblem(res: Response): Promise<ApiError> {
  let body: unknown
  try {
    body = await res.json()
  } catch {
    body = undefined
  }
  return problemOf(res.status, body)
}

/** The problem types that end the session for good, and wipe the phone. */
export function endingReason(error: ApiError): 'disabled' | 'revoked' | null {
  if (error.status !== 401) return null
  if (error.type === PROBLEM_ACCOUNT_DISABLED) return 'disabled'
  if (error.type === PROBLEM_SESSION_REVOKED) return 'revoked'
  return null
}
