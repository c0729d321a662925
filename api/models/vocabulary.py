"""The domain's controlled vocabularies (docs/domain.md), stored by their values."""

from enum import IntEnum, StrEnum


class AreaLevel(StrEnum):
    PROVINCE = "province"
    PREFECTURE = "prefecture"
    COUNTY = "county"  # 县, 6-digit code
    TOWNSHIP = "township"  # 乡镇, 9-digit code
    VILLAGE = "village"  # 村/社区, 12-digit code
    GROUP = "group"  # 村民小组: the village code plus a local 3-digit suffix


class SchoolKind(StrEnum):
    PRIMARY = "primary"  # 小学
    JUNIOR_MIDDLE = "junior_middle"  # 初级中学
    NINE_YEAR = "nine_year"  # 九年一贯制学校
    TEACHING_POINT = "teaching_point"  # 教学点
    SPECIAL_EDUCATION = "special_education"  # 特殊教育学校


class Sex(StrEnum):
    MALE = "male"
    FEMALE = "female"


class SchoolingStatus(StrEnum):
    """教育状况: where a child stands with compulsory schooling."""

    UNKNOWN = "unknown"  # not yet recorded
    ENROLLED_IN_COUNTY = "enrolled_in_county"  # 县内在校
    ENROLLED_OUTSIDE_COUNTY = "enrolled_outside_county"  # 县外就读
    HOME_DELIVERED = "home_delivered"  # 送教上门
    SUSPENDED = "suspended"  # 休学
    DEFERRED = "deferred"  # 缓学
    EXEMPT = "exempt"  # 免学
    DROPPED_OUT = "dropped_out"  # 辍学
    NEVER_ENROLLED = "never_enrolled"  # 未入学
    COMPLETED = "completed"  # 完成义务教育
    DECEASED = "deceased"  # 死亡
    EMIGRATED = "emigrated"  # 迁出/出境
    WHEREABOUTS_UNKNOWN = "whereabouts_unknown"  # 下落不明


class StatusSource(StrEnum):
    """What a schooling-status change came from."""

    DEMO = "demo"
    MANUAL = "manual"
    SWEEP = "sweep"
    ROSTER = "roster"
    CASE = "case"
    IMPORT = "import"


class LeftBehind(IntEnum):
    """留守: 0 no, 1 one parent away, 2 both parents away (the coding ledgers use)."""

    NO = 0
    ONE_PARENT_AWAY = 1
    BOTH_PARENTS_AWAY = 2


class DisabilityPlacement(StrEnum):
    SPECIAL_SCHOOL = "special_school"  # 特教学校
    REGULAR_CLASS = "regular_class"  # 随班就读
    SPECIAL_CLASS = "special_class"  # 普通学校特教班
    HOME_DELIVERED = "home_delivered"  # 送教上门
    INSTITUTION = "institution"  # 机构
    AWAITING = "awaiting"  # 待安置


class GuardianRelation(StrEnum):
    FATHER = "father"
    MOTHER = "mother"
    GRANDFATHER = "grandfather"
    GRANDMOTHER = "grandmother"
    OTHER_RELATIVE = "other_relative"
    OTHER = "other"


class EnrolmentStatus(StrEnum):
    """学籍状态 as the student-status system exports it."""

    ENROLLED = "enrolled"  # 在籍
    SUSPENDED = "suspended"  # 休学
    TRANSFERRED_OUT = "transferred_out"  # 转出
    GRADUATED = "graduated"  # 毕业
    WITHDRAWN = "withdrawn"  # 注销


class IdDocumentType(StrEnum):
    """身份证件类型 of a pupil, as the student-status system exports it: only a 居民身份证
    number is an ID number (GB 11643) checked and matched as one."""

    RESIDENT_ID = "resident_id"  # 居民身份证
    HK_MACAO_PASS = "hk_macao_pass"  # noqa: S105 - 港澳居民来往内地通行证 (回乡证)
    TAIWAN_PASS = "taiwan_pass"  # noqa: S105 - 台湾居民来往大陆通行证 (台胞证)
    FOREIGN_PERMANENT_RESIDENCE = "foreign_permanent_residence"  # 外国人永久居留身份证
    PASSPORT = "passport"  # 护照
    OTHER = "other"  # 其他


