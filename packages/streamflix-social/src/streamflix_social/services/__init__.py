"""Social writes, keyword-only and named ``<thing>_<action>``; one module per topic. Every
public service is importable from here."""
