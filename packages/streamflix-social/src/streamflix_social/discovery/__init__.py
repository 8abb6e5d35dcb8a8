"""Discovery's engine: the arithmetic on plain arrays (``model``) and its offline measure
(``evaluation``). Nothing here imports Django, so the bench runs the very functions the
refresh runs, on synthetic data."""
