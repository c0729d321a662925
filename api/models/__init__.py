"""The tables, one module per concept; importing this package registers them all."""

from sqlmodel import SQLModel

from api.models.area import Area
from api.models.assignment import Assignment
from api.models.attachment import Attachment
from api.models.audit import AuditEvent
from api.models.campaign import Campaign, CampaignArea, CampaignHousehold, CampaignPhaseSpan
from api.models.case import Case, CaseTransfer, CaseTransition
from api.models.child import Child, SchoolingStatusChange
from api.models.enrolment import Enrolment
from api.models.guardian import Guardian, Guardianship
from api.models.household import Household
from api.models.household_import import AssignmentImport, HouseholdImport
from api.models.idempotency import IdempotencyKey
from api.models.notification import CaseEscalation, Notification
from api.models.poverty import PovertyList, PovertyMember
from api.models.reconciliation import Discrepancy, Reconciliation
from api.models.return_plan import FollowUp, PersuasionAttempt, ReturnPlan
from api.models.roster import Roster, RosterEntry
from api.models.school import School, SchoolClass
from api.models.statistics_snapshot import StatisticsSnapshot
from api.models.status_application import StatusApplication
from api.models.token import RefreshToken
from api.models.user import User, UserScope
from api.models.visit import Visit, VisitObservation
from api.models.webhook import WebhookDelivery, WebhookEvent, WebhookSubscription

metadata = SQLModel.metadata

__all__ = [
    "Area",
    "Assignment",
    "AssignmentImport",
    "Attachment",
    "AuditEvent",
    "Campaign",
    "CampaignArea",
    "CampaignHousehold",
    "CampaignPhaseSpan",
    "Case",
    "CaseEscalation",
    "CaseTransfer",
    "CaseTransition",
    "Child",
    "Discrepancy",
    "Enrolment",
    "FollowUp",
    "Guardian",
    "Guardianship",
    "Household",
    "HouseholdImport",
    "IdempotencyKey",
    "Notification",
    "PersuasionAttempt",
    "PovertyList",
    "PovertyMember",
    "Reconciliation",
    "RefreshToken",
    "ReturnPlan",
    "Roster",
    "RosterEntry",
    "School",
    "SchoolClass",
    "SchoolingStatusChange",
    "StatisticsSnapshot",
    "StatusApplication",
    "User",
    "UserScope",
    "Visit",
    "VisitObservation",
    "WebhookDelivery",
    "WebhookEvent",
    "WebhookSubscription",
    "metadata",
]
