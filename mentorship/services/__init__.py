"""Use-cases. Each takes a SQLAlchemy session and never commits."""
