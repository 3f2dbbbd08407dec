"""Server-rendered pages for experts (earnings, claims) and labs (datasets)."""
