"""Entry point of `python -m reward_model`."""

from reward_model.cli import main

if __name__ == "__main__":
    main()
