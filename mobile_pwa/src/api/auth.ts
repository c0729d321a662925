export const TOKEN_URL = '/api/v1/auth/token'

export interface TokenResponse {
  access_token: string
  token_type: string
}

/** Thrown when the server answered but refused; network failures stay TypeErrors. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

/** FastAPI puts a string in `detail` for HTTPException and a list for validation errors. */
async function errorMessage(res: Response): Promise<string> {
  try {
    const body: unknown = await res.json()
    if (body && typeof body === 'object' && 'detail' in body) {
      const { detail } = body
      if (typeof detail === 'string') return detail
      if (Array.isArray(detail)) {
        const msgs = detail.map((d: { msg?: unknown }) => d?.msg).filter((m) => typeof m === 'string')
        if (msgs.length) return msgs.join('; ')
      }
    }
  } catch {
    // not JSON: fall through to the status line
  }
  return `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`
}

/** OAuth2 password flow, as FastAPI's OAuth2PasswordRequestForm expects. */
export async function login(username: string, password: string): Promise<TokenResponse> {
  const res = await fetch(TOKEN_URL, {
    method: 'POST',
    headers: { Accept: 'application/json' },
    // URLSearchParams makes fetch send application/x-www-form-urlencoded
    body: new URLSearchParams({ grant_type: 'password', username, password }),
  })
  if (!res.ok) throw new ApiError(res.status, await errorMessage(res))
  const data = (await res.json()) as Partial<TokenResponse>
  if (typeof data.access_token !== 'string') throw new ApiError(res.status, 'no access_token')
  return { access_token: data.access_token, token_type: data.token_type ?? 'bearer' }
}
