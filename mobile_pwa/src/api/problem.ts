/** The errors the API answers with, and those a request ends in, with no other imports. */

/** The RFC 9457 problem the API answers with, flattened for the screens. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: string = 'about:blank',
    readonly errors: { loc: (string | number)[]; msg: string }[] = [],
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

export async function readProblem(res: Response): Promise<ApiError> {
  let body: unknown
  try {
    body = await res.json()
  } catch {
    body = undefined
  }
  const p = (body ?? {}) as { type?: unknown; title?: unknown; detail?: unknown; errors?: unknown }
  const errors = Array.isArray(p.errors) ? (p.errors as ApiError['errors']) : []
  const detail =
    typeof p.detail === 'string'
      ? p.detail
      : errors.length
        ? errors.map((e) => `${e.loc.join('.')}: ${e.msg}`).join('; ')
        : typeof p.title === 'string'
          ? p.title
          : `HTTP ${res.status}`
  return new ApiError(res.status, detail, typeof p.type === 'string' ? p.type : 'about:blank', errors, body)
}

/** The problem types that end the session for good, and wipe the phone. */
export function endingReason(error: ApiError): 'disabled' | 'revoked' | null {
  if (error.status !== 401) return null
  if (error.type === PROBLEM_ACCOUNT_DISABLED) return 'disabled'
  if (error.type === PROBLEM_SESSION_REVOKED) return 'revoked'
  return null
}
