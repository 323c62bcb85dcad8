"""``python -m mindmirror_cli``."""

from mindmirror_cli.main import main

main()
