import { describe, expect, it } from 'vitest'
import zhCN from '../src/i18n/zh-CN'
import en from '../src/i18n/en'
import {
  VALIDATION_CODES,
  checkIdNumber,
  checkMobile,
  checkStudentNumber,
  childFaults,
  fullYears,
  idCheckChar,
  localToday,
  studentNumberFor,
  validationText,
  type IdNumberResult,
} from '../src/validators'

// The server's tests judge "today" as 2026-11-23 where they fix it.
const TODAY = '2026-11-23'

/** id_number.make, written again here so the phone's check is tested against the algorithm, not itself. */
function make(areaCode: string, birthDate: string, sequence: number): string {
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
  const first17 = areaCode.slice(0, 6) + birthDate.replaceAll('-', '') + String(sequence).padStart(3, '0')
  const total = [...first17].reduce((sum, digit, i) => sum + Number(digit) * weights[i]!, 0)
  return first17 + '10X98765432'[total % 11]!
}

function codeOf(result: IdNumberResult): string {
  return result.ok ? 'ok' : result.code
}

describe('checkIdNumber, as id_number.parse (tests/test_id_number.py)', () => {
  it.each([
    ['11010519491231002X', '1949-12-31', 'female'], // the standard's own example
    ['510821201503041231', '2015-03-04', 'male'],
    [make('440524', '2011-01-01', 1), '2011-01-01', 'male'],
  ])('%s is valid and gives birth date and sex', (number, birthDate, sex) => {
    expect(checkIdNumber(number, TODAY)).toMatchObject({ ok: true, birthDate, sex })
  })

  it('normalises a lower-case x and spaces', () => {
    expect(checkIdNumber(' 11010519491231002x ', TODAY)).toMatchObject({ normalized: '11010519491231002X' })
    expect(checkIdNumber('110105 19491231 002x', TODAY)).toMatchObject({ normalized: '11010519491231002X' })
  })

  it('folds full-width digits to the ASCII number the server would store for them', () => {
    expect(checkIdNumber('１１０１０５１９４９１２３１００２ｘ', TODAY)).toMatchObject({
      ok: true,
      normalized: '11010519491231002X',
    })
  })

  it.each([
    ['110105194912310021', 'idNumber.checkDigit', '校验位'],
    ['11010519491331002X', 'idNumber.noSuchDate', '出生日期'], // month 13
    ['1101051949123100', 'idNumber.shape', '18位'], // too short
    ['11010519491231002Y', 'idNumber.shape', '18位'], // bad last character
    ['110105300001010018', 'idNumber.impossibleDate', '出生日期'], // born in 3000
    ['', 'idNumber.shape', '18位'],
    ['51082120170399123X', 'idNumber.noSuchDate', '出生日期'], // tests/test_registry_writes.py
    ['12345', 'idNumber.shape', '18位'],
  ])('%s is refused as %s, saying %s', (number, code, words) => {
    const result = checkIdNumber(number, TODAY)
    expect(result).toMatchObject({ ok: false, code })
    expect(result.ok ? '' : result.message).toContain(words)
  })

  it("gives the server's exact message", () => {
    expect(checkIdNumber('110105194912310021', TODAY)).toEqual({
      ok: false,
      code: 'idNumber.checkDigit',
      message: '身份证号码校验位不正确 (the check digit does not match)',
    })
  })

  it('checks the birth date before the check digit, as the server does', () => {
    // Both wrong: the server names the date.
    expect(codeOf(checkIdNumber('110105201702301230', TODAY))).toBe('idNumber.noSuchDate')
    expect(codeOf(checkIdNumber('110105203001011230', TODAY))).toBe('idNumber.impossibleDate')
  })

  it('knows leap years: 29 February 2016 and 2000 exist, 2015 and 1900 do not', () => {
    expect(codeOf(checkIdNumber(make('110105', '2016-02-29', 1), TODAY))).toBe('ok')
    expect(codeOf(checkIdNumber(make('110105', '2000-02-29', 1), TODAY))).toBe('ok')
    expect(codeOf(checkIdNumber('11010520150229123X', TODAY))).toBe('idNumber.noSuchDate')
    expect(codeOf(checkIdNumber('110105000229123', TODAY))).toBe('idNumber.noSuchDate') // 1900
  })

  it('refuses a birth after today and before 1900, and takes today itself', () => {
    expect(codeOf(checkIdNumber(make('110105', '2026-11-24', 1), TODAY))).toBe('idNumber.impossibleDate')
    expect(codeOf(checkIdNumber(make('110105', TODAY, 1), TODAY))).toBe('ok')
    expect(codeOf(checkIdNumber(make('110105', '1899-12-31', 1), TODAY))).toBe('idNumber.impossibleDate')
    expect(codeOf(checkIdNumber(make('110105', '1900-01-01', 1), TODAY))).toBe('ok')
    expect(codeOf(checkIdNumber('110105000001011230', TODAY))).toBe('idNumber.noSuchDate') // year 0
  })

  it('reads the sex from the parity of the sequence, and the area from the first six digits', () => {
    const male = checkIdNumber(make('519901', '2015-03-04', 123), TODAY)
    const female = checkIdNumber(make('519901', '2015-03-04', 124), TODAY)
    expect(male).toMatchObject({ sex: 'male', areaCode: '519901' })
    expect(female).toMatchObject({ sex: 'female' })
  })

  it('does not judge the area code, as the server does not', () => {
    expect(codeOf(checkIdNumber(make('000000', '2015-03-04', 1), TODAY))).toBe('ok')
  })

  it('accepts the old 15-digit form: 19xx, no check digit, sex from the last digit', () => {
    expect(checkIdNumber('110105491231002', TODAY)).toMatchObject({
      ok: true,
      birthDate: '1949-12-31',
      sex: 'female',
      normalized: '110105491231002',
    })
    expect(checkIdNumber('110105491231003', TODAY)).toMatchObject({ sex: 'male' })
    expect(codeOf(checkIdNumber('11010549123100X', TODAY))).toBe('idNumber.shape')
  })
})

