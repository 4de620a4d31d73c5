"""`python -m zhuisu` runs the command-line interface."""

from zhuisu.cli import main

main()
