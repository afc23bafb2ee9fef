"""ORM models, one module per area; import them from here."""

from __future__ import annotations

from mentorship.db import Base
from mentorship.models.base import Availability, ProgramStatus, Role, utcnow
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
from mentorship.models.people import YEARS_MAX, Profile, User
from mentorship.models.programs import (
    CAPACITY_MAX,
    CAPACITY_MIN,
    EXPIRY_MAX,
    EXPIRY_MIN,
    PENDING_MAX,
    PENDING_MIN,
    Enrolment,
    Program,
)
from mentorship.models.security import ApiToken, LoginFailure, LoginSession

__all__ = ["Base", "Role", "ProgramStatus", "Availability", "User", "Profile", "Program",
           "Enrolment", "LoginSession", "ApiToken", "LoginFailure", "utcnow", "CAPACITY_MIN",
           "CAPACITY_MAX", "PENDING_MIN", "PENDING_MAX", "YEARS_MAX", "EXPIRY_MIN", "EXPIRY_MAX",
           "MatchRequest", "Pairing", "MatchRound", "RoundProposal", "RoundExclusion",
           "Notification", "RequestStatus", "DeclineReason", "PairingStatus", "PairingSource",
           "EndReason", "RoundStatus"]