class IncapacityCause(StrEnum):
    """Why a child may lawfully be out of school for a while (免学/缓学/休学)."""

    SERIOUS_ILLNESS = "serious_illness"  # 重大疾病
    SEVERE_DISABILITY = "severe_disability"  # 重度残疾
    MENTAL_ILLNESS = "mental_illness"  # 精神疾病
    OTHER = "other"


class ApplicationState(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"


class UserRole(StrEnum):
    COUNTY_ADMIN = "county_admin"  # 县教育局管理员
    TOWNSHIP_OFFICER = "township_officer"  # 乡镇干部
    VILLAGE_CADRE = "village_cadre"  # 村干部
    PRINCIPAL = "principal"  # 校长
    TEACHER = "teacher"  # 教师/班主任
    SUPERVISOR = "supervisor"  # 督查 (read-only over an area)
    INTEGRATION_CLIENT = "integration_client"  # third-party system


class AssignmentKind(StrEnum):
    """What a responsible person covers (双线控辍, 四包)."""

    VILLAGE = "village"  # 包村: a township cadre, one village
    GROUP = "group"  # 包组: a village cadre, one village group
    SCHOOL = "school"  # 包校: a principal, one school
    CLASS = "class"  # 班主任: a teacher, every pupil of one class
    CHILD = "child"  # 教师包学生: a teacher, one child (教师全员班主任制)


class CaseStatus(StrEnum):
    """个案: where a child out of school stands, from the report until they stay at school."""

    REPORTED = "reported"  # 疑似辍学: noticed, not yet verified
    VERIFIED = "verified"  # 确认辍学: on the dropout ledger
    DISMISSED = "dismissed"  # not a dropout after all (at school elsewhere, moved, deceased...)
    PLANNED = "planned"  # 一人一案: the return plan made
    PERSUADING = "persuading"  # 劝返: attempts under way
    RETURNED = "returned"  # 返校
    FOLLOWING_UP = "following_up"  # 跟踪: visits after the return
    CLOSED = "closed"  # 稳定: back and staying; off the ledger (动态销号)


class CaseAction(StrEnum):
    REPORT = "report"  # the case opened
    VERIFY = "verify"
    DISMISS = "dismiss"
    REPORT_UPWARD = "report_upward"  # the school reports to the county bureau and township
    PLAN = "plan"
    PERSUADE = "persuade"
    RETURN = "return"
    FOLLOW_UP = "follow_up"
    CLOSE = "close"
    REOPEN = "reopen"  # a returned child who leaves again


class CaseSource(StrEnum):
    TEACHER_REPORT = "teacher_report"  # 教师报告: absent days counted by the class
    SWEEP = "sweep"  # 排查: a household visit found the child out of school
    RECONCILIATION = "reconciliation"  # 人籍比对
    MANUAL = "manual"


class DropoutReason(StrEnum):
    """Why, as the seeds sort it: each has its own support in the return plan."""

    UNKNOWN = "unknown"  # not yet found out
    ECONOMIC_HARDSHIP = "economic_hardship"  # 家庭经济困难
    LEARNING_DIFFICULTY = "learning_difficulty"  # 学习困难
    WEARINESS = "weariness"  # 厌学
    FAMILY_CHANGE = "family_change"  # 家庭变故
    GONE_TO_WORK = "gone_to_work"  # 外出务工
    ILLNESS_OR_DISABILITY = "illness_or_disability"  # 疾病或残疾
    EARLY_MARRIAGE = "early_marriage"  # 早婚
    OTHER = "other"


class SupportMeasure(StrEnum):
    """帮扶措施 of a return plan, which the seeds match to the reasons for leaving."""

    BOARDING_SUBSIDY = "boarding_subsidy"  # 贫困寄宿生生活补助
    SOCIAL_ASSISTANCE = "social_assistance"  # 社会救助
    ACADEMIC_ASSESSMENT = "academic_assessment"  # 学业评估
    ONE_TO_ONE_TUTOR = "one_to_one_tutor"  # 优秀教师一对一帮扶
    TALKS = "talks"  # 谈心交流
    COUNSELLING = "counselling"  # 心理辅导
    FAMILY_HELP = "family_help"  # 帮助解决家庭生活和学习困难
    GUARDIAN_DUTY_NOTICE = "guardian_duty_notice"  # 督促家长履行监护职责 (告知书)
    PLACEMENT_ASSESSMENT = "placement_assessment"  # 残疾儿童入学安置评估
    LEGAL_EDUCATION = "legal_education"  # 法治宣传教育
    CORRECTION_ORDER = "correction_order"  # 责令改正通知书: when persuasion fails
    OTHER = "other"


class AttemptOutcome(StrEnum):
    """What a persuasion attempt came to."""

    AGREED = "agreed"  # 同意返校
    UNDECIDED = "undecided"  # 犹豫, 再劝
    REFUSED = "refused"  # 拒绝
    NOT_MET = "not_met"  # 未见到本人或监护人


class FollowUpOutcome(StrEnum):
    """What a follow-up visit after the return found."""

    STAYING = "staying"  # 在校正常
    AT_RISK = "at_risk"  # 在校, 有辍学倾向
    LEFT_AGAIN = "left_again"  # 再次离校


class PersuasionMethod(StrEnum):
    """劝返方式."""

    HOME_VISIT = "home_visit"  # 上门劝返
    PHONE = "phone"  # 电话劝返
    AT_SCHOOL = "at_school"  # 约谈到校
    VIDEO = "video"  # 视频
    WRITTEN_NOTICE = "written_notice"  # 书面通知


class DismissalReason(StrEnum):
    """Why a reported child was not a dropout after all."""

    ENROLLED_ELSEWHERE = "enrolled_elsewhere"  # 在外地就读
    MOVED_WITH_PROOF = "moved_with_proof"  # 已迁出，有证明
    DECEASED = "deceased"
    LAWFULLY_ABSENT = "lawfully_absent"  # 休学、缓学、免学 approved
    BACK_AT_SCHOOL = "back_at_school"  # came back before verification
    MISTAKEN = "mistaken"  # reported in error


class CampaignKind(StrEnum):
    SEMESTER_SURVEY = "semester_survey"  # 开学摸排
    CONTROL_MONTH = "control_month"  # 控辍保学月
    SUMMER_VISITS = "summer_visits"  # 暑期家访


class CampaignPhase(StrEnum):
    """The seed's four weeks, in order."""

    PUBLICITY = "publicity"  # 宣传发动
    SWEEP = "sweep"  # 排查摸底
    RETURN = "return"  # 劝返复学
    SUMMARY = "summary"  # 总结


class VisitOutcome(StrEnum):
    MET = "met"  # 见到家人
    NOBODY_HOME = "nobody_home"  # 无人在家: to visit again
    REFUSED = "refused"  # 拒绝
    MOVED_AWAY = "moved_away"  # 已搬走
    HOUSEHOLD_GONE = "household_gone"  # 户已不存在


class ObservedSchooling(StrEnum):
    """What a visit found of one child."""

    IN_SCHOOL = "in_school"  # and where
    NOT_IN_SCHOOL = "not_in_school"  # and why
    AWAY = "away"  # not at home, and where


class AuditAction(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    REMOVE = "remove"
    READ_PERSONAL = "read_personal"  # a full read of someone's personal data
    # A phone's batch that stored nothing new (all sent before, or refused): kept all the same.
    SYNC_RECEIVED = "sync_received"
    # A scheduled job asked for that found nothing to write (escalations.run): it did run.
    JOB_RUN = "job_run"
    LOGIN_SUCCEEDED = "login_succeeded"
    LOGIN_FAILED = "login_failed"
    LOGOUT = "logout"
    # A spent refresh token came back: its family is revoked.
    TOKEN_REUSED = "token_reused"  # noqa: S105 - an event's name, not a secret
    PASSWORD_CHANGED = "password_changed"  # noqa: S105
    PASSWORD_RESET = "password_reset"  # noqa: S105 - by an administrator


class NotificationKind(StrEnum):
    """Why someone is told to act (the PWA shows them in its inbox)."""

    DEADLINE_NEAR = "deadline_near"  # 不过周 due within a day
    OVERDUE = "overdue"  # a deadline passed: the one who must act
    ESCALATED = "escalated"  # a deadline passed under someone below: the next one up
    FOLLOW_UP_DUE = "follow_up_due"  # a follow-up visit falls due
    ABSENCE = "absence"  # a teacher's report: 2 days absent, a home visit; 3, a dropout report
    REPORTED_UP = "reported_up"  # 上报: the school reported a case to the township and bureau
    TRANSFER_REQUESTED = "transfer_requested"  # a case handed to the receiving side
    TRANSFER_ACCEPTED = "transfer_accepted"  # the receiving side took it: for the sender
    TRANSFER_DECLINED = "transfer_declined"  # the receiving side declined it: for the sender


class CaseLine(StrEnum):
    """The two lines of responsibility (双线)."""

    GOVERNMENT = "government"
    SCHOOL = "school"


class DeadlineLevel(StrEnum):
    """A case's two deadlines, by who must have it (stored as ``case_escalation.deadline``)."""

    SCHOOL = "school"  # 不过夜: before the school within 24 hours of being noticed
    COUNTY = "county"  # 不过周: reported to the county bureau and township within 7 days


class TransferOutcome(StrEnum):
    """A case handed to another township or school: pending until the receiving side decides."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class PovertyKind(StrEnum):
    """How the rural-revitalisation office lists a household."""

    LIFTED = "lifted"  # 脱贫户 (formerly 建档立卡)
    MONITORED = "monitored"  # 监测户 (at risk of falling back)
    MINIMUM_LIVING = "minimum_living"  # 低保户


class ReconciliationStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"


class DiscrepancyKind(StrEnum):
    """What a reconciliation (人籍一致, 四查三比对) finds, each for someone to resolve."""

    # population vs rosters (户籍比学籍)
    NOT_ENROLLED = "not_enrolled"  # school-age, on no roster, no exempt status: 疑似失学辍学
    OUTSIDE_UNPROVEN = "outside_unproven"  # 县外就读 with no evidence of it
    UNKNOWN_TO_POPULATION = "unknown_to_population"  # on a roster, in no household
    IDENTITY_MISMATCH = "identity_mismatch"  # same ID number, another name or birth date
    DOUBLE_ENROLMENT = "double_enrolment"  # on two rosters at once (重复学籍)
    # rosters vs pupils present (学籍比在校生)
    REGISTERED_ABSENT = "registered_absent"  # 籍在人不在: a hidden dropout
    # dropouts vs the poverty household list (辍学比脱贫户)
    POVERTY_OUT_OF_SCHOOL = "poverty_out_of_school"  # a poverty household's child out of school
    POVERTY_UNKNOWN = "poverty_unknown"  # a poverty household's school-age child nobody swept


class DiscrepancyResolution(StrEnum):
    OPEN_CASE = "open_case"  # a suspected dropout: the case service takes it from here
    CORRECTED = "corrected"  # the data was wrong and has been put right at its source
    EXPLAINED = "explained"  # a true exception, with the note saying why; kept in later runs
    LINK = "link"  # a person chose the child an unknown registration is: linked, audited


class ImportStatus(StrEnum):
    STORED = "stored"  # the good rows are stored, the bad ones reported
    REFUSED = "refused"  # all or nothing was asked and a row was bad: nothing stored


class WebhookEventType(StrEnum):
    CASE_CREATED = "case.created"
    CASE_STATUS_CHANGED = "case.status_changed"
    CASE_OVERDUE = "case.overdue"
    VISIT_BATCH_RECEIVED = "visit.batch_received"
    ROSTER_IMPORTED = "roster.imported"
    RECONCILIATION_COMPLETED = "reconciliation.completed"


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # never tried yet, or redelivery asked for
    DELIVERED = "delivered"
    FAILED = "failed"  # tried and refused; tried again at next_attempt_at
    DEAD = "dead"  # given up after the last attempt; only a manual redelivery sends it again


class AttachmentOwner(StrEnum):
    """What an attachment proves or shows (stored as ``attachment.owner_type``)."""

    VISIT = "visit"  # a visit's photo
    STATUS_APPLICATION = "status_application"  # an application's certificate
    PERSUASION_ATTEMPT = "persuasion_attempt"  # an attempt's photo or recording
