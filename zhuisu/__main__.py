"""`python -m zhuisu` runs the command-line interface."""

from zhuisu.app.cli import main

main()