describe('the check digit against the generating algorithm', () => {
  // A spread of areas, dates (leap days, month ends, 1900s) and sequences of both parities.
  const cases: [string, string, number][] = []
  const areas = ['110105', '510821', '440524', '659001', '000000']
  const dates = [
    '1900-01-01',
    '1949-12-31',
    '1999-09-09',
    '2000-02-29',
    '2008-08-08',
    '2012-02-29',
    '2015-03-04',
    '2019-12-31',
    '2020-06-30',
    '2026-11-23',
  ]
  areas.forEach((area, a) => dates.forEach((date, d) => cases.push([area, date, (a * 97 + d * 131) % 1000])))
  cases.push(['110105', '2011-01-01', 0], ['110105', '2011-01-01', 999])

  it.each(cases)('%s %s %i is valid, with its birth date and sex', (area, date, sequence) => {
    const number = make(area, date, sequence)
    expect(checkIdNumber(number, TODAY)).toEqual({
      ok: true,
      normalized: number,
      areaCode: area,
      birthDate: date,
      sex: sequence % 2 ? 'male' : 'female',
    })
    expect(idCheckChar(number.slice(0, 17))).toBe(number[17])
  })

  it('every check character, X included, is produced and accepted', () => {
    const seen = new Set<string>()
    for (let sequence = 0; seen.size < 11 && sequence < 1000; sequence++) {
      const number = make('510821', '2015-03-04', sequence)
      seen.add(number[17]!)
      expect(codeOf(checkIdNumber(number, TODAY))).toBe('ok')
    }
    expect([...seen].sort()).toEqual([...'0123456789X'].sort())
  })

  it.each(cases)('%s %s %i: any one character changed is caught', (area, date, sequence) => {
    const number = make(area, date, sequence)
    for (let i = 0; i < 18; i++) {
      for (const replacement of i === 17 ? '0123456789X' : '0123456789') {
        if (replacement === number[i]) continue
        const changed = number.slice(0, i) + replacement + number.slice(i + 1)
        // MOD 11-2 detects every single substitution; some are caught earlier, by the date.
        expect(checkIdNumber(changed, TODAY).ok, changed).toBe(false)
      }
    }
  })
})

