import { afterEach, describe, expect, it, vi } from 'vitest'
import { ApiError, login, TOKEN_URL } from '../src/api/auth'

function stubFetch(response: Response) {
  const fetchMock = vi.fn<typeof fetch>().mockResolvedValue(response)
  vi.stubGlobal('fetch', fetchMock)
  return fetchMock
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('login', () => {
  it('posts an OAuth2 password form and returns the token', async () => {
    const fetchMock = stubFetch(json({ access_token: 'abc', token_type: 'bearer' }))

    await expect(login('村干部', 'p@ss&word')).resolves.toEqual({ access_token: 'abc', token_type: 'bearer' })

    const [url, init] = fetchMock.mock.calls[0]!
    expect(url).toBe(TOKEN_URL)
    expect(init?.method).toBe('POST')
    const form = init?.body as URLSearchParams
    expect(form).toBeInstanceOf(URLSearchParams)
    expect(form.get('username')).toBe('村干部')
    expect(form.get('password')).toBe('p@ss&word')
    expect(form.get('grant_type')).toBe('password')
    // What fetch will send on the wire
    const sent = new Request('http://localhost' + TOKEN_URL, init)
    expect(sent.headers.get('content-type')).toMatch(/^application\/x-www-form-urlencoded/)
  })

  it("reports FastAPI's detail message on a refusal", async () => {
    stubFetch(json({ detail: 'Incorrect username or password' }, 401))
    const err = await login('a', 'b').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ApiError)
    expect(err).toMatchObject({ status: 401, message: 'Incorrect username or password' })
  })

  it('joins validation error messages and falls back to the status', async () => {
    stubFetch(json({ detail: [{ msg: 'Field required' }, { msg: 'Too short' }] }, 422))
    await expect(login('a', 'b')).rejects.toThrow('Field required; Too short')

    stubFetch(new Response('<html>gateway</html>', { status: 502, statusText: 'Bad Gateway' }))
    await expect(login('a', 'b')).rejects.toThrow('HTTP 502 Bad Gateway')
  })

  it('rejects an answer without access_token', async () => {
    stubFetch(json({ token_type: 'bearer' }))
    await expect(login('a', 'b')).rejects.toBeInstanceOf(ApiError)
  })
})
