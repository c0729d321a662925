/**
 * The server's field rules, run on the phone so that a cadre offline sees a bad ID number or
 * mobile number at the door, not days later when the outbox is sent.
 *
 * Each rule mirrors a named server function and must stay in step with it:
 *   checkIdNumber      ← api/services/id_number.py  parse()
 *   childFaults        ← api/services/child_rules.py birth_date_faults(), id_number_faults()
 *   checkMobile        ← api/services/import_rows.py mobile()  (and the API's Mobile pattern)
 *   checkStudentNumber ← api/services/enrolments.py  student_number_faults()
 * Messages are the server's own text, so the phone says what the server would say; `code`
 * (with `params`) lets the UI show them through vue-i18n under `validation.<code>`.
 *
 * Dates are ISO strings (YYYY-MM-DD) in the county's calendar, never Date objects: a Date is
 * an instant, and an instant near midnight falls on different days in UTC and in China.
 */

export type Sex = 'male' | 'female'
export type IsoDate = string

export const ID_NUMBER_CODES = [
  'idNumber.shape',
  'idNumber.noSuchDate',
  'idNumber.impossibleDate',
  'idNumber.checkDigit',
] as const
export type IdNumberCode = (typeof ID_NUMBER_CODES)[number]

export interface IdNumberFacts {
  ok: true
  /** As the server stores it: the phone should send this, not what was typed. */
  normalized: string
  areaCode: string
  birthDate: IsoDate
  sex: Sex
}

export interface Rejection<Code extends string = string> {
  ok: false
  code: Code
  message: string
  params?: Record<string, string>
}

export type IdNumberResult = IdNumberFacts | Rejection<IdNumberCode>

export const CHILD_CODES = [
  'name.required',
  'name.tooLong',
  'birthDate.future',
  'birthDate.notAChild',
  'idNumber.birthDateDiffers',
  'idNumber.saysMale',
  'idNumber.saysFemale',
] as const
export type ChildFaultCode = IdNumberCode | (typeof CHILD_CODES)[number]

/** A (field, message) pair as the server lists it in a 422's `errors`, with its code. */
export interface Fault {
  field: string
  code: ChildFaultCode
  message: string
  params?: Record<string, string>
}

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const
const CHECK_CHARS = '10X98765432'
const SHAPE_18 = /^\d{17}[\dX]$/
const SHAPE_15 = /^\d{15}$/

const ID_MESSAGES: Record<IdNumberCode, string> = {
  'idNumber.shape':
    '身份证号码应为18位（最后一位可为X）或旧式15位数字 (must be 18 characters, the last may be X, or the old 15 digits)',
  'idNumber.noSuchDate': '身份证号码中的出生日期不存在 (the birth date in it is not a real date)',
  'idNumber.impossibleDate': '身份证号码中的出生日期不合理 (the birth date in it is impossible)',
  'idNumber.checkDigit': '身份证号码校验位不正确 (the check digit does not match)',
}

/** The county's calendar date now; the server judges "today" in its settings' time zone. */
export function localToday(timeZone = 'Asia/Shanghai', now: Date = new Date()): IsoDate {
  // en-CA formats as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now)
}

/**
 * Chinese input methods often type full-width digits (１２３) and spaces (U+3000). The server's
 * `\d` is Unicode-aware, so it accepts full-width digits, but stores them as typed; folding
 * them to ASCII here gets the same verdict and sends the number in the form everyone else has.
 */
function foldFullWidth(raw: string): string {
  return raw.replace(/[\uFF10-\uFF19\uFF38\uFF58\u3000]/g, (c) =>
    c === '\u3000' ? ' ' : String.fromCharCode(c.charCodeAt(0) - 0xfee0),
  )
}

/** id_number.normalise: trim, drop inner spaces, upper-case (so a typed x becomes X). */
export function normalizeIdNumber(raw: string): string {
  return foldFullWidth(raw).trim().replaceAll(' ', '').toUpperCase()
}

/** id_number.check_char: ISO 7064 MOD 11-2 over the first 17 digits. */
export function idCheckChar(first17: string): string {
  if (!/^\d{17}$/.test(first17)) throw new Error('the check character is of the first 17 digits')
  let total = 0
  for (let i = 0; i < 17; i++) total += Number(first17[i]) * WEIGHTS[i]!
  return CHECK_CHARS[total % 11]!
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
}