describe('childFaults, as child_rules (tests/test_registry_writes.py)', () => {
  const born = '2017-03-01'
  const number = make('510821', born, 123) // odd: a boy
  const form = { name: '张小明', sex: 'male' as const, birthDate: born, idNumber: number }
  const fields = (f: Parameters<typeof childFaults>[0]) => childFaults(f, TODAY).map((x) => [x.field, x.code])

  it('finds nothing wrong with a good form, or with no ID number at all', () => {
    expect(childFaults(form, TODAY)).toEqual([])
    expect(childFaults({ ...form, idNumber: null }, TODAY)).toEqual([])
    expect(childFaults({ ...form, idNumber: '   ' }, TODAY)).toEqual([])
  })

  it.each([
    [{ idNumber: number.slice(0, -1) + (number.endsWith('0') ? '1' : '0') }, 'id_number', 'idNumber.checkDigit'],
    [{ idNumber: '51082120170399123X' }, 'id_number', 'idNumber.noSuchDate'],
    [{ birthDate: '2017-03-02' }, 'id_number', 'idNumber.birthDateDiffers'],
    [{ sex: 'female' as const }, 'id_number', 'idNumber.saysMale'],
    [{ idNumber: '510821170301123' }, 'id_number', 'idNumber.birthDateDiffers'], // old form: born 1917
    [{ idNumber: '12345' }, 'id_number', 'idNumber.shape'],
    [{ birthDate: '2026-11-25', idNumber: null }, 'birth_date', 'birthDate.future'],
    [{ birthDate: '2001-01-01', idNumber: null }, 'birth_date', 'birthDate.notAChild'],
    [{ name: '  ' }, 'name', 'name.required'],
    [{ name: '张'.repeat(51) }, 'name', 'name.tooLong'],
  ])('%o is refused on %s', (change, field, code) => {
    expect(fields({ ...form, ...change })).toEqual([[field, code]])
  })

  it("says the server's words for a disagreeing number", () => {
    const [dateFault, sexFault] = childFaults({ ...form, birthDate: '2017-03-02', sex: 'female' }, TODAY)
    expect(dateFault?.message).toBe(
      '身份证号码中的出生日期是2017-03-01，与填写的出生日期不一致 (the birth date in it, 2017-03-01, differs from the one given)',
    )
    expect(sexFault?.message).toBe('身份证号码表示性别为男，与填写的性别不一致 (it says male, not female)')
  })

  it('lists every fault of the form at once, birth date before ID number', () => {
    const faults = childFaults({ name: '', sex: 'female', birthDate: '2026-12-01', idNumber: number }, TODAY)
    expect(faults.map((f) => f.code)).toEqual([
      'name.required',
      'birthDate.future',
      'idNumber.birthDateDiffers',
      'idNumber.saysMale',
    ])
  })

  it('counts an 18-year-old as a child, until the nineteenth birthday', () => {
    expect(fields({ ...form, birthDate: '2007-11-24', idNumber: null })).toEqual([])
    expect(fields({ ...form, birthDate: '2007-11-23', idNumber: null })).toEqual([
      ['birth_date', 'birthDate.notAChild'],
    ])
  })

  it('counts full years as school_age.full_years does', () => {
    expect(fullYears('2016-02-29', '2022-02-28')).toBe(5)
    expect(fullYears('2016-02-29', '2022-03-01')).toBe(6)
    expect(fullYears('2015-03-04', '2026-03-04')).toBe(11)
    expect(fullYears('2015-03-04', '2026-03-03')).toBe(10)
  })
})

describe('checkMobile, as import_rows.mobile', () => {
  it.each([
    ['13812345678', '13812345678'],
    [' 138 1234 5678 ', '13812345678'],
    ['138-1234-5678', '13812345678'],
    ['(138)12345678', '13812345678'],
    ['（138）12345678', '13812345678'],
    ['+86 138 1234 5678', '13812345678'],
    ['19900001111', '19900001111'],
    ['１３８１２３４５６７８', '13812345678'],
    ['', null],
    ['  ', null],
  ])('%s is %s', (typed, normalized) => {
    expect(checkMobile(typed)).toEqual({ ok: true, normalized })
  })

  it.each(['1390000111', '12345', '0839-1234567', '12812345678', '138123456789', '1381234567a', '+8613812345678x'])(
    '%s is refused with the server message',
    (typed) => {
      expect(checkMobile(typed)).toEqual({
        ok: false,
        code: 'mobile.shape',
        message: '手机号码须为11位，以13至19开头 (a mobile number: 11 digits from 13 to 19)',
      })
    },
  )
})

