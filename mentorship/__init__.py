"""Mentorship web application."""