/** Whether Python's date(y, m, d) would exist: year 1..9999, the proleptic Gregorian calendar. */
function isRealDate(year: number, month: number, day: number): boolean {
  if (year < 1 || month < 1 || month > 12 || day < 1) return false
  const days = [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!
  return day <= days
}

function rejectId(code: IdNumberCode): Rejection<IdNumberCode> {
  return { ok: false, code, message: ID_MESSAGES[code] }
}

/**
 * id_number.parse. The rules run in the server's order, because the first one failing is the
 * message the server gives: shape, then the birth date (a typo there is the likelier fault),
 * then the check digit. The area prefix is read, not judged: the server accepts any six digits,
 * because area codes are re-issued and retired over the years, and a real person's number may
 * carry a code that no current list holds.
 */
export function checkIdNumber(value: string, today: IsoDate): IdNumberResult {
  const number = normalizeIdNumber(value)
  let birthText: string
  let sequence: number
  if (SHAPE_18.test(number)) {
    birthText = number.slice(6, 14)
    sequence = Number(number.slice(14, 17))
  } else if (SHAPE_15.test(number)) {
    // Issued before 1999: a two-digit year, always 19xx, and no check digit.
    birthText = '19' + number.slice(6, 12)
    sequence = Number(number.slice(12, 15))
  } else {
    return rejectId('idNumber.shape')
  }
  const year = Number(birthText.slice(0, 4))
  const month = Number(birthText.slice(4, 6))
  const day = Number(birthText.slice(6, 8))
  if (!isRealDate(year, month, day)) return rejectId('idNumber.noSuchDate')
  const birthDate = `${birthText.slice(0, 4)}-${birthText.slice(4, 6)}-${birthText.slice(6, 8)}`
  if (birthDate > today || year < 1900) return rejectId('idNumber.impossibleDate')
  if (number.length === 18 && idCheckChar(number.slice(0, 17)) !== number[17]) {
    return rejectId('idNumber.checkDigit')
  }
  return {
    ok: true,
    normalized: number,
    areaCode: number.slice(0, 6),
    birthDate,
    sex: sequence % 2 ? 'male' : 'female',
  }
}

/** school_age.full_years: birthdays count on the day itself; 29 February waits for 1 March. */
export function fullYears(birthDate: IsoDate, on: IsoDate): number {
  const hadBirthday = on.slice(5) >= birthDate.slice(5)
  return Number(on.slice(0, 4)) - Number(birthDate.slice(0, 4)) - (hadBirthday ? 0 : 1)
}

/** child_rules.OLDEST_CHILD_YEARS: the registry is of minors; adults are guardians. */
export const OLDEST_CHILD_YEARS = 18

const SEX_LABEL: Record<Sex, string> = { male: '男', female: '女' }

export interface ChildForm {
  name: string
  sex: Sex
  birthDate: IsoDate
  idNumber?: string | null
}

/** The name's limits come from the API schema (Text50), whose own messages are pydantic's English. */
const NAME_LONGEST = 50

/**
 * What the server's child rules would refuse in this form, in the server's order, all at once
 * (a cadre fixes the form in one go). Rules that need the server's data are not here: an ID
 * number already registered to another child (409), guardians belonging to the household.
 */
export function childFaults(form: ChildForm, today: IsoDate): Fault[] {
  const faults: Fault[] = []
  const name = form.name.trim()
  if (!name) {
    faults.push({ field: 'name', code: 'name.required', message: '请填写姓名 (a name is required)' })
  } else if ([...name].length > NAME_LONGEST) {
    faults.push({
      field: 'name',
      code: 'name.tooLong',
      message: `姓名不能超过${NAME_LONGEST}个字 (at most ${NAME_LONGEST} characters)`,
      params: { longest: String(NAME_LONGEST) },
    })
  }
  faults.push(...birthDateFaults(form.birthDate, today))
  faults.push(...idNumberFaults(form.idNumber, form.birthDate, form.sex, today))
  return faults
}

/** child_rules.birth_date_faults. */
export function birthDateFaults(birthDate: IsoDate, today: IsoDate): Fault[] {
  const field = 'birth_date'
  if (birthDate > today) {
    return [{ field, code: 'birthDate.future', message: '出生日期不能晚于今天 (the birth date is in the future)' }]
  }
  if (fullYears(birthDate, today) > OLDEST_CHILD_YEARS) {
    return [
      {
        field,
        code: 'birthDate.notAChild',
        message: `已满${OLDEST_CHILD_YEARS}周岁，不是未成年人 (older than ${OLDEST_CHILD_YEARS}: not a child)`,
        params: { years: String(OLDEST_CHILD_YEARS) },
      },
    ]
  }
  return []
}

/** child_rules.id_number_faults: the number alone, then against the birth date and sex given. */
export function idNumberFaults(
  raw: string | null | undefined,
  birthDate: IsoDate,
  sex: Sex,
  today: IsoDate,
  field = 'id_number',
): Fault[] {
  // No number is allowed: many children have none yet.
  if (raw == null || !normalizeIdNumber(raw)) return []
  const facts = checkIdNumber(raw, today)
  if (!facts.ok) return [{ field, code: facts.code, message: facts.message }]
  const faults: Fault[] = []
  if (facts.birthDate !== birthDate) {
    faults.push({
      field,
      code: 'idNumber.birthDateDiffers',
      message: `身份证号码中的出生日期是${facts.birthDate}，与填写的出生日期不一致 (the birth date in it, ${facts.birthDate}, differs from the one given)`,
      params: { birthDate: facts.birthDate },
    })
  }
  if (facts.sex !== sex) {
    faults.push({
      field,
      // One code per sex, so that a translation needs no second look-up for the sex's name.
      code: facts.sex === 'male' ? 'idNumber.saysMale' : 'idNumber.saysFemale',
      message: `身份证号码表示性别为${SEX_LABEL[facts.sex]}，与填写的性别不一致 (it says ${facts.sex}, not ${sex})`,
    })
  }
  return faults
}

export const MOBILE_CODES = ['mobile.shape'] as const
export type MobileCode = (typeof MOBILE_CODES)[number]
export type MobileResult = { ok: true; normalized: string | null } | Rejection<MobileCode>

// import_rows._PHONE_NOISE: what people write around a number (138-1234-5678, (138)…).
const PHONE_NOISE = /[\s\-()（）]/g
const MOBILE = /^1[3-9]\d{9}$/

/**
 * import_rows.mobile. Empty is "no number" (normalized null), as the optional phone fields are.
 * The API's own Mobile field takes only the bare 11 digits, so send `normalized`.
 */
export function checkMobile(value: string): MobileResult {
  let number = foldFullWidth(value).trim().replace(PHONE_NOISE, '')
  if (number.startsWith('+86')) number = number.slice(3)
  if (!number) return { ok: true, normalized: null }
  if (!MOBILE.test(number)) {
    return {
      ok: false,
      code: 'mobile.shape',
      message: '手机号码须为11位，以13至19开头 (a mobile number: 11 digits from 13 to 19)',
    }
  }
  return { ok: true, normalized: number }
}

export const STUDENT_NUMBER_CODES = [
  'studentNumber.length',
  'studentNumber.badIdNumber',
  'studentNumber.notTheChilds',
  'studentNumber.prefix',
] as const
export type StudentNumberCode = (typeof STUDENT_NUMBER_CODES)[number]
export type StudentNumberResult = { ok: true; normalized: string } | Rejection<StudentNumberCode>

// enrolments._TEMPORARY_OR_OWN: L a temporary number, J a school-made one for a pupil without an ID number.
const TEMPORARY_OR_OWN = /^[LJ][0-9A-Z]{1,29}$/

/**
 * enrolments.student_number_faults, after the API's StudentNumber field has trimmed and
 * upper-cased it (2 to 30 characters). `today` decides whether the ID number's birth date is
 * in the future; the server uses its clock's date there.
 */
export function checkStudentNumber(
  value: string,
  childIdNumber?: string | null,
  today: IsoDate = localToday(),
): StudentNumberResult {
  const number = foldFullWidth(value).trim().toUpperCase()
  if (number.length < 2 || number.length > 30) {
    return {
      ok: false,
      code: 'studentNumber.length',
      message: '学籍号应为2至30个字符 (2 to 30 characters)',
    }
  }
  if (number.startsWith('G')) {
    const facts = checkIdNumber(number.slice(1), today)
    if (!facts.ok) {
      return {
        ok: false,
        code: 'studentNumber.badIdNumber',
        message: `G字头学籍号应为G加身份证号码：${facts.message}`,
        params: { reason: facts.code },
      }
    }
    if (childIdNumber && facts.normalized !== normalizeIdNumber(childIdNumber)) {
      return {
        ok: false,
        code: 'studentNumber.notTheChilds',
        message: "学籍号中的身份证号码与儿童的不一致 (differs from the child's ID number)",
      }
    }
    return { ok: true, normalized: 'G' + facts.normalized }
  }
  if (TEMPORARY_OR_OWN.test(number)) return { ok: true, normalized: number }
  return { ok: false, code: 'studentNumber.prefix', message: '学籍号应以G、L或J开头 (must start with G, L or J)' }
}

/** id_number.student_number: "G" + the ID number, or "J" + a school-made code without one. */
export function studentNumberFor(idNumber: string | null | undefined, fallback: string): string {
  return idNumber ? `G${idNumber}` : `J${fallback}`
}

/** Every code a rule here can give: each has a message under `validation.` in both languages. */
export const VALIDATION_CODES = [...ID_NUMBER_CODES, ...CHILD_CODES, ...MOBILE_CODES, ...STUDENT_NUMBER_CODES] as const
export type ValidationCode = (typeof VALIDATION_CODES)[number]

type Translate = (key: string, named: Record<string, string>) => string

/**
 * The fault in the user's language: pass vue-i18n's `t`. A G student number's `reason` is
 * itself a code (the ID number's fault), translated first so it reads in the same language.
 */
export function validationText(t: Translate, fault: { code: ValidationCode; params?: Record<string, string> }): string {
  const params = { ...fault.params }
  if (params.reason) params.reason = t(`validation.${params.reason}`, {})
  return t(`validation.${fault.code}`, params)
}
