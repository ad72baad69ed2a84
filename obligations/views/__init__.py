"""The staff dashboard: server-rendered pages, one module per area."""
