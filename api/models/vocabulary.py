"""The domain's controlled vocabularies (shared/DOMAIN.md), stored by their values."""

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


class AuditAction(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    REMOVE = "remove"
    READ_PERSONAL = "read_personal"  # a full read of someone's personal data
    LOGIN_SUCCEEDED = "login_succeeded"
    LOGIN_FAILED = "login_failed"
    LOGOUT = "logout"
    # A spent refresh token came back: its family is revoked.
    TOKEN_REUSED = "token_reused"  # noqa: S105 - an event's name, not a secret
    PASSWORD_CHANGED = "password_changed"  # noqa: S105
    PASSWORD_RESET = "password_reset"  # noqa: S105 - by an administrator
