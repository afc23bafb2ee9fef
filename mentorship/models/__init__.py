"""ORM models, one module per area; import them from here."""

from __future__ import annotations

from mentorship.db import Base
from mentorship.models import enrolment_counts  # noqa: F401 (the triggers on enrolments)
from mentorship.models.agreements import (
    SESSION_MINUTES_MAX,
    SESSION_MINUTES_MIN,
    Agreement,
    Cadence,
)
from mentorship.models.audit import AppendOnly, AuditEntry
from mentorship.models.base import Availability, ProgramStatus, Role, utcnow
from mentorship.models.feedback import (
    RATING_MAX,
    RATING_MIN,
    Feedback,
    FitAnswer,
    FitCheck,
    RatingMonth,
    Reflection,
)
from mentorship.models.goals import PROGRESS_MAX, ActionItem, Goal, GoalEvent, GoalStatus
from mentorship.models.matching import (
    DeclineReason,
    EndReason,
    MatchRequest,
    MatchRound,
    Notification,
    Pairing,
    PairingSource,
    PairingStatus,
    RequestStatus,
    RoundExclusion,
    RoundProposal,
    RoundStatus,
)
from mentorship.models.meetings import (
    DURATION_MAX,
    DURATION_MIN,
    CalendarFeed,
    Meeting,
    MeetingStatus,
    PrepNote,
    SessionWeek,
)
from mentorship.models.outbox import Channel, NotificationPreference, OutboxEmail, ReminderSent
from mentorship.models.people import YEARS_MAX, Profile, User
from mentorship.models.programs import (
    CAPACITY_MAX,
    CAPACITY_MIN,
    EXPIRY_MAX,
    EXPIRY_MIN,
    PENDING_MAX,
    PENDING_MIN,
    QUIET_MAX,
    QUIET_MIN,
    Enrolment,
    Program,
)
from mentorship.models.security import ApiToken, LoginFailure, LoginSession, PasswordToken
from mentorship.models.thread import CLIENT_KEY_MAX, MESSAGE_MAX, Message, ThreadRead

__all__ = ["Base", "Role", "ProgramStatus", "Availability", "User", "Profile", "Program",
           "Enrolment", "LoginSession", "ApiToken", "LoginFailure", "utcnow", "CAPACITY_MIN",
           "CAPACITY_MAX", "PENDING_MIN", "PENDING_MAX", "YEARS_MAX", "EXPIRY_MIN", "EXPIRY_MAX",
           "MatchRequest", "Pairing", "MatchRound", "RoundProposal", "RoundExclusion",
           "Notification", "RequestStatus", "DeclineReason", "PairingStatus", "PairingSource",
           "EndReason", "RoundStatus",
           "Agreement", "Cadence", "SESSION_MINUTES_MIN", "SESSION_MINUTES_MAX",
           "Message", "ThreadRead", "MESSAGE_MAX", "CLIENT_KEY_MAX",
           "Meeting", "MeetingStatus", "PrepNote", "CalendarFeed", "DURATION_MIN", "DURATION_MAX",
           "Goal", "GoalStatus", "ActionItem", "GoalEvent", "PROGRESS_MAX",
           "Feedback", "FitCheck", "FitAnswer", "RatingMonth", "Reflection", "SessionWeek", "RATING_MIN", "RATING_MAX",
           "OutboxEmail", "NotificationPreference", "ReminderSent", "Channel",
           "AuditEntry", "AppendOnly", "PasswordToken", "QUIET_MIN", "QUIET_MAX"]
