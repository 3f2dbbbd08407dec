"""Yardsticks: reference preference sets imported by admins or labs, never shown or trained on."""
