"""The named rules of the roster: hard labour rules, one module each, and the soft (penalised) terms.

:data:`HARD_RULES` is the ordered registry every solver path and the checker loop over; each entry holds
the rule's definition (its checker) and every encoding of it (CP-SAT, contract-graph DP, stage-1 rows), see
:mod:`.base`. Adding a rule is one module here, one line in the registry, its contract field and its tests.
"""

from wfm.roster.rules.allowed_shifts import AllowedShifts
from wfm.roster.rules.base import AgentView, CpContext, DPComponent, DPSpec, HardRule, RowContext, Violation
from wfm.roster.rules.consecutive import Consecutive
from wfm.roster.rules.days_off_in_week import DaysOffInWeek
from wfm.roster.rules.leave import Leave
from wfm.roster.rules.locked import Locked
from wfm.roster.rules.max_shifts import MaxShifts
from wfm.roster.rules.min_working_days import MinWorkingDays
from wfm.roster.rules.paid_minutes import PaidMinutes
from wfm.roster.rules.rest import Rest
from wfm.roster.rules.tags import MaxTag
from wfm.roster.rules.weekends import MaxWeekends
from wfm.roster.rules.working_days import WorkingDays

__all__ = ["HARD_RULES", "AgentView", "CpContext", "DPComponent", "DPSpec", "HardRule", "RowContext", "Violation"]

HARD_RULES: tuple[HardRule, ...] = (
    Leave(),
    AllowedShifts(),
    MaxShifts(),
    Locked(),
    PaidMinutes(),
    WorkingDays(),
    Consecutive(),
    Rest(),
    MaxTag(),
    MaxWeekends(),
    MinWorkingDays(),
    DaysOffInWeek(),
)
