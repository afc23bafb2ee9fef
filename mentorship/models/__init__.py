"""ORM models, one module per area; import them from here."""

from __future__ import annotations

from mentorship.db import Base
from mentorship.models.base import Availability, ProgramStatus, Role, utcnow
from mentorship.models.people import YEARS_MAX, Profile, User
from mentorship.models.programs import (
    CAPACITY_MAX,
    CAPACITY_MIN,
    PENDING_MAX,
    PENDING_MIN,
    Enrolment,
    Program,
)
from mentorship.models.security import ApiToken, LoginFailure, LoginSession

__all__ = ["Base", "Role", "ProgramStatus", "Availability", "User", "Profile", "Program",
           "Enrolment", "LoginSession", "ApiToken", "LoginFailure", "utcnow", "CAPACITY_MIN",
           "CAPACITY_MAX", "PENDING_MIN", "PENDING_MAX", "YEARS_MAX"]
