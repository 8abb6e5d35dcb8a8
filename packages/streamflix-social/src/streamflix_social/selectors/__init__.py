"""Social reads, query-count bounded; one module per topic. Every public selector is
importable from here."""
