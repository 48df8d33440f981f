"""Every view module; importing this package registers them all."""

from organize.projections.indicators import view as indicators  # noqa: F401
from organize.projections.views import (
    campaign_board,  # noqa: F401
    common_grievances,  # noqa: F401
    grievance_register,  # noqa: F401
    meeting_log,  # noqa: F401
    organisations,  # noqa: F401
    research_grievances,  # noqa: F401
    sector_flows,  # noqa: F401
    worker_directory,  # noqa: F401
)
