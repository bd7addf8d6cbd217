"""`newsdesk brief|run`: the same pipeline from the command line, printed as text or JSON lines."""