describe('checkStudentNumber, as enrolments.student_number_faults (tests/test_enrolments.py)', () => {
  const child = make('510821', '2015-03-04', 123)

  it('takes G and the ID number, the child’s own, normalised', () => {
    expect(checkStudentNumber('G' + child, child, TODAY)).toEqual({ ok: true, normalized: 'G' + child })
    expect(checkStudentNumber(' g' + child.toLowerCase() + ' ', child, TODAY)).toMatchObject({ ok: true })
    expect(checkStudentNumber('G11010519491231002x', undefined, TODAY)).toEqual({
      ok: true,
      normalized: 'G11010519491231002X',
    })
    expect(checkStudentNumber('G110105491231002', null, TODAY)).toMatchObject({ ok: true }) // the old form
  })

  it('refuses a G number whose ID number is invalid, giving the reason', () => {
    const result = checkStudentNumber('G510821201703011234', child, TODAY)
    expect(result).toEqual({
      ok: false,
      code: 'studentNumber.badIdNumber',
      message: 'G字头学籍号应为G加身份证号码：身份证号码校验位不正确 (the check digit does not match)',
      params: { reason: 'idNumber.checkDigit' },
    })
  })

  it('refuses another child’s ID number', () => {
    expect(checkStudentNumber('G11010519491231002X', child, TODAY)).toMatchObject({
      code: 'studentNumber.notTheChilds',
    })
  })

  it('takes L (temporary) and J (school-made) numbers', () => {
    expect(checkStudentNumber('L2026000123', child, TODAY)).toEqual({ ok: true, normalized: 'L2026000123' })
    expect(checkStudentNumber('j2510000001000123', null, TODAY)).toEqual({ ok: true, normalized: 'J2510000001000123' })
  })

  it.each([
    ['X123', 'studentNumber.prefix'],
    ['L', 'studentNumber.length'],
    ['L' + '1'.repeat(30), 'studentNumber.length'],
    ['L12-3', 'studentNumber.prefix'],
    ['G', 'studentNumber.length'],
    ['G12345', 'studentNumber.badIdNumber'],
  ])('%s is refused as %s', (typed, code) => {
    expect(checkStudentNumber(typed, child, TODAY)).toMatchObject({ ok: false, code })
  })

  it('makes G + ID number, or J + a fallback, as id_number.student_number', () => {
    expect(studentNumberFor('11010519491231002X', 'x')).toBe('G11010519491231002X')
    expect(studentNumberFor(null, '2510000001000123')).toBe('J2510000001000123')
  })
})

describe('messages for the UI', () => {
  /** The message at a dotted path, e.g. "validation.idNumber.shape". */
  const at = (tree: object, path: string): unknown =>
    path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], tree)

  it.each(VALIDATION_CODES)('%s has a message in both languages', (code) => {
    expect(typeof at(zhCN, `validation.${code}`)).toBe('string')
    expect(typeof at(en, `validation.${code}`)).toBe('string')
  })

  it('translates a fault, and a G number’s nested reason, in the same language', () => {
    const t = (key: string, named: Record<string, string>) =>
      String(at(en, key)).replace(/\{(\w+)\}/g, (_, name: string) => named[name] ?? '')
    const result = checkStudentNumber('G510821201703011234', null, TODAY)
    expect(result.ok).toBe(false)
    if (!result.ok) {
      expect(validationText(t, result)).toBe(
        "A G student number is G and the ID number: The ID number's check digit does not match",
      )
    }
  })

  it('gives the county’s date, not UTC’s', () => {
    // 17:00 UTC on 23 November is already 24 November in China.
    expect(localToday('Asia/Shanghai', new Date('2026-11-23T17:00:00Z'))).toBe('2026-11-24')
  })
})
