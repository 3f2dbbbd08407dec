"""`flask ledger ...` commands."""

from flask.cli import AppGroup

ledger_cli = AppGroup("ledger", help="The rewards ledger.")
