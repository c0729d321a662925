"""What the vocabulary is called in Chinese, for the forms and ledgers the county prints."""

from api.models.vocabulary import (
    AttemptOutcome,
    DropoutReason,
    ObservedSchooling,
    PersuasionMethod,
    SchoolingStatus,
    Sex,
    SupportMeasure,
    VisitOutcome,
)

SEX = {Sex.MALE: "男", Sex.FEMALE: "女"}
_NUMERALS = "一二三四五六七八九"


def grade(number: int) -> str:
    """三年级, for grade 3."""
    return f"{_NUMERALS[number - 1]}年级"


SCHOOLING_STATUS = {
    SchoolingStatus.UNKNOWN: "未登记",
    SchoolingStatus.ENROLLED_IN_COUNTY: "县内在校",
    SchoolingStatus.ENROLLED_OUTSIDE_COUNTY: "县外就读",
    SchoolingStatus.HOME_DELIVERED: "送教上门",
    SchoolingStatus.SUSPENDED: "休学",
    SchoolingStatus.DEFERRED: "缓学",
    SchoolingStatus.EXEMPT: "免学",
    SchoolingStatus.DROPPED_OUT: "辍学",
    SchoolingStatus.NEVER_ENROLLED: "未入学",
    SchoolingStatus.COMPLETED: "完成义务教育",
    SchoolingStatus.DECEASED: "死亡",
    SchoolingStatus.EMIGRATED: "迁出",
    SchoolingStatus.WHEREABOUTS_UNKNOWN: "下落不明",
}

OBSERVED_SCHOOLING = {
    ObservedSchooling.IN_SCHOOL: "在校",
    ObservedSchooling.NOT_IN_SCHOOL: "未在校",
    ObservedSchooling.AWAY: "外出",
}

VISIT_OUTCOME = {
    VisitOutcome.MET: "见到家人",
    VisitOutcome.NOBODY_HOME: "无人在家, 待复访",
    VisitOutcome.REFUSED: "拒绝",
    VisitOutcome.MOVED_AWAY: "已搬走",
    VisitOutcome.HOUSEHOLD_GONE: "户已不存在",
}

DROPOUT_REASON = {
    DropoutReason.UNKNOWN: "原因待查",
    DropoutReason.ECONOMIC_HARDSHIP: "家庭经济困难",
    DropoutReason.LEARNING_DIFFICULTY: "学习困难",
    DropoutReason.WEARINESS: "厌学",
    DropoutReason.FAMILY_CHANGE: "家庭变故",
    DropoutReason.GONE_TO_WORK: "外出务工",
    DropoutReason.ILLNESS_OR_DISABILITY: "疾病或残疾",
    DropoutReason.EARLY_MARRIAGE: "早婚",
    DropoutReason.OTHER: "其他",
}

SUPPORT_MEASURE = {
    SupportMeasure.BOARDING_SUBSIDY: "落实贫困寄宿生生活补助",
    SupportMeasure.SOCIAL_ASSISTANCE: "协调民政部门给予社会救助",
    SupportMeasure.ACADEMIC_ASSESSMENT: "组织教师进行学业评估",
    SupportMeasure.ONE_TO_ONE_TUTOR: "安排优秀教师一对一帮扶",
    SupportMeasure.TALKS: "谈心交流，了解厌学原因",
    SupportMeasure.COUNSELLING: "心理辅导",
    SupportMeasure.FAMILY_HELP: "帮助解决家庭生活和学习中的困难",
    SupportMeasure.GUARDIAN_DUTY_NOTICE: "督促家长履行监护职责（送达告知书）",
    SupportMeasure.PLACEMENT_ASSESSMENT: "残疾儿童入学安置评估（随班就读、送教上门）",
    SupportMeasure.LEGAL_EDUCATION: "对家长开展法治宣传教育",
    SupportMeasure.CORRECTION_ORDER: "劝返无效的，送达责令改正通知书",
    SupportMeasure.OTHER: "其他",
}

PERSUASION_METHOD = {
    PersuasionMethod.HOME_VISIT: "上门劝返",
    PersuasionMethod.PHONE: "电话劝返",
    PersuasionMethod.AT_SCHOOL: "约谈到校",
    PersuasionMethod.VIDEO: "视频劝返",
    PersuasionMethod.WRITTEN_NOTICE: "书面通知",
}

ATTEMPT_OUTCOME = {
    AttemptOutcome.AGREED: "同意返校",
    AttemptOutcome.UNDECIDED: "犹豫，需再劝",
    AttemptOutcome.REFUSED: "拒绝",
    AttemptOutcome.NOT_MET: "未见到本人或监护人",
}
