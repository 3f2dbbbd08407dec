"""`flask demo seed`: real feedback from ../shared/data posted by simulated wallets."""

from flask.cli import AppGroup

demo_cli = AppGroup("demo", help="Demo data.")
