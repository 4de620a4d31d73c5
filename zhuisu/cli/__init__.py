"""The command-line kit every domain's commands share (settings, sessions, errors) and ``zhuisu db``; the root
``zhuisu`` command that mounts them all is ``zhuisu.app.cli``."""
