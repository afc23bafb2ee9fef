"""Pure matching engine."""
