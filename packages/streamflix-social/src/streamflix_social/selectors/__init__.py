"""Social reads, query-count bounded; one module per topic. Every public selector is
importable from here."""

from .engagement import engagement_state, my_list, viewer_profile_id  # noqa: F401
