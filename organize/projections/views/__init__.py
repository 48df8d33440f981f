"""Every view, named once: ``VIEWS`` is the list the runner, the rebuilds and the CLI read
(``organize.projections.registry``). A new view joins here, by its class."""

from organize.projections.indicators.view import IndicatorsView
from organize.projections.views.bargaining import BargainingView
from organize.projections.views.campaign_board import CampaignBoardView
from organize.projections.views.common_grievances import CommonGrievancesView
from organize.projections.views.conflict_flags import ConflictFlagsView
from organize.projections.views.grievance_deadlines import GrievanceDeadlinesView
from organize.projections.views.grievance_money import GrievanceMoneyView
from organize.projections.views.grievance_register import GrievanceRegisterView
from organize.projections.views.meeting_log import MeetingLogView
from organize.projections.views.organisations import OrganisationsView
from organize.projections.views.research_grievances import ResearchGrievancesView
from organize.projections.views.sector_flows import SectorFlowsView
from organize.projections.views.worker_directory import WorkerDirectoryView

VIEWS = (IndicatorsView, CampaignBoardView, CommonGrievancesView, GrievanceRegisterView,
         MeetingLogView, OrganisationsView, ResearchGrievancesView, WorkerDirectoryView,
         SectorFlowsView,
         ConflictFlagsView, GrievanceDeadlinesView, GrievanceMoneyView, BargainingView)

__all__ = ["VIEWS"]
